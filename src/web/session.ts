import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sessionActor, type Actor, type ClientDetails } from '../lib/actor.ts';
import { languageFromAcceptHeader } from '../lib/languages.ts';
import { isApiRequest } from './api-paths.ts';
import { baseCookieOptions, type CookieNames } from './cookies.ts';
import { translatorFor } from './i18n.ts';
import type { Viewer, ViewerPreferences } from './viewer.ts';

/** Who a request acts for, and, when its caller sees pages, what those pages show of them. */
export interface Authentication {
  actor: Actor;
  /** Given by authenticators whose callers see pages (the session cookie); null for keys. */
  viewer: Omit<Viewer, 'preferences'> | null;
}

/**
 * One way of proving who a request comes from (the session cookie; a Bearer key later). It
 * answers null when the request does not carry its kind of proof, or carries a proof that
 * no longer holds; the session layer then asks the next one.
 */
export interface Authenticator {
  readonly name: string;
  /** The requests it is asked about; all when not given. */
  handles?: (request: FastifyRequest) => boolean;
  authenticate(request: FastifyRequest, reply: FastifyReply): Authentication | null | Promise<Authentication | null>;
}

export interface SessionLayerOptions {
  /** Asked in order; the first that recognises the request decides who it acts for. */
  authenticators: readonly Authenticator[];
  /** May answer at once or with a Promise (a driver that is asynchronous costs synchronous ones nothing). */
  loadPreferences: (userId: number) => ViewerPreferences | Promise<ViewerPreferences>;
}

export function clientDetails(request: FastifyRequest): ClientDetails {
  return { ipAddress: request.ip, userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512) };
}

type SessionFound = Omit<Viewer, 'preferences'>;

/** The session cookie: a live session acts for its user (and shows pages to them); a dead one's cookie is cleared. */
export function sessionCookieAuthenticator(options: {
  cookies: CookieNames;
  secure: boolean;
  validate: (token: string, client: ClientDetails) => SessionFound | null | Promise<SessionFound | null>;
}): Authenticator {
  const resolved = (found: SessionFound | null, reply: FastifyReply): Authentication | null => {
    if (!found) {
      reply.clearCookie(options.cookies.session, baseCookieOptions(options.secure));
      return null;
    }
    return { actor: sessionActor(found.user.id, found.session), viewer: found };
  };
  return {
    name: 'session',
    // The API is never reached with a cookie: a page's session cannot be ridden into it.
    handles: (request) => !isApiRequest(request),
    authenticate(request, reply) {
      const token = request.cookies[options.cookies.session];
      if (!token) return null;
      const found = token.length <= 64 ? options.validate(token, clientDetails(request)) : null;
      return found instanceof Promise ? found.then((value) => resolved(value, reply)) : resolved(found, reply);
    },
  };
}

/**
 * Resolves every request into request.actor (who it acts for) with the authenticators, builds
 * request.viewer for pages, and picks the language every string is shown in.
 */
function pickLanguage(request: FastifyRequest): void {
  request.language = request.viewer?.preferences.language ?? languageFromAcceptHeader(request.headers['accept-language']);
  request.t = translatorFor(request.language);
}

export function registerSessionLayer(app: FastifyInstance, options: SessionLayerOptions): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('viewer', null);
  app.decorateRequest('language', 'en');
  app.decorateRequest('t', null as never);
  app.decorateRequest('keyRefusal', null);

  const settle = (request: FastifyRequest, found: Authentication): Promise<void> | undefined => {
    request.actor = found.actor;
    const viewer = found.viewer;
    if (viewer) {
      const preferences = options.loadPreferences(viewer.user.id);
      if (preferences instanceof Promise) {
        return preferences.then((loaded) => {
          request.viewer = { ...viewer, preferences: loaded };
          pickLanguage(request);
        });
      }
      request.viewer = { ...viewer, preferences };
    }
    pickLanguage(request);
    return undefined;
  };
  /** Asks the authenticators from `first` on; a Promise only when one of them has to wait. */
  const resolveFrom = (request: FastifyRequest, reply: FastifyReply, first: number): Promise<void> | undefined => {
    for (const [index, authenticator] of options.authenticators.entries()) {
      if (index < first || (authenticator.handles && !authenticator.handles(request))) continue;
      const found = authenticator.authenticate(request, reply);
      if (found instanceof Promise) return found.then((value) => (value ? settle(request, value) : resolveFrom(request, reply, index + 1)));
      if (found) return settle(request, found);
    }
    pickLanguage(request);
    return undefined;
  };
  // A callback hook: a request without credentials (assets, log-in pages) passes without a Promise made for it.
  app.addHook('onRequest', (request, reply, done) => {
    let pending: Promise<void> | undefined;
    try {
      pending = resolveFrom(request, reply, 0);
    } catch (error) {
      return done(error as Error);
    }
    if (pending) pending.then(() => done(), done);
    else done();
  });
}

export function setSessionCookie(reply: FastifyReply, options: { cookies: CookieNames; secure: boolean }, token: string, expiresAt: Date): void {
  reply.setCookie(options.cookies.session, token, { ...baseCookieOptions(options.secure), expires: expiresAt });
}

export function clearSessionCookie(reply: FastifyReply, options: { cookies: CookieNames; secure: boolean }): void {
  reply.clearCookie(options.cookies.session, baseCookieOptions(options.secure));
}
