import type { FastifyRequest } from 'fastify';
import type { ApiKeyActor } from '../lib/actor.ts';
import { isApiRequest } from './api-paths.ts';
import type { Authenticator } from './session.ts';

/** Why a request that sent a key is not authenticated: not a Dials key, or one that does not hold (told apart to no one). */
export type KeyRefusal = 'malformed' | 'rejected';

export type KeyCheck = { ok: true; actor: ApiKeyActor } | { ok: false; reason: KeyRefusal };

/**
 * The key a request sends: `Authorization: Bearer <key>`, or HTTP Basic with the key as the
 * password (any user name), for tools that speak only Basic. Undefined when there is no such header;
 * '' when the header is there but holds nothing usable.
 */
export function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const [scheme, value, extra] = header.trim().split(/\s+/);
  if (!scheme || !value || extra !== undefined) return '';
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() !== 'basic' || value.length > 512) return '';
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? '' : decoded.slice(colon + 1);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set when the request sent a key that did not authenticate it. */
    keyRefusal: KeyRefusal | null;
  }
}

/** The API key: acts for the key's owner with its scopes, on API paths only; never shows pages. */
export function apiKeyAuthenticator(options: { check: (key: string) => Promise<KeyCheck> }): Authenticator {
  return {
    name: 'apiKey',
    handles: isApiRequest,
    async authenticate(request) {
      const key = presentedKey(request);
      if (key === undefined) return null;
      const checked = key.length > 0 && key.length <= 200 ? await options.check(key) : ({ ok: false, reason: 'malformed' } as const);
      if (!checked.ok) {
        request.keyRefusal = checked.reason;
        return null;
      }
      return { actor: checked.actor, viewer: null };
    },
  };
}
