import type { FastifyInstance } from 'fastify';
import { parseForm } from '../web/form.ts';
import { forgotPasswordForm } from './forms.ts';
import type { AuthRouteOptions } from './route-options.ts';
import { normalizeEmail } from './users.ts';

/**
 * Forgot password: the same answer, after the same work, for every address (SECURITY.md rule 5).
 * Nothing about the address is looked up before the answer is sent; whether a link goes out is
 * decided afterwards, so the time to answer cannot tell which addresses have accounts.
 */
export function registerForgotPasswordRoutes(app: FastifyInstance, options: AuthRouteOptions): void {
  const sendResetLink = async (address: string) => {
    const owner = await options.emailAddresses.owner(address);
    // Only an address the person has proved (or their log-in address) can receive a reset link.
    if (!owner) return;
    await options.accountMail.resetLink(owner.userId, address, () =>
      options.emailTokens.issue({ userId: owner.userId, purpose: 'reset-password', emailId: owner.emailId }),
    );
  };

  app.get('/forgot-password', async (request, reply) => reply.page('auth/forgot-password', { values: {}, errors: {} }));

  app.post('/forgot-password', { config: { rateLimit: { max: 10, timeWindow: '1 hour' } } }, async (request, reply) => {
    const parsed = parseForm(forgotPasswordForm, request.body);
    if (!parsed.ok) {
      const email = (request.body as Record<string, unknown> | undefined)?.email;
      return reply.page('auth/forgot-password', { values: { email: typeof email === 'string' ? email.slice(0, 254) : '' }, errors: parsed.errors }, 422);
    }
    const address = normalizeEmail(parsed.data.email);
    reply.afterReply(() => sendResetLink(address));
    return reply.redirectWithFlash('/forgot-password', { kind: 'info', messageKey: 'flash.resetSent' });
  });
}
