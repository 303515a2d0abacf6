import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { localRedirectTarget } from '../lib/local-redirect.ts';
import { isTimeZone } from '../lib/timezones.ts';
import type { CookieNames } from '../web/cookies.ts';
import { setFlash } from '../web/flash.ts';
import { formLevel, parseForm, type FieldErrors } from '../web/form.ts';
import { clearSessionCookie, clientDetails, setSessionCookie } from '../web/session.ts';
import type { Language } from '../lib/languages.ts';
import type { Db } from '../db/client.ts';
import { loginForm, signupForm } from './forms.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from './password-hashing.ts';
import { findPasswordProblem } from './password-policy.ts';
import type { SessionStore } from './sessions.ts';
import { EmailTakenError, type UserDirectory } from './users.ts';

export interface AuthRouteOptions {
  users: UserDirectory;
  sessions: SessionStore;
  loginLimiter: LoginLimiter;
  cookies: CookieNames;
  secure: boolean;
  /** Sets up what other parts of Dials keep per person, inside the sign-up transaction. */
  onUserCreated: (tx: Db, userId: number, context: { language: Language; timeZone: string }) => void;
}

const homePath = '/settings/account';

export async function registerAuthRoutes(app: FastifyInstance, options: AuthRouteOptions): Promise<void> {
  const cookieOptions = { cookies: options.cookies, secure: options.secure };

  /** A new session id at every log-in: whatever session the browser had before is ended. */
  const startSession = (request: FastifyRequest, reply: FastifyReply, userId: number) => {
    if (request.viewer) options.sessions.invalidate(request.viewer.session.id);
    const { token, session } = options.sessions.create(userId, clientDetails(request));
    setSessionCookie(reply, cookieOptions, token, session.expiresAt);
  };

  app.get('/', async (request, reply) => reply.redirect(request.viewer ? homePath : '/login'));

  app.get('/signup', async (request, reply) => {
    if (request.viewer) return reply.redirect(homePath);
    return reply.page('auth/signup', { values: {}, errors: {} });
  });

  app.post('/signup', { config: { rateLimit: { max: 20, timeWindow: '1 hour' } } }, async (request, reply) => {
    if (request.viewer) return reply.redirect(homePath, 303);
    const parsed = parseForm(signupForm, request.body);
    const values = pickStrings(request.body, ['name', 'email']);
    if (!parsed.ok) return reply.page('auth/signup', { values, errors: parsed.errors }, 422);
    const { name, email, password } = parsed.data;
    const problem = findPasswordProblem(password, { email, name });
    if (problem) {
      return reply.page('auth/signup', { values, errors: { password: { key: `errors.password.${problem}` } } }, 422);
    }
    const timeZone = parsed.data.timezone && isTimeZone(parsed.data.timezone) ? parsed.data.timezone : 'UTC';
    const passwordHash = await hashPassword(password);
    let userId: number;
    try {
      userId = options.users.create({ email, name, passwordHash }, (tx, id) =>
        options.onUserCreated(tx, id, { language: request.language, timeZone }),
      ).id;
    } catch (error) {
      if (!(error instanceof EmailTakenError)) throw error;
      return reply.page('auth/signup', { values, errors: { email: { key: 'errors.email.taken' } } }, 422);
    }
    startSession(request, reply, userId);
    setFlash(reply, options.cookies, options.secure, { kind: 'success', messageKey: 'flash.welcome' });
    return reply.redirect(homePath, 303);
  });

  app.get('/login', async (request, reply) => {
    const next = localRedirectTarget((request.query as Record<string, unknown>).next, homePath);
    if (request.viewer) return reply.redirect(next);
    return reply.page('auth/login', { values: { next }, errors: {} });
  });

  app.post('/login', async (request, reply) => {
    const parsed = parseForm(loginForm, request.body);
    const values = pickStrings(request.body, ['email', 'next']);
    if (!parsed.ok) return reply.page('auth/login', { values, errors: parsed.errors }, 422);
    const { email, password } = parsed.data;

    const waitSeconds = await options.loginLimiter.retryAfterSeconds(email, request.ip);
    if (waitSeconds > 0) {
      const errors: FieldErrors = { [formLevel]: { key: 'errors.login.tooManyAttempts', values: { count: Math.ceil(waitSeconds / 60) } } };
      return reply.header('retry-after', String(waitSeconds)).page('auth/login', { values, errors }, 429);
    }

    const account = options.users.findForLogin(email);
    const passwordMatches = account ? await verifyPassword(account.passwordHash, password) : await verifyAgainstDecoy(password);
    if (!account || !passwordMatches) {
      await options.loginLimiter.recordFailure(email, request.ip);
      request.log.info({ event: 'login.failed' }, 'log-in failed');
      return reply.page('auth/login', { values, errors: { [formLevel]: { key: 'errors.login.failed' } } }, 401);
    }
    await options.loginLimiter.recordSuccess(email);
    startSession(request, reply, account.id);
    return reply.redirect(localRedirectTarget(parsed.data.next, homePath), 303);
  });

  app.post('/logout', async (request, reply) => {
    if (request.viewer) options.sessions.invalidate(request.viewer.session.id);
    clearSessionCookie(reply, cookieOptions);
    setFlash(reply, options.cookies, options.secure, { kind: 'info', messageKey: 'flash.signedOut' });
    return reply.redirect('/login', 303);
  });
}

/** The text a person typed, to put back in the form; never the password. */
function pickStrings(body: unknown, fields: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  if (!body || typeof body !== 'object') return values;
  for (const field of fields) {
    const value = (body as Record<string, unknown>)[field];
    if (typeof value === 'string') values[field] = value.slice(0, 300);
  }
  return values;
}
