import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { composeMail } from '../mail/compose.ts';
import { setFlash } from '../web/flash.ts';
import { formLevel, parseForm, type FieldErrors } from '../web/form.ts';
import { clearSessionCookie, clientDetails } from '../web/session.ts';
import type { EmailTokenGrant } from './email-tokens.ts';
import { confirmLinkForm, finishSignupForm, forgotPasswordForm, resetPasswordForm } from './forms.ts';
import { hashPassword, verifyPassword } from './password-hashing.ts';
import { findPasswordProblem } from './password-policy.ts';
import { homePath, startSession, type AuthRouteOptions } from './routes.ts';

const tokenPattern = /^[a-z2-7]{32}$/;

/**
 * Pages behind links sent by e-mail. Opening a link only shows a page; acting on it needs a
 * button press (a POST), so mail scanners that follow links change nothing.
 */
export function registerEmailLinkRoutes(app: FastifyInstance, options: AuthRouteOptions): void {
  const flash = (reply: FastifyReply, kind: 'success' | 'info' | 'error', messageKey: string) =>
    setFlash(reply, options.cookies, options.secure, { kind, messageKey });
  const tokenOf = (request: FastifyRequest) => {
    const token = (request.params as { token?: string }).token ?? '';
    return tokenPattern.test(token) ? token : '';
  };
  const linkGone = (reply: FastifyReply) =>
    reply.page('auth/link-gone', { titleKey: 'links.gone.title', messageKey: 'links.gone.message' }, 410);

  // E-mail verification.
  const renderVerify = (reply: FastifyReply, token: string, grant: EmailTokenGrant, errors: FieldErrors = {}, status = 200) => {
    const email = grant.emailId ? options.emailAddresses.find(grant.userId, grant.emailId) : undefined;
    return reply.page('auth/verify-email', { address: email?.address ?? '', token, asksPassword: grant.signsIn, errors }, status);
  };

  app.get('/verify-email/:token', async (request, reply) => {
    const grant = options.emailTokens.peek(tokenOf(request), 'verify-email');
    if (!grant) return linkGone(reply);
    return renderVerify(reply, tokenOf(request), grant);
  });

  app.post('/verify-email/:token', async (request, reply) => {
    const token = tokenOf(request);
    const grant = options.emailTokens.peek(token, 'verify-email');
    if (!grant || !grant.emailId) return linkGone(reply);
    if (grant.signsIn) {
      // Finishing a sign-up signs in, so it needs the password chosen at sign-up: a link mailed to
      // someone who never signed up cannot open an account someone else prepared for them.
      const parsed = parseForm(finishSignupForm, request.body);
      if (!parsed.ok) return renderVerify(reply, token, grant, parsed.errors, 422);
      const credentials = options.users.credentialsOf(grant.userId);
      if (!credentials) return linkGone(reply);
      const waitSeconds = await options.loginLimiter.attempt(credentials.email, request.ip);
      if (waitSeconds > 0) {
        const errors = { [formLevel]: { key: 'errors.login.tooManyAttempts', values: { count: Math.ceil(waitSeconds / 60) } } };
        return renderVerify(reply.header('retry-after', String(waitSeconds)), token, grant, errors, 429);
      }
      if (!(await verifyPassword(credentials.passwordHash, parsed.data.password))) {
        return renderVerify(reply, token, grant, { password: { key: 'errors.sudo.wrongPassword' } }, 401);
      }
      await options.loginLimiter.recordSuccess(credentials.email, request.ip);
    } else if (!parseForm(confirmLinkForm, request.body).ok) {
      return reply.page('errors/error', { titleKey: 'errors.badRequest.title', messageKey: 'errors.badRequest.message' }, 400);
    }
    const used = options.emailTokens.consume(token, 'verify-email');
    if (!used || !used.emailId) return linkGone(reply);
    options.emailAddresses.markVerified(used.userId, used.emailId);
    if (used.signsIn) options.users.activate(used.userId);
    options.securityLog.record(used.userId, 'email.verified', clientDetails(request));
    flash(reply, 'success', 'flash.emailVerified');
    if (request.viewer?.user.id === used.userId) return reply.redirect('/settings/emails', 303);
    // A sign-up link finishes the sign-up by signing in, but never past a second factor (rule 6).
    if (used.signsIn && !options.secondFactor.isEnrolled(used.userId)) {
      startSession(request, reply, options, used.userId);
      options.securityLog.record(used.userId, 'login.succeeded', clientDetails(request));
      return reply.redirect(homePath, 303);
    }
    return reply.redirect('/login', 303);
  });

  // Forgot password: the same answer for every address (rule 5).
  app.get('/forgot-password', async (request, reply) => reply.page('auth/forgot-password', { values: {}, errors: {} }));

  app.post('/forgot-password', { config: { rateLimit: { max: 10, timeWindow: '1 hour' } } }, async (request, reply) => {
    const parsed = parseForm(forgotPasswordForm, request.body);
    if (!parsed.ok) {
      const email = (request.body as Record<string, unknown> | undefined)?.email;
      return reply.page('auth/forgot-password', { values: { email: typeof email === 'string' ? email.slice(0, 254) : '' }, errors: parsed.errors }, 422);
    }
    const owner = options.emailAddresses.owner(parsed.data.email);
    // Only an address the person has proved (or their log-in address) can receive a reset link.
    if (owner && (owner.verified || owner.isPrimary)) {
      const recipient = options.recipientFor(owner.userId, parsed.data.email.trim().toLowerCase());
      const token = options.emailTokens.issue({ userId: owner.userId, purpose: 'reset-password', emailId: owner.emailId });
      if (recipient) {
        options.outbox.enqueue(
          composeMail(recipient, {
            kind: 'reset-password',
            key: 'resetPassword',
            paragraphs: ['intro', 'expiry', 'ignore'],
            action: { url: new URL(`/reset-password/${token}`, options.publicUrl).href },
          }),
        );
      }
    }
    flash(reply, 'info', 'flash.resetSent');
    return reply.redirect('/forgot-password', 303);
  });

  const renderReset = (reply: FastifyReply, token: string, userId: number, errors: FieldErrors, status = 200) =>
    reply.page('auth/reset-password', { token, enrolled: options.secondFactor.isEnrolled(userId), errors }, status);

  app.get('/reset-password/:token', async (request, reply) => {
    const grant = options.emailTokens.peek(tokenOf(request), 'reset-password');
    if (!grant) return linkGone(reply);
    return renderReset(reply, tokenOf(request), grant.userId, {});
  });

  app.post('/reset-password/:token', async (request, reply) => {
    const token = tokenOf(request);
    const grant = options.emailTokens.peek(token, 'reset-password');
    if (!grant) return linkGone(reply);
    const parsed = parseForm(resetPasswordForm, request.body);
    if (!parsed.ok) return renderReset(reply, token, grant.userId, parsed.errors, 422);
    const profile = options.users.profile(grant.userId);
    if (!profile) return linkGone(reply);
    const { newPassword, confirmPassword } = parsed.data;
    const problem = findPasswordProblem(newPassword, profile);
    if (problem) return renderReset(reply, token, grant.userId, { newPassword: { key: `errors.password.${problem}` } }, 422);
    if (newPassword !== confirmPassword) return renderReset(reply, token, grant.userId, { confirmPassword: { key: 'errors.password.mismatch' } }, 422);

    // A reset link replaces the password, never the second factor (rule 6).
    if (options.secondFactor.isEnrolled(grant.userId)) {
      if (!parsed.data.code && !parsed.data.recoveryCode) return renderReset(reply, token, grant.userId, { code: { key: 'errors.twoFactor.codeRequired' } }, 422);
      const outcome = await options.secondFactor.verify(grant.userId, parsed.data);
      if (!outcome.ok) {
        if (outcome.retryAfterSeconds > 0) {
          const errors = { [formLevel]: { key: 'errors.login.tooManyAttempts', values: { count: Math.ceil(outcome.retryAfterSeconds / 60) } } };
          return renderReset(reply.header('retry-after', String(outcome.retryAfterSeconds)), token, grant.userId, errors, 429);
        }
        options.securityLog.record(grant.userId, 'login.secondFactorFailed', clientDetails(request));
        const field = parsed.data.recoveryCode ? 'recoveryCode' : 'code';
        return renderReset(reply, token, grant.userId, { [field]: { key: `errors.twoFactor.${field === 'code' ? 'wrongCode' : 'wrongRecoveryCode'}` } }, 401);
      }
      if (outcome.method === 'recoveryCode') options.securityLog.record(grant.userId, 'recoveryCode.used', clientDetails(request));
    }
    if (!options.emailTokens.consume(token, 'reset-password')) return linkGone(reply);
    options.users.setPasswordHash(grant.userId, await hashPassword(newPassword));
    options.emailTokens.voidAll(grant.userId, 'reset-password');
    options.sessions.invalidateAllForUser(grant.userId, 'password-reset');
    // The link proved the address it was sent to belongs to the person.
    if (grant.emailId) options.emailAddresses.markVerified(grant.userId, grant.emailId);
    options.users.activate(grant.userId);
    options.securityLog.record(grant.userId, 'password.reset', clientDetails(request));
    clearSessionCookie(reply, options);
    flash(reply, 'success', 'flash.passwordReset');
    return reply.redirect('/login', 303);
  });
}
