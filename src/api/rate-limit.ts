import type { FastifyReply } from 'fastify';
import type { Db } from '../db/client.ts';
import { createRateLimiter } from '../db/rate-limiter.ts';

export type KeyRateLimit = (keyId: string, reply: FastifyReply) => Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }>;

function isLimiterAnswer(value: unknown): value is { remainingPoints: number; msBeforeNext: number } {
  return typeof value === 'object' && value !== null && 'msBeforeNext' in value && !(value instanceof Error);
}

/**
 * Calls per key and minute, counted in the database. Every answer to a key says where it stands,
 * in the IETF RateLimit header fields: `RateLimit-Policy: "key";q=600;w=60` (the quota per window
 * of seconds) and `RateLimit: "key";r=42;t=17` (what remains, and the seconds until the window starts over).
 */
export function createKeyRateLimit(db: Db, perMinute: number): KeyRateLimit {
  const limiter = createRateLimiter(db, { keyPrefix: 'api-key', points: perMinute, durationSeconds: 60 });
  const policy = `"key";q=${perMinute};w=60`;
  return async (keyId, reply) => {
    reply.header('ratelimit-policy', policy);
    try {
      const counted = await limiter.consume(keyId);
      reply.header('ratelimit', `"key";r=${counted.remainingPoints};t=${Math.ceil(counted.msBeforeNext / 1000)}`);
      return { ok: true };
    } catch (refusal) {
      if (!isLimiterAnswer(refusal)) throw refusal;
      const retryAfterSeconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      reply.header('ratelimit', `"key";r=0;t=${retryAfterSeconds}`).header('retry-after', String(retryAfterSeconds));
      return { ok: false, retryAfterSeconds };
    }
  };
}
