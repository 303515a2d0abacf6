import { RateLimiterSQLite } from 'rate-limiter-flexible';
import type { Db } from '../db/client.ts';
import { normalizeEmail } from './users.ts';

export interface LoginLimits {
  perAccount: number;
  perIp: number;
  lockoutSeconds: number;
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;

/**
 * Counts failed log-ins per account and per client address, in the database so that
 * a restart does not reset them. A success clears the account's count only.
 */
export function createLoginLimiter(db: Db, limits: LoginLimits) {
  const common = { storeClient: db.$client, storeType: 'better-sqlite3', tableName: 'rate_limits', tableCreated: true, duration: limits.lockoutSeconds };
  const byAccount = new RateLimiterSQLite({ ...common, keyPrefix: 'login-account', points: limits.perAccount });
  const byIp = new RateLimiterSQLite({ ...common, keyPrefix: 'login-ip', points: limits.perIp });

  return {
    /** Seconds until another attempt is allowed, or 0 when one is allowed now. */
    async retryAfterSeconds(email: string, ip: string): Promise<number> {
      const [account, address] = await Promise.all([byAccount.get(normalizeEmail(email)), byIp.get(ip)]);
      const waits = [
        account && account.consumedPoints >= limits.perAccount ? account.msBeforeNext : 0,
        address && address.consumedPoints >= limits.perIp ? address.msBeforeNext : 0,
      ];
      return Math.ceil(Math.max(...waits) / 1000);
    },

    async recordFailure(email: string, ip: string): Promise<void> {
      await Promise.all([byAccount.penalty(normalizeEmail(email), 1), byIp.penalty(ip, 1)]);
    },

    async recordSuccess(email: string): Promise<void> {
      await byAccount.delete(normalizeEmail(email));
    },
  };
}
