import type { FastifyInstance } from 'fastify';
import { isTimeZone } from '../lib/timezones.ts';
import { parseForm, pickStrings, type FieldErrors } from '../web/form.ts';
import { homePath } from '../web/navigation.ts';
import type { Db } from '../db/client.ts';
import { signupForm } from './forms.ts';
import { hashPassword } from './password-hashing.ts';
import { judgePasswordInWorker } from './password-judge.ts';
import type { AuthRouteOptions } from './route-options.ts';
import { EmailTakenError, normalizeEmail } from './users.ts';

/**
 * Queues the link that confirms a new account's address, inside the transaction that makes the
 * account. With `signsIn` it also finishes the sign-up (and logs in); without, it only confirms.
 */
export async function sendAddressLink(options: AuthRouteOptions, tx: Db, userId: number, address: string, signsIn: boolean): Promise<void> {
  const emailId = await options.emailAddresses.idOf(userId, address, tx);
  const token = await options.emailTokens.issue({ userId, purpose: 'verify-email', ...(emailId ? { emailId } : {}), signsIn }, tx);
  await options.accountMail.addressLink({ userId, address, token, signsIn }, tx);
}

/**
 * Sign-up answers the same way whether or not the address is taken (SECURITY.md rule 5): the
 * person is told to check their inbox. A new address gets a link that finishes the sign-up; a
 * taken one gets a note saying someone tried, with a way to log in or reset the password.
 * Every account starts this way, the instance's first included: administrators are made through
 * a set-up link (./admin-setup-routes.ts), never by signing up first.
 */
export function registerSignupRoutes(app: FastifyInstance, options: AuthRouteOptions): void {

  app.get('/signup', async (request, reply) => {
    if (request.viewer) return reply.redirect(homePath);
    return reply.page('auth/signup', { values: {}, errors: {}, passwordFeedback: null });
  });

  app.get('/signup/check-inbox', async (request, reply) => {
    if (request.viewer) return reply.redirect(homePath);
    return reply.page('auth/check-inbox', { titleKey: 'signup.checkInbox.title', messageKey: 'signup.checkInbox.message' });
  });

  app.post('/signup', { config: { rateLimit: { max: 20, timeWindow: '1 hour' } } }, async (request, reply) => {
    if (request.viewer) return reply.redirect(homePath, 303);
    const parsed = parseForm(signupForm, request.body);
    const values = pickStrings(request.body, ['name', 'email']);
    // Every error at once: the password is judged even when the name or the address is refused.
    const typedPassword = (request.body as Record<string, unknown> | undefined)?.password;
    const judgement = typeof typedPassword === 'string' ? await judgePasswordInWorker(typedPassword, { name: values.name ?? '', email: values.email ?? '' }) : null;
    const errors: FieldErrors = parsed.ok ? {} : { ...parsed.errors };
    if (judgement?.problem) errors.password ??= { key: `errors.password.${judgement.problem}` };
    if (!parsed.ok || judgement?.problem) {
      return reply.page('auth/signup', { values, errors, passwordFeedback: judgement }, 422);
    }
    const { name, password } = parsed.data;
    const email = normalizeEmail(parsed.data.email);
    const timeZone = parsed.data.timezone && isTimeZone(parsed.data.timezone) ? parsed.data.timezone : 'UTC';
    const passwordHash = await hashPassword(password);
    try {
      await options.users.create({ email, name, passwordHash, activated: false }, async (tx, id) => {
        await options.onUserCreated(tx, id, { language: request.language, timeZone });
        await sendAddressLink(options, tx, id, email, true);
      });
    } catch (error) {
      if (!(error instanceof EmailTakenError)) throw error;
      const owner = await options.emailAddresses.owner(email);
      if (owner) await options.accountMail.signupAttempted(owner.userId, email);
    }
    return reply.redirect('/signup/check-inbox', 303);
  });
}
