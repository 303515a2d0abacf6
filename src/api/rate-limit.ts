import type { FastifyReply } from 'fastify';
import type { Db } from '../db/client.ts';
import { createWindowCounter } from '../db/rate-limiter.ts';

export type KeyRateLimit = (keyId: string, reply: FastifyReply) => Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }>;

/**
 * Calls per key and minute, counted in the database. Every answer to a key says where it stands,
 * in the IETF RateLimit header fields: `RateLimit-Policy: "key";q=600;w=60` (the quota per window
 * of seconds) and `RateLimit: "key";r=42;t=17` (what remains, and the seconds until the window starts over).
 */
export function createKeyRateLimit(db: Db, perMinute: number): KeyRateLimit {
  const counter = createWindowCounter(db, { keyPrefix: 'api-key', points: perMinute, durationSeconds: 60 });
  const policy = `"key";q=${perMinute};w=60`;
  return async (keyId, reply) => {
    reply.header('ratelimit-policy', policy);
    const counted = await counter.consume(keyId);
    const seconds = Math.max(1, Math.ceil(counted.msBeforeNext / 1000));
    reply.header('ratelimit', `"key";r=${counted.remaining};t=${seconds}`);
    if (counted.allowed) return { ok: true };
    reply.header('retry-after', String(seconds));
    return { ok: false, retryAfterSeconds: seconds };
  };
}
