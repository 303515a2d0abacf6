import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { CookieNames } from '../../web/cookies.ts';
import { notFoundPage } from '../../web/errors.ts';
import { setFlash } from '../../web/flash.ts';
import { emptyForm, parseForm, type FieldErrors } from '../../web/form.ts';
import { requireViewer, viewerOf } from '../../web/guards.ts';
import { clientDetails } from '../../web/session.ts';
import { addEmailForm, emailIdParam, resendForm } from './form.ts';
import type { EmailsService } from './service.ts';

export interface EmailRouteOptions {
  emails: EmailsService;
  requireSudo: preHandlerAsyncHookHandler;
  cookies: CookieNames;
  secure: boolean;
}

const pagePath = '/settings/emails';

export async function registerEmailRoutes(app: FastifyInstance, options: EmailRouteOptions): Promise<void> {
  const done = (reply: FastifyReply, kind: 'success' | 'error' | 'info', messageKey: string, path = pagePath) => {
    setFlash(reply, options.cookies, options.secure, { kind, messageKey });
    return reply.redirect(path, 303);
  };
  const renderPage = (request: FastifyRequest, reply: FastifyReply, extra: { errors?: FieldErrors; values?: Record<string, string> } = {}, status = 200) => {
    const userId = viewerOf(request).user.id;
    return reply.page(
      'settings/emails/page',
      { addresses: options.emails.list(userId), unconfirmedPrimary: () => options.emails.unconfirmedPrimary(userId), errors: extra.errors ?? {}, values: extra.values ?? {} },
      status,
    );
  };
  /** The address named in the URL, if it is one of the caller's; anything else is a 404. */
  const emailIdOf = (request: FastifyRequest): number | null => {
    const parsed = emailIdParam.safeParse(request.params);
    return parsed.success ? parsed.data.id : null;
  };

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', requireViewer);

    scoped.get(pagePath, async (request, reply) => renderPage(request, reply));

    const typedAddress = (request: FastifyRequest) => {
      const typed = (request.body as Record<string, unknown> | undefined)?.address;
      return { address: typeof typed === 'string' ? typed.slice(0, 254) : '' };
    };
    // A mistyped address is pointed out before "Confirm access" asks for the password, not after.
    const refuseBadAddress = async (request: FastifyRequest, reply: FastifyReply) => {
      const { _resume: _kept, ...fields } = (request.body ?? {}) as Record<string, unknown>;
      const parsed = parseForm(addEmailForm, fields);
      if (!parsed.ok) return renderPage(request, reply, { errors: parsed.errors, values: typedAddress(request) }, 422);
      return undefined;
    };

    scoped.post(pagePath, { preHandler: [refuseBadAddress, options.requireSudo] }, async (request, reply) => {
      const parsed = parseForm(addEmailForm, request.body);
      const values = typedAddress(request);
      if (!parsed.ok) return renderPage(request, reply, { errors: parsed.errors, values }, 422);
      const outcome = options.emails.add(viewerOf(request), parsed.data.address, clientDetails(request));
      if (outcome === 'taken') return renderPage(request, reply, { errors: { address: { key: 'errors.email.inUse' } }, values }, 422);
      if (outcome === 'tooMany') return renderPage(request, reply, { errors: { address: { key: 'errors.email.tooMany' } }, values }, 422);
      if (outcome === 'tooManyToday') return renderPage(request, reply, { errors: { address: { key: 'errors.email.tooManyToday' } }, values }, 429);
      if (outcome === 'linkLimit') return renderPage(request, reply, { errors: { address: { key: 'errors.email.linkLimit' } }, values }, 429);
      if (outcome === 'addressLinkLimit') return renderPage(request, reply, { errors: { address: { key: 'errors.email.addressLinkLimit' } }, values }, 429);
      return done(reply, 'success', 'flash.emailAdded');
    });

    scoped.post(`${pagePath}/:id/resend`, async (request, reply) => {
      const id = emailIdOf(request);
      const parsed = parseForm(resendForm, request.body);
      if (id === null || !parsed.ok) return notFoundPage(reply);
      const back = parsed.data.back === 'account' ? '/settings/account' : pagePath;
      const outcome = options.emails.resend(viewerOf(request), id);
      if (outcome === 'notFound') return notFoundPage(reply);
      if (outcome === 'tooSoon') return done(reply, 'error', 'flash.resendTooSoon', back);
      if (outcome === 'addressLimit') return done(reply, 'error', 'flash.resendAddressLimit', back);
      if (outcome === 'accountLimit') return done(reply, 'error', 'flash.resendAccountLimit', back);
      if (outcome === 'verified') return done(reply, 'info', 'flash.alreadyVerified', back);
      return done(reply, 'success', 'flash.verificationResent', back);
    });

    scoped.post(`${pagePath}/:id/primary`, { preHandler: options.requireSudo }, async (request, reply) => {
      const id = emailIdOf(request);
      if (id === null || !parseForm(emptyForm, request.body).ok) return notFoundPage(reply);
      const outcome = options.emails.makePrimary(viewerOf(request), id, clientDetails(request));
      if (outcome === 'notFound') return notFoundPage(reply);
      if (outcome === 'unverified') return done(reply, 'error', 'flash.primaryNeedsVerified');
      return done(reply, 'success', outcome === 'already' ? 'flash.alreadyPrimary' : 'flash.primaryChanged');
    });

    scoped.get(`${pagePath}/:id/remove`, { preHandler: options.requireSudo }, async (request, reply) => {
      const id = emailIdOf(request);
      const email = id === null ? undefined : options.emails.find(viewerOf(request).user.id, id);
      if (!email) return notFoundPage(reply);
      if (email.isPrimary) return done(reply, 'error', 'flash.primaryCannotBeRemoved');
      return reply.page('settings/emails/remove', { email });
    });

    scoped.post(`${pagePath}/:id/remove`, { preHandler: options.requireSudo }, async (request, reply) => {
      const id = emailIdOf(request);
      if (id === null || !parseForm(emptyForm, request.body).ok) return notFoundPage(reply);
      const outcome = options.emails.remove(viewerOf(request), id, clientDetails(request));
      if (outcome === 'notFound') return notFoundPage(reply);
      if (outcome === 'primary') return done(reply, 'error', 'flash.primaryCannotBeRemoved');
      return done(reply, 'success', 'flash.emailRemoved');
    });
  });
}
