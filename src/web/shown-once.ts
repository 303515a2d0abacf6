import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SecretBox } from '../lib/instance-keys.ts';
import { baseCookieOptions } from './cookies.ts';

export type ShownOnce = ReturnType<typeof createShownOnce>;

/** How long a secret waits for the page that shows it. */
const lifetimeMs = 10 * 60 * 1000;

/**
 * Carries a secret that must be shown exactly once (new recovery codes) from the POST that made
 * it to the page the POST redirects to, so a reload never sends the form again. The secret
 * travels in a cookie sealed with a key of the instance (never in a URL, never in the database),
 * only to the one path that shows it, bound to the session that made it; reading it clears it.
 */
export function createShownOnce(options: { box: SecretBox; secure: boolean; now: () => number; path: string }) {
  // The __Host- prefix would need Path=/; __Secure- allows a narrower path.
  const name = options.secure ? '__Secure-dials_shown_once' : 'dials_shown_once';
  const cookieOptions = { ...baseCookieOptions(options.secure), path: options.path, sameSite: 'strict' as const };

  return {
    put(reply: FastifyReply, sessionId: string, value: unknown): void {
      const sealed = options.box.seal(JSON.stringify({ sessionId, expiresAt: options.now() + lifetimeMs, value }));
      reply.setCookie(name, sealed, { ...cookieOptions, maxAge: lifetimeMs / 1000 });
    },

    /** The value put for this session, once; null when there is none, it has expired, or it belongs to another session. */
    take(request: FastifyRequest, reply: FastifyReply, sessionId: string): unknown {
      const sealed = request.cookies[name];
      if (!sealed) return null;
      reply.clearCookie(name, cookieOptions);
      try {
        const opened = JSON.parse(options.box.open(sealed)) as { sessionId?: unknown; expiresAt?: unknown; value?: unknown };
        if (opened.sessionId !== sessionId || typeof opened.expiresAt !== 'number' || opened.expiresAt <= options.now()) return null;
        return opened.value ?? null;
      } catch {
        return null;
      }
    },
  };
}
