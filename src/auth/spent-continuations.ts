import { RateLimiterRes } from '../db/rate-limiter.ts';
import type { Db } from '../db/client.ts';
import { createRateLimiter } from '../db/rate-limiter.ts';
import { continuationLifetimeMs, type SpentContinuations } from './sudo-continuation.ts';

/**
 * Kept forms already carried out, in the database (the rate-limit table: one point per id, kept as
 * long as a kept form lives), so that neither a restart nor a second process carries one out twice.
 */
export function createSpentContinuations(db: Db): SpentContinuations {
  const store = createRateLimiter(db, { keyPrefix: 'sudo-continuation-spent', points: 1, durationSeconds: Math.ceil(continuationLifetimeMs / 1000) });
  return {
    async spend(id) {
      try {
        await store.consume(id);
        return true;
      } catch (refused) {
        if (refused instanceof RateLimiterRes) return false;
        throw refused;
      }
    },
    async isSpent(id) {
      const used = await store.get(id);
      return used !== null && used.consumedPoints >= 1;
    },
  };
}
