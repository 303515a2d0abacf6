import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { localRedirectTarget } from '../lib/local-redirect.ts';
import { baseCookieOptions } from '../web/cookies.ts';
import type { Flash } from '../web/flash.ts';
import { formLevel, parseForm, pickStrings, type FieldErrors } from '../web/form.ts';
import { homePath } from '../web/navigation.ts';
import { clearSessionCookie, clientDetails } from '../web/session.ts';
import { loginForm, secondFactorForm } from './forms.ts';
import { verifyAgainstDecoy, verifyPassword } from './password-hashing.ts';
import type { AuthRouteOptions } from './route-options.ts';
import { startSession } from './start-session.ts';

function tooManyAttempts(seconds: number): FieldErrors {
  return { [formLevel]: { key: 'errors.login.tooManyAttempts', values: { count: Math.max(1, Math.ceil(seconds / 60)) } } };
}

export function registerLoginRoutes(app: FastifyInstance, options: AuthRouteOptions): void {
  const challengeCookie = options.cookies.loginChallenge;
  const cookieOptions = baseCookieOptions(options.secure);

  const finishLogIn = async (request: FastifyRequest, reply: FastifyReply, userId: number, next: string, flash?: Flash) => {
    await startSession(request, reply, options, userId);
    await options.securityLog.record(userId, 'login.succeeded', clientDetails(request));
    const target = localRedirectTarget(next, homePath);
    return flash ? reply.redirectWithFlash(target, flash) : reply.redirect(target, 303);
  };

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

    const waitSeconds = await options.loginLimiter.attempt(email, request.ip);
    if (waitSeconds > 0) {
      return reply.header('retry-after', String(waitSeconds)).page('auth/login', { values, errors: tooManyAttempts(waitSeconds) }, 429);
    }

    const account = await options.users.findForLogin(email);
    const passwordMatches = account ? await verifyPassword(account.passwordHash, password) : await verifyAgainstDecoy(password);
    // An unfinished sign-up answers like a wrong password, so log-in cannot tell which addresses sign-up found taken.
    if (!account || !passwordMatches || !account.activatedAt) {
      if (account) await options.securityLog.record(account.id, 'login.failed', clientDetails(request));
      return reply.page('auth/login', { values, errors: { [formLevel]: { key: 'errors.login.failed' } } }, 401);
    }
    await options.loginLimiter.recordSuccess(email, request.ip);
    // The password may have changed while it was being checked: then this one opens nothing.
    if (!(await options.users.passwordUnchanged(account.id, account.passwordHash))) {
      return reply.page('auth/login', { values, errors: { [formLevel]: { key: 'errors.login.failed' } } }, 401);
    }
    const next = localRedirectTarget(parsed.data.next, homePath);
    if (!(await options.secondFactor.isEnrolled(account.id))) return finishLogIn(request, reply, account.id, next);

    // The password was right; the session starts only after the second factor.
    const challenge = await options.loginChallenges.create(account.id, next);
    reply.setCookie(challengeCookie, challenge.token, { ...cookieOptions, expires: challenge.expiresAt });
    return reply.redirect('/login/two-factor', 303);
  });

  const challengeOf = async (request: FastifyRequest) => {
    const token = request.cookies[challengeCookie];
    const challenge = token ? await options.loginChallenges.find(token) : null;
    return token && challenge ? { token, ...challenge } : null;
  };

  const expired = (reply: FastifyReply) => {
    reply.clearCookie(challengeCookie, cookieOptions);
    return reply.redirectWithFlash('/login', { kind: 'info', messageKey: 'flash.loginStepExpired' });
  };

  app.get('/login/two-factor', async (request, reply) => {
    if (!(await challengeOf(request))) return expired(reply);
    return reply.page('auth/two-factor', { errors: {} });
  });

  app.post('/login/two-factor', async (request, reply) => {
    const challenge = await challengeOf(request);
    if (!challenge) return expired(reply);
    const parsed = parseForm(secondFactorForm, request.body);
    if (!parsed.ok) return reply.page('auth/two-factor', { errors: parsed.errors }, 422);
    if (!parsed.data.code && !parsed.data.recoveryCode) {
      return reply.page('auth/two-factor', { errors: { code: { key: 'errors.twoFactor.codeRequired' } } }, 422);
    }
    const outcome = await options.secondFactor.verify(challenge.userId, parsed.data);
    if (!outcome.ok) {
      if (outcome.retryAfterSeconds > 0) {
        return reply.header('retry-after', String(outcome.retryAfterSeconds)).page('auth/two-factor', { errors: tooManyAttempts(outcome.retryAfterSeconds) }, 429);
      }
      await options.securityLog.record(challenge.userId, 'login.secondFactorFailed', clientDetails(request));
      const field = parsed.data.recoveryCode ? 'recoveryCode' : 'code';
      return reply.page('auth/two-factor', { errors: { [field]: { key: `errors.twoFactor.${field === 'code' ? 'wrongCode' : 'wrongRecoveryCode'}` } } }, 401);
    }
    // Only one request finishes a challenge, however many passed the checks at once.
    if (!(await options.loginChallenges.consume(challenge.token))) return expired(reply);
    reply.clearCookie(challengeCookie, cookieOptions);
    const recovered = outcome.method === 'recoveryCode';
    if (recovered) await options.securityLog.record(challenge.userId, 'recoveryCode.used', clientDetails(request));
    return finishLogIn(request, reply, challenge.userId, challenge.next, recovered ? { kind: 'info', messageKey: 'flash.recoveryCodeUsed' } : undefined);
  });

  app.post('/logout', async (request, reply) => {
    if (request.viewer) await options.sessions.invalidate(request.viewer.session.id);
    clearSessionCookie(reply, options);
    return reply.redirectWithFlash('/login', { kind: 'info', messageKey: 'flash.signedOut' });
  });
}
