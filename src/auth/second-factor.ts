import { RateLimiterRes } from '../db/rate-limiter.ts';
import type { Db } from '../db/client.ts';
import { createRateLimiter } from '../db/rate-limiter.ts';
import { inTransaction } from '../db/transaction.ts';
import type { RecoveryCodeService } from './two-factor/recovery-codes.ts';
import type { TotpService } from './two-factor/totp.ts';

export type SecondFactor = ReturnType<typeof createSecondFactor>;
export type SecondFactorOutcome = { ok: true; method: 'totp' | 'recoveryCode' } | { ok: false; retryAfterSeconds: number };

const maxFailures = 5;
const windowSeconds = 15 * 60;

/**
 * Everything that asks for a second factor (log-in, confirming access) goes through here:
 * a code from the authenticator app or a recovery code, with failures limited per account.
 */
export function createSecondFactor(db: Db, services: { totp: TotpService; recoveryCodes: RecoveryCodeService }) {
  const failures = createRateLimiter(db, { keyPrefix: 'second-factor', points: maxFailures, durationSeconds: windowSeconds });

  return {
    /** Removing the last second factor also deletes the recovery codes, which would otherwise be a way in; both or neither. */
    async removeTotp(userId: number): Promise<void> {
      await inTransaction(db, async (tx) => {
        await services.totp.remove(userId, tx);
        await services.recoveryCodes.deleteAll(userId, tx);
      });
    },

    async isEnrolled(userId: number): Promise<boolean> {
      return services.totp.isEnabled(userId);
    },

    /** Counts the attempt before checking it, so a burst of parallel guesses cannot pass the limit. */
    async verify(userId: number, input: { code?: string | undefined; recoveryCode?: string | undefined }): Promise<SecondFactorOutcome> {
      try {
        await failures.consume(String(userId));
      } catch (limited) {
        if (!(limited instanceof RateLimiterRes)) throw limited;
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(limited.msBeforeNext / 1000)) };
      }
      if (input.code && (await services.totp.verifyCode(userId, input.code))) {
        await failures.delete(String(userId));
        return { ok: true, method: 'totp' };
      }
      if (input.recoveryCode && (await services.recoveryCodes.use(userId, input.recoveryCode))) {
        await failures.delete(String(userId));
        return { ok: true, method: 'recoveryCode' };
      }
      return { ok: false, retryAfterSeconds: 0 };
    },
  };
}
