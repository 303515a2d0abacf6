import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { notFoundPage } from '../../web/errors.ts';
import type { FlashKind } from '../../web/flash.ts';
import { emptyForm, parseForm, type FieldErrors } from '../../web/form.ts';
import { actorOf, requireViewer, viewerOf } from '../../web/guards.ts';
import { clientDetails } from '../../web/session.ts';
import { addEmailForm, emailIdParam, resendForm } from './form.ts';
import type { AddEmailResult, EmailsService } from './service.ts';

export interface EmailRouteOptions {
  emails: EmailsService;
  requireSudo: preHandlerAsyncHookHandler;
}

const pagePath = '/settings/emails';

/** Why an address was not added, as the form shows it: the message next to the field, and the status. */
const addRefusals: Record<Extract<AddEmailResult, { ok: false }>['reason'], { key: string; status: number }> = {
  taken: { key: 'errors.email.inUse', status: 422 },
  tooMany: { key: 'errors.email.tooMany', status: 422 },
  tooManyToday: { key: 'errors.email.tooManyToday', status: 429 },
  linkLimit: { key: 'errors.email.linkLimit', status: 429 },
  addressLinkLimit: { key: 'errors.email.addressLinkLimit', status: 429 },
};

export async function registerEmailRoutes(app: FastifyInstance, options: EmailRouteOptions): Promise<void> {
  const done = (reply: FastifyReply, kind: FlashKind, messageKey: string, path = pagePath) => reply.redirectWithFlash(path, { kind, messageKey });
  const renderPage = async (request: FastifyRequest, reply: FastifyReply, extra: { errors?: FieldErrors; values?: Record<string, string> } = {}, status = 200) => {
    const userId = viewerOf(request).user.id;
    const addresses = await options.emails.list(actorOf(request));
    const unconfirmedPrimary = await options.emails.unconfirmedPrimary(userId);
    return reply.page(
      'settings/emails/page',
      { addresses, unconfirmedPrimary: () => unconfirmedPrimary, errors: extra.errors ?? {}, values: extra.values ?? {} },
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
      const outcome = await options.emails.add(actorOf(request), parsed.data.address, clientDetails(request));
      if (outcome.ok) return done(reply, 'success', 'flash.emailAdded');
      const refusal = addRefusals[outcome.reason];
      return renderPage(request, reply, { errors: { address: { key: refusal.key } }, values }, refusal.status);
    });

    scoped.post(`${pagePath}/:id/resend`, async (request, reply) => {
      const id = emailIdOf(request);
      const parsed = parseForm(resendForm, request.body);
      if (id === null || !parsed.ok) return notFoundPage(reply);
      const back = parsed.data.back === 'account' ? '/settings/account' : pagePath;
      const outcome = await options.emails.resend(actorOf(request), id);
      if (outcome.ok) return done(reply, 'success', 'flash.verificationResent', back);
      if (outcome.reason === 'notFound') return notFoundPage(reply);
      if (outcome.reason === 'tooSoon') return done(reply, 'error', 'flash.resendTooSoon', back);
      if (outcome.reason === 'addressLimit') return done(reply, 'error', 'flash.resendAddressLimit', back);
      if (outcome.reason === 'accountLimit') return done(reply, 'error', 'flash.resendAccountLimit', back);
      return done(reply, 'info', 'flash.alreadyVerified', back);
    });

    scoped.post(`${pagePath}/:id/primary`, { preHandler: options.requireSudo }, async (request, reply) => {
      const id = emailIdOf(request);
      if (id === null || !parseForm(emptyForm, request.body).ok) return notFoundPage(reply);
      const outcome = await options.emails.makePrimary(actorOf(request), id, clientDetails(request));
      if (!outcome.ok) return outcome.reason === 'notFound' ? notFoundPage(reply) : done(reply, 'error', 'flash.primaryNeedsVerified');
      // What the rest of this request shows is the new address; later requests read it afresh.
      const viewer = viewerOf(request);
      request.viewer = { ...viewer, user: { ...viewer.user, email: outcome.address } };
      return done(reply, 'success', outcome.changed ? 'flash.primaryChanged' : 'flash.alreadyPrimary');
    });

    scoped.get(`${pagePath}/:id/remove`, { preHandler: options.requireSudo }, async (request, reply) => {
      const id = emailIdOf(request);
      const email = id === null ? undefined : await options.emails.find(actorOf(request), id);
      if (!email) return notFoundPage(reply);
      if (email.isPrimary) return done(reply, 'error', 'flash.primaryCannotBeRemoved');
      return reply.page('settings/emails/remove', { email });
    });

    scoped.post(`${pagePath}/:id/remove`, { preHandler: options.requireSudo }, async (request, reply) => {
      const id = emailIdOf(request);
      if (id === null || !parseForm(emptyForm, request.body).ok) return notFoundPage(reply);
      const outcome = await options.emails.remove(actorOf(request), id, clientDetails(request));
      if (outcome.ok) return done(reply, 'success', 'flash.emailRemoved');
      if (outcome.reason === 'notFound') return notFoundPage(reply);
      return done(reply, 'error', 'flash.primaryCannotBeRemoved');
    });
  });
}
