import type { FastifyInstance, FastifyReply } from 'fastify';
import { formLevel, parseForm, type FieldErrors } from '../web/form.ts';
import { clearSessionCookie, clientDetails } from '../web/session.ts';
import { resetPasswordForm } from './forms.ts';
import { hashPassword } from './password-hashing.ts';
import { newPasswordErrorsOf } from './new-password-errors.ts';
import { judgePasswordInWorker } from './password-judge.ts';
import type { PasswordJudgement } from './password-rules.ts';
import { linkGonePage, linkTokenOf } from './email-link-pages.ts';
import type { AuthRouteOptions } from './route-options.ts';

/**
 * The password-reset link sent by e-mail. Opening it only shows a page; acting on it needs a
 * button press (a POST), so mail scanners that follow links change nothing.
 */
export function registerResetPasswordRoutes(app: FastifyInstance, options: AuthRouteOptions): void {
  const tokenOf = linkTokenOf;
  const linkGone = linkGonePage;

  // The page names the account (its log-in address), so whoever is logged in as someone else sees whose password this is.
  const renderReset = async (reply: FastifyReply, token: string, userId: number, errors: FieldErrors, status = 200, passwordFeedback: PasswordJudgement | null = null) => {
    const account = (await options.users.profile(userId))?.email ?? '';
    return reply.page('auth/reset-password', { token, account, enrolled: await options.secondFactor.isEnrolled(userId), errors, passwordFeedback }, status);
  };

  app.get('/reset-password/:token', async (request, reply) => {
    const grant = await options.emailTokens.peek(tokenOf(request), 'reset-password');
    if (!grant) return linkGone(reply);
    return renderReset(reply, tokenOf(request), grant.userId, {});
  });

  // Each post runs the password estimator, and the link stays valid until a reset succeeds: limit the posts.
  app.post('/reset-password/:token', { config: { rateLimit: { max: 20, timeWindow: '1 hour' } } }, async (request, reply) => {
    const token = tokenOf(request);
    const grant = await options.emailTokens.peek(token, 'reset-password');
    if (!grant) return linkGone(reply);
    const parsed = parseForm(resetPasswordForm, request.body);
    const profile = await options.users.profile(grant.userId);
    if (!parsed.ok) {
      const { errors, judgement } = await newPasswordErrorsOf(request.body, profile);
      return renderReset(reply, token, grant.userId, { ...errors, ...parsed.errors }, 422, judgement);
    }
    if (!profile) return linkGone(reply);
    const { newPassword, confirmPassword } = parsed.data;
    const judgement = await judgePasswordInWorker(newPassword, profile);
    const refused: FieldErrors = {};
    if (judgement.problem) refused.newPassword = { key: `errors.password.${judgement.problem}` };
    if (newPassword !== confirmPassword) refused.confirmPassword = { key: 'errors.password.mismatch' };
    if (Object.keys(refused).length > 0) return renderReset(reply, token, grant.userId, refused, 422, judgement);

    // A reset link replaces the password, never the second factor (rule 6).
    if (await options.secondFactor.isEnrolled(grant.userId)) {
      if (!parsed.data.code && !parsed.data.recoveryCode) return renderReset(reply, token, grant.userId, { code: { key: 'errors.twoFactor.codeRequired' } }, 422);
      const outcome = await options.secondFactor.verify(grant.userId, parsed.data);
      if (!outcome.ok) {
        if (outcome.retryAfterSeconds > 0) {
          const errors = { [formLevel]: { key: 'errors.login.tooManyAttempts', values: { count: Math.ceil(outcome.retryAfterSeconds / 60) } } };
          return renderReset(reply.header('retry-after', String(outcome.retryAfterSeconds)), token, grant.userId, errors, 429);
        }
        await options.securityLog.record(grant.userId, 'login.secondFactorFailed', clientDetails(request));
        const field = parsed.data.recoveryCode ? 'recoveryCode' : 'code';
        return renderReset(reply, token, grant.userId, { [field]: { key: `errors.twoFactor.${field === 'code' ? 'wrongCode' : 'wrongRecoveryCode'}` } }, 401);
      }
      if (outcome.method === 'recoveryCode') await options.securityLog.record(grant.userId, 'recoveryCode.used', clientDetails(request));
    }
    if (!(await options.emailTokens.consume(token, 'reset-password'))) return linkGone(reply);
    await options.users.setPasswordHash(grant.userId, await hashPassword(newPassword));
    await options.emailTokens.voidAll(grant.userId, 'reset-password');
    await options.sessions.invalidateAllForUser(grant.userId, 'password-reset');
    // The link proved the address it was sent to belongs to the person.
    if (grant.emailId) await options.emailAddresses.markVerified(grant.userId, grant.emailId);
    await options.users.activate(grant.userId);
    await options.securityLog.record(grant.userId, 'password.reset', clientDetails(request));
    clearSessionCookie(reply, options);
    return reply.redirectWithFlash('/login', { kind: 'success', messageKey: 'flash.passwordReset' });
  });
}
