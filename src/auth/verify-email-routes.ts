import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formLevel, parseForm, type FieldErrors } from '../web/form.ts';
import { homePath } from '../web/navigation.ts';
import { clientDetails } from '../web/session.ts';
import type { EmailTokenGrant } from './email-tokens.ts';
import { confirmLinkForm, finishSignupForm } from './forms.ts';
import { verifyPassword } from './password-hashing.ts';
import { linkGonePage, linkTokenOf } from './email-link-pages.ts';
import type { AuthRouteOptions } from './route-options.ts';
import { startSession } from './start-session.ts';

/**
 * The confirmation link of an address. Opening it only shows a page; acting needs a button press
 * (a POST), so mail scanners that follow links change nothing.
 *
 * A sign-up link finishes the sign-up with the password chosen at sign-up. Any other link confirms
 * an address someone added to an existing account, and only for that account's own session: a
 * link that reached a stranger (a mistyped address) must not attach their mailbox to the account,
 * since a password reset to it would then open the account.
 */
export function registerVerifyEmailRoutes(app: FastifyInstance, options: AuthRouteOptions): void {
  const tokenOf = linkTokenOf;
  const linkGone = linkGonePage;

  const render = async (reply: FastifyReply, token: string, grant: EmailTokenGrant, errors: FieldErrors = {}, status = 200) => {
    const email = grant.emailId ? await options.emailAddresses.find(grant.userId, grant.emailId) : undefined;
    return reply.page('auth/verify-email', { address: email?.address ?? '', token, asksPassword: grant.signsIn, errors }, status);
  };

  /**
   * For a link that confirms an added address: the answer when the caller is not the account's
   * own session (log in first and come back, or "this link is another account's"), else null.
   */
  const refuseUnlessOwner = (request: FastifyRequest, reply: FastifyReply, token: string, grant: EmailTokenGrant) => {
    if (grant.signsIn) return null;
    if (!request.viewer) {
      // The login page's own address carries the link; request logs drop query strings (src/logging.ts).
      return reply.redirectWithFlash(`/login?next=${encodeURIComponent(`/verify-email/${token}`)}`, { kind: 'info', messageKey: 'flash.logInToConfirm' });
    }
    if (request.viewer.user.id !== grant.userId) {
      return reply.page('auth/link-other-account', {}, 403);
    }
    return null;
  };

  app.get('/verify-email/:token', async (request, reply) => {
    const token = tokenOf(request);
    const grant = await options.emailTokens.peek(token, 'verify-email');
    if (!grant) return linkGone(reply);
    return refuseUnlessOwner(request, reply, token, grant) ?? render(reply, token, grant);
  });

  app.post('/verify-email/:token', async (request, reply) => {
    const token = tokenOf(request);
    const grant = await options.emailTokens.peek(token, 'verify-email');
    if (!grant || !grant.emailId) return linkGone(reply);
    const refused = refuseUnlessOwner(request, reply, token, grant);
    if (refused) return refused;
    if (grant.signsIn) {
      // Finishing a sign-up signs in, so it needs the password chosen at sign-up: a link mailed to
      // someone who never signed up cannot open an account someone else prepared for them.
      const parsed = parseForm(finishSignupForm, request.body);
      if (!parsed.ok) return render(reply, token, grant, parsed.errors, 422);
      const credentials = await options.users.credentialsOf(grant.userId);
      if (!credentials) return linkGone(reply);
      const waitSeconds = await options.loginLimiter.attempt(credentials.email, request.ip);
      if (waitSeconds > 0) {
        const errors = { [formLevel]: { key: 'errors.login.tooManyAttempts', values: { count: Math.ceil(waitSeconds / 60) } } };
        return render(reply.header('retry-after', String(waitSeconds)), token, grant, errors, 429);
      }
      if (!(await verifyPassword(credentials.passwordHash, parsed.data.password))) {
        return render(reply, token, grant, { password: { key: 'errors.sudo.wrongPassword' } }, 401);
      }
      await options.loginLimiter.recordSuccess(credentials.email, request.ip);
    } else if (!parseForm(confirmLinkForm, request.body).ok) {
      return reply.page('errors/error', { titleKey: 'errors.badRequest.title', messageKey: 'errors.badRequest.message' }, 400);
    }
    const used = await options.emailTokens.consume(token, 'verify-email');
    if (!used || !used.emailId) return linkGone(reply);
    const outcome = await options.emailAddresses.markVerified(used.userId, used.emailId);
    if (outcome === 'notFound') return linkGone(reply);
    if (outcome === 'taken') {
      return reply.page('auth/link-gone', { titleKey: 'links.taken.title', messageKey: 'links.taken.message' }, 409);
    }
    if (used.signsIn) await options.users.activate(used.userId);
    await options.securityLog.record(used.userId, 'email.verified', clientDetails(request));
    const verified = { kind: 'success', messageKey: 'flash.emailVerified' } as const;
    if (request.viewer?.user.id === used.userId) return reply.redirectWithFlash('/settings/emails', verified);
    // A sign-up link finishes the sign-up by signing in, but never past a second factor (rule 6).
    if (used.signsIn && !(await options.secondFactor.isEnrolled(used.userId))) {
      await startSession(request, reply, options, used.userId);
      await options.securityLog.record(used.userId, 'login.succeeded', clientDetails(request));
      return reply.redirectWithFlash(homePath, verified);
    }
    return reply.redirectWithFlash('/login', verified);
  });
}
