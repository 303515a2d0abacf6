import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isApiRequest } from './api-paths.ts';
import { baseCookieOptions, type CookieNames } from './cookies.ts';
import { loginPathFor } from './login-path.ts';
import { wantsBlock } from './render.ts';
import { answerSignedOutBlock } from './signed-out.ts';

export interface CsrfOptions {
  secret: Buffer;
  cookies: CookieNames;
  secure: boolean;
  /** Origins whose forms may post here besides the request's own host (the configured public URL). */
  trustedOrigins: string[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set to false only for routes authenticated without cookies (API keys). */
    csrf?: boolean;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
// Tokens say whom they were made for, so a form from a page whose session has since ended can be
// told apart from an expired anonymous form: the person is told they were logged out.
const sessionPrefix = 's.';
const anonymousPrefix = 'a.';

export class CsrfError extends Error {
  readonly statusCode = 403;
  readonly reason: 'crossSite' | 'missingToken' | 'badToken';
  constructor(reason: 'crossSite' | 'missingToken' | 'badToken') {
    super(`CSRF check failed: ${reason}`);
    this.reason = reason;
  }
}

/**
 * Synchroniser tokens bound to the session: the token is an HMAC of the session id (or, before
 * log-in, of a random cookie), so a token taken from one session is worthless in another.
 */
async function answerSignedOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const loginPath = loginPathFor(request);
  if (wantsBlock(request)) await answerSignedOutBlock(reply, loginPath);
  else if (request.headers['hx-request'] === 'true') await reply.header('hx-redirect', loginPath).code(401).send();
  else await reply.redirectWithFlash(loginPath, { kind: 'info', messageKey: 'signedOut.flash' });
}

export function registerCsrfProtection(app: FastifyInstance, options: CsrfOptions): { tokenFor: (request: FastifyRequest, reply: FastifyReply) => string } {
  // A KeyObject made once: passing the raw Buffer makes Node import the key on every HMAC.
  const key = crypto.createSecretKey(options.secret);
  const sign = (binding: string) => crypto.createHmac('sha256', key).update(`csrf|${binding}`).digest('base64url');

  // A session's token never changes, so its HMAC is made once, not on every request (bounded, as sessions come and go).
  const sessionTokens = new Map<string, string>();
  const expectedToken = (request: FastifyRequest): string | null => {
    if (request.viewer) {
      const sessionId = request.viewer.session.id;
      const remembered = sessionTokens.get(sessionId);
      if (remembered !== undefined) return remembered;
      const made = sessionPrefix + sign(`session|${sessionId}`);
      if (sessionTokens.size >= 10_000) sessionTokens.clear();
      sessionTokens.set(sessionId, made);
      return made;
    }
    const anonymous = request.cookies[options.cookies.csrf];
    return anonymous ? anonymousPrefix + sign(`anonymous|${anonymous}`) : null;
  };

  const tokenFor = (request: FastifyRequest, reply: FastifyReply): string => {
    const existing = expectedToken(request);
    if (existing) return existing;
    const binding = crypto.randomBytes(18).toString('base64url');
    reply.setCookie(options.cookies.csrf, binding, baseCookieOptions(options.secure));
    request.cookies[options.cookies.csrf] = binding;
    return anonymousPrefix + sign(`anonymous|${binding}`);
  };

  /** Throws a CsrfError when the request is refused; a Promise when it was answered (signed out meanwhile). */
  const checkUnsafe = (request: FastifyRequest, reply: FastifyReply): Promise<unknown> | undefined => {
    const fetchSite = request.headers['sec-fetch-site'];
    if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') throw new CsrfError('crossSite');
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `${request.protocol}://${request.host}` && !options.trustedOrigins.includes(origin)) {
      throw new CsrfError('crossSite');
    }
    const body = request.body as Record<string, unknown> | undefined;
    const sent = request.headers['x-csrf-token'] ?? (body && typeof body === 'object' ? body._csrf : undefined);
    if (!request.viewer && typeof sent === 'string' && sent.startsWith(sessionPrefix)) {
      // Nothing is done for someone not logged in, so nothing is at risk in saying what happened.
      return answerSignedOut(request, reply);
    }
    const expected = expectedToken(request);
    if (typeof sent !== 'string' || expected === null) throw new CsrfError('missingToken');
    const a = Buffer.from(sent);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) throw new CsrfError('badToken');
    if (body && typeof body === 'object') delete body._csrf;
    return undefined;
  };
  // A callback hook: a page (GET) passes at once, without a Promise made for it.
  app.addHook('preHandler', (request, reply, done) => {
    // The API is reached with keys only, never with a cookie (the session layer ignores cookies
    // there), so there is no session a forged request could ride: no token is asked for.
    if (safeMethods.has(request.method) || request.routeOptions.config.csrf === false || isApiRequest(request)) return done();
    let answered: Promise<unknown> | undefined;
    try {
      answered = checkUnsafe(request, reply);
    } catch (error) {
      return done(error as Error);
    }
    if (answered) answered.then(() => done(), done);
    else done();
  });

  return { tokenFor };
}
