import type { FastifyInstance, FastifyReply } from 'fastify';
import { isTimeZone } from '../lib/timezones.ts';
import { parseForm, pickStrings, type FieldErrors } from '../web/form.ts';
import { homePath } from '../web/navigation.ts';
import { clientDetails } from '../web/session.ts';
import { SetupLinkGoneError } from './admin-setup.ts';
import { linkGonePage, linkTokenOf } from './email-link-pages.ts';
import { signupForm } from './forms.ts';
import { hashPassword } from './password-hashing.ts';
import { judgePasswordInWorker } from './password-judge.ts';
import type { PasswordJudgement } from './password-rules.ts';
import type { AuthRouteOptions } from './route-options.ts';
import { sendAddressLink } from './signup-routes.ts';
import { startSession } from './start-session.ts';
import { EmailTakenError, normalizeEmail } from './users.ts';

/**
 * The administrator's set-up link (printed at start, or by `dials create-admin`). Opening it
 * shows the form; sending it makes the administrator account, logs it in and uses the link up.
 * A link bound to an address makes the account for that address only. The new administrator's
 * address is confirmed afterwards through the link mailed to it, like any added address.
 */
export function registerAdminSetupRoutes(app: FastifyInstance, options: AuthRouteOptions): void {
  const renderSetup = (
    reply: FastifyReply,
    token: string,
    boundEmail: string | null,
    values: Record<string, string>,
    errors: FieldErrors,
    status = 200,
    passwordFeedback: PasswordJudgement | null = null,
  ) => reply.page('auth/setup', { token, boundEmail, values: boundEmail ? { ...values, email: boundEmail } : values, errors, passwordFeedback }, status);

  app.get('/setup/:token', async (request, reply) => {
    const token = linkTokenOf(request);
    const link = await options.adminSetup.peek(token);
    if (!link) return linkGonePage(reply);
    return renderSetup(reply, token, link.email, {}, {});
  });

  app.post('/setup/:token', { config: { rateLimit: { max: 20, timeWindow: '1 hour' } } }, async (request, reply) => {
    const token = linkTokenOf(request);
    const link = await options.adminSetup.peek(token);
    if (!link) return linkGonePage(reply);
    const body = (request.body ?? {}) as Record<string, unknown>;
    // A bound link makes the account for its own address, whatever the form says.
    const form = link.email ? { ...body, email: link.email } : body;
    const parsed = parseForm(signupForm, form);
    const values = pickStrings(form, ['name', 'email']);
    const typedPassword = form.password;
    const judgement = typeof typedPassword === 'string' ? await judgePasswordInWorker(typedPassword, { name: values.name ?? '', email: values.email ?? '' }) : null;
    const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
    if (judgement?.problem) errors.password ??= { key: `errors.password.${judgement.problem}` };
    if (!parsed.ok || judgement?.problem) return renderSetup(reply, token, link.email, values, errors, 422, judgement);

    const { name, password } = parsed.data;
    const email = normalizeEmail(parsed.data.email);
    const timeZone = parsed.data.timezone && isTimeZone(parsed.data.timezone) ? parsed.data.timezone : 'UTC';
    const passwordHash = await hashPassword(password);
    let userId: number;
    try {
      const created = await options.users.create({ email, name, passwordHash, activated: true, isAdmin: true }, async (tx, id) => {
        await options.adminSetup.consume(tx, token, id);
        await options.onUserCreated(tx, id, { language: request.language, timeZone });
        await sendAddressLink(options, tx, id, email, false);
      });
      userId = created.id;
    } catch (error) {
      if (error instanceof SetupLinkGoneError) return linkGonePage(reply);
      if (error instanceof EmailTakenError) return renderSetup(reply, token, link.email, values, { email: { key: 'errors.email.taken' } }, 422);
      throw error;
    }
    await startSession(request, reply, options, userId);
    await options.securityLog.record(userId, 'login.succeeded', clientDetails(request));
    return reply.redirectWithFlash(homePath, { kind: 'success', messageKey: 'flash.administratorReady' });
  });
}
