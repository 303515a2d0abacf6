import { RateLimiterRes } from '../db/rate-limiter.ts';
import type { Db } from '../db/client.ts';
import { createRateLimiter } from '../db/rate-limiter.ts';
import { normalizeEmail } from './users.ts';

export interface LoginLimits {
  perAccount: number;
  perIp: number;
  lockoutSeconds: number;
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>;

/**
 * Counts password attempts per account and per client address, in the database so that a
 * restart does not reset them. An attempt is counted *before* the password is checked, so
 * parallel requests cannot slip past the limit; a success takes its count back and clears
 * the account's failures.
 */
export function createLoginLimiter(db: Db, limits: LoginLimits) {
  const byAccount = createRateLimiter(db, { keyPrefix: 'login-account', points: limits.perAccount, durationSeconds: limits.lockoutSeconds });
  const byIp = createRateLimiter(db, { keyPrefix: 'login-ip', points: limits.perIp, durationSeconds: limits.lockoutSeconds });

  const waitOf = (outcome: PromiseSettledResult<RateLimiterRes>) =>
    outcome.status === 'rejected' && outcome.reason instanceof RateLimiterRes ? outcome.reason.msBeforeNext : 0;

  return {
    /** Counts one attempt; the seconds to wait when over a limit, else 0 (go ahead and check the password). */
    async attempt(email: string, ip: string): Promise<number> {
      const outcomes = await Promise.allSettled([byAccount.consume(normalizeEmail(email)), byIp.consume(ip)]);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected' && !(outcome.reason instanceof RateLimiterRes)) throw outcome.reason;
      }
      return Math.ceil(Math.max(...outcomes.map(waitOf)) / 1000);
    },

    async recordSuccess(email: string, ip: string): Promise<void> {
      await Promise.all([byAccount.delete(normalizeEmail(email)), byIp.reward(ip, 1)]);
    },
  };
}
