import type { FastifyInstance } from 'fastify';
import { isTimeZone } from '../lib/timezones.ts';
import { setFlash } from '../web/flash.ts';
import { parseForm } from '../web/form.ts';
import { clientDetails } from '../web/session.ts';
import { signupForm } from './forms.ts';
import { hashPassword } from './password-hashing.ts';
import { findPasswordProblem } from './password-policy.ts';
import { homePath, pickStrings, startSession, type AuthRouteOptions } from './routes.ts';
import { EmailTakenError } from './users.ts';

export function registerSignupRoutes(app: FastifyInstance, options: AuthRouteOptions): void {
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
    startSession(request, reply, options, userId);
    options.securityLog.record(userId, 'login.succeeded', clientDetails(request));
    setFlash(reply, options.cookies, options.secure, { kind: 'success', messageKey: 'flash.welcome' });
    return reply.redirect(homePath, 303);
  });
}
