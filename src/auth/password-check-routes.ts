import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseForm } from '../web/form.ts';
import { judgePasswordInWorker } from './password-judge.ts';
import { maximumPasswordLength, type PasswordOwner } from './password-rules.ts';
import type { AuthRouteOptions } from './route-options.ts';

/** What the as-you-type check is sent: the password being chosen and what is known about its owner. */
const passwordCheckForm = z.object({
  // "password" on the sign-up form, "newPassword" where a password is changed or reset.
  password: z.string().max(maximumPasswordLength * 4).optional(),
  newPassword: z.string().max(maximumPasswordLength * 4).optional(),
  // Typed on the sign-up form; a signed-in person's own name and address are used instead.
  name: z.string().max(200).optional(),
  email: z.string().max(254).optional(),
  // On the reset page, whose visitor is not signed in: the link names the person.
  resetToken: z.string().max(64).optional(),
});

export const passwordCheckPath = '/password-check';

/**
 * The as-you-type check of a new password: answers the feedback fragment that htmx puts in the
 * field's polite live region. It changes nothing, but it is a POST (the password stays out of
 * URLs and logs), so the CSRF token is checked. One check costs up to ~0.1 s of CPU, so checks are
 * limited per client address; typing pauses (htmx waits 500 ms) make far fewer than the limit.
 */
export function registerPasswordCheckRoutes(app: FastifyInstance, options: AuthRouteOptions): void {
  const ownerOf = async (request: FastifyRequest, data: z.infer<typeof passwordCheckForm>): Promise<PasswordOwner> => {
    if (request.viewer) return { name: request.viewer.user.name, email: request.viewer.user.email };
    const grant = data.resetToken ? await options.emailTokens.peek(data.resetToken, 'reset-password') : null;
    const profile = grant ? await options.users.profile(grant.userId) : undefined;
    return profile ?? { name: data.name ?? '', email: data.email ?? '' };
  };

  app.post(passwordCheckPath, { config: { rateLimit: { max: 60, timeWindow: '1 minute' } } }, async (request, reply) => {
    const parsed = parseForm(passwordCheckForm, request.body);
    if (!parsed.ok) return reply.code(422).header('content-type', 'text/plain; charset=utf-8').send(request.t('errors.form.unreadable'));
    const password = parsed.data.newPassword ?? parsed.data.password ?? '';
    if (password.length === 0) return reply.block('partials/password-feedback', { feedback: null });
    const judgement = await judgePasswordInWorker(password, await ownerOf(request, parsed.data));
    const feedback = judgement.problem ? judgement : { strongEnough: true };
    return reply.block('partials/password-feedback', { feedback, live: true });
  });
}
