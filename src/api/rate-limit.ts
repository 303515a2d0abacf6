import type { FastifyReply } from 'fastify';
import type { Db } from '../db/client.ts';
import { createWindowCounter } from '../db/rate-limiter.ts';
import { createMemoryWindowCounter, type WindowCount } from '../lib/window-counter.ts';

/** Counts one call against a limit and writes where it stands into the answer's headers. */
export type ApiRateLimit = (key: string, reply: FastifyReply) => Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }>;
export type KeyRateLimit = ApiRateLimit;

/** Refused calls (no key, or one that does not hold) per client address and minute. */
export const refusedCallsPerMinute = 60;

/**
 * A limit per minute counted in the database. Every answer it counts says where it stands, in
 * the IETF RateLimit header fields: `RateLimit-Policy: "key";q=600;w=60` (the quota per window
 * of seconds) and `RateLimit: "key";r=42;t=17` (what remains, and the seconds until the window starts over).
 */
function createWindowLimit(count: (key: string) => WindowCount | Promise<WindowCount>, options: { policy: string; perMinute: number }): ApiRateLimit {
  const policy = `"${options.policy}";q=${options.perMinute};w=60`;
  return async (key, reply) => {
    reply.header('ratelimit-policy', policy);
    const counted = await count(key);
    const seconds = Math.max(1, Math.ceil(counted.msBeforeNext / 1000));
    reply.header('ratelimit', `"${options.policy}";r=${counted.remaining};t=${seconds}`);
    if (counted.allowed) return { ok: true };
    reply.header('retry-after', String(seconds));
    return { ok: false, retryAfterSeconds: seconds };
  };
}

/**
 * Calls per key and minute, counted in memory: a limit on load, not on guessing (only a key that
 * holds is counted), and counting it in the database was a write on every call, a third of an
 * API call's time.
 */
export function createKeyRateLimit(perMinute: number): KeyRateLimit {
  const counter = createMemoryWindowCounter({ points: perMinute, durationMs: 60_000 });
  return createWindowLimit((key) => counter.consume(key), { policy: 'key', perMinute });
}

/** Refused calls per client address and minute, so keys cannot be tried at the speed of the network. */
export function createRefusalRateLimit(db: Db, perMinute = refusedCallsPerMinute): ApiRateLimit {
  const counter = createWindowCounter(db, { keyPrefix: 'api-refused', points: perMinute, durationSeconds: 60 });
  return createWindowLimit((key) => counter.consume(key), { policy: 'refused', perMinute });
}
