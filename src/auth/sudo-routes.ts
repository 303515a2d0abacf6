import type { FastifyInstance } from 'fastify';
import { localRedirectTarget } from '../lib/local-redirect.ts';
import { formLevel, parseForm, type FieldErrors } from '../web/form.ts';
import { requireViewer, viewerOf } from '../web/guards.ts';
import { clientDetails } from '../web/session.ts';
import { sudoForm } from './forms.ts';
import { verifyPassword } from './password-hashing.ts';
import { homePath, startSession, type AuthRouteOptions } from './routes.ts';

/** "Confirm access": the password again (and the second factor when enrolled) before a sensitive action. */
export function registerSudoRoutes(app: FastifyInstance, options: AuthRouteOptions): void {
  const sudoMinutes = Math.round(options.sudoWindowMs / 60_000);
  const render = (enrolled: boolean, next: string, errors: FieldErrors) => ({ enrolled, values: { next }, errors, sudoMinutes });

  app.get('/sudo', { preHandler: requireViewer }, async (request, reply) => {
    const viewer = viewerOf(request);
    const next = localRedirectTarget((request.query as Record<string, unknown>).next, homePath);
    return reply.page('auth/sudo', render(options.secondFactor.isEnrolled(viewer.user.id), next, {}));
  });

  app.post('/sudo', { preHandler: requireViewer }, async (request, reply) => {
    const viewer = viewerOf(request);
    const enrolled = options.secondFactor.isEnrolled(viewer.user.id);
    const parsed = parseForm(sudoForm, request.body);
    const rawNext = (request.body as Record<string, unknown> | undefined)?.next;
    const next = localRedirectTarget(parsed.ok ? parsed.data.next : rawNext, homePath);
    if (!parsed.ok) return reply.page('auth/sudo', render(enrolled, next, parsed.errors), 422);

    const credentials = options.users.credentialsOf(viewer.user.id);
    if (!credentials) return reply.redirect('/login', 303);
    const waitSeconds = await options.loginLimiter.attempt(credentials.email, request.ip);
    if (waitSeconds > 0) {
      const errors = { [formLevel]: { key: 'errors.login.tooManyAttempts', values: { count: Math.ceil(waitSeconds / 60) } } };
      return reply.header('retry-after', String(waitSeconds)).page('auth/sudo', render(enrolled, next, errors), 429);
    }
    if (!(await verifyPassword(credentials.passwordHash, parsed.data.password))) {
      options.securityLog.record(viewer.user.id, 'login.failed', clientDetails(request));
      return reply.page('auth/sudo', render(enrolled, next, { password: { key: 'errors.sudo.wrongPassword' } }), 401);
    }
    if (enrolled) {
      if (!parsed.data.code && !parsed.data.recoveryCode) {
        return reply.page('auth/sudo', render(enrolled, next, { code: { key: 'errors.twoFactor.codeRequired' } }), 422);
      }
      const outcome = await options.secondFactor.verify(viewer.user.id, parsed.data);
      if (!outcome.ok) {
        if (outcome.retryAfterSeconds > 0) {
          const errors = { [formLevel]: { key: 'errors.login.tooManyAttempts', values: { count: Math.ceil(outcome.retryAfterSeconds / 60) } } };
          return reply.header('retry-after', String(outcome.retryAfterSeconds)).page('auth/sudo', render(enrolled, next, errors), 429);
        }
        options.securityLog.record(viewer.user.id, 'login.secondFactorFailed', clientDetails(request));
        const field = parsed.data.recoveryCode ? 'recoveryCode' : 'code';
        return reply.page('auth/sudo', render(enrolled, next, { [field]: { key: `errors.twoFactor.${field === 'code' ? 'wrongCode' : 'wrongRecoveryCode'}` } }), 401);
      }
      if (outcome.method === 'recoveryCode') options.securityLog.record(viewer.user.id, 'recoveryCode.used', clientDetails(request));
    }
    await options.loginLimiter.recordSuccess(credentials.email, request.ip);
    // The password or the session may have changed while the password was being checked.
    if (!options.users.passwordUnchanged(viewer.user.id, credentials.passwordHash) || !options.sessions.exists(viewer.session.id)) {
      return reply.redirect('/login', 303);
    }
    startSession(request, reply, options, viewer.user.id);
    options.securityLog.record(viewer.user.id, 'sudo.confirmed', clientDetails(request));
    return reply.redirect(next, 303);
  });
}
