import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createChangeWatch, sameReading, type ChangeReading } from '../db/change-watch.ts';
import type { Db } from '../db/client.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers with `reply.heldPage`. */
    heldPage?: boolean;
  }
}

/** How long a kept page may be given again at most, for what it shows of the clock (a zone's current offset). */
export const heldPageMaxAgeMs = 60_000;

interface HeldPage {
  bytes: Buffer;
  changes: ChangeReading;
  at: number;
}

/**
 * Pages kept exactly as last sent to a session, given again while nothing at all has been written
 * to the database since (the rule of the held answers, src/db/change-watch.ts) and for at most a
 * minute. The key must name everything else the page shows: the session, the template and the
 * language. Only pages that read nothing but the database, the session and the clock may be held;
 * a page with a flash message or anything from the address is rendered as usual.
 */
export function createHeldPages(db: Db, now: () => number, atMost = 200) {
  const watchChanges = createChangeWatch(db);
  const held = new Map<string, HeldPage>();
  const readings = new WeakMap<FastifyRequest, ChangeReading | null>();
  return {
    /**
     * Takes the reading a route's page is kept under as its request arrives, before the session
     * layer reads who is asking: a write that lands after it makes the page not given again.
     * Call before the session layer registers its hooks.
     */
    register(app: FastifyInstance): void {
      app.addHook('onRequest', (request, _reply, done) => {
        if (request.routeOptions.config.heldPage === true) readings.set(request, watchChanges());
        done();
      });
    },
    /** The reading taken as `request` arrived; null when its page must not be kept. */
    readingOf(request: FastifyRequest): ChangeReading | null {
      return readings.get(request) ?? null;
    },
    /** The page kept under `key`, when nothing was written since and it is recent enough. */
    find(key: string): Buffer | undefined {
      const kept = held.get(key);
      if (kept === undefined) return undefined;
      const changes = watchChanges();
      const age = now() - kept.at;
      // A clock set back makes the age negative: not trusted either.
      if (changes !== null && sameReading(kept.changes, changes) && age >= 0 && age < heldPageMaxAgeMs) return kept.bytes;
      held.delete(key);
      return undefined;
    },
    /** Keeps a copy of `bytes` (a page's bytes may share memory with other pages) under the reading taken before its data was read. */
    keep(key: string, changes: ChangeReading, bytes: Buffer): void {
      // Written to since the request arrived (its session touched, say): it would never be given.
      const current = watchChanges();
      if (current === null || !sameReading(current, changes)) return;
      if (!held.has(key) && held.size >= atMost) held.delete(held.keys().next().value as string);
      held.set(key, { bytes: Buffer.from(bytes), changes, at: now() });
    },
  };
}

export type HeldPages = ReturnType<typeof createHeldPages>;
