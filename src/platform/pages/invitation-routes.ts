import type { FastifyInstance } from 'fastify';
import { notFoundPage } from '../../web/errors.ts';
import { emptyForm, parseForm } from '../../web/form.ts';
import { actorOf, requireViewer } from '../../web/guards.ts';
import { organizationPath, organizationsPath, ownerOnlyPage, paramsOf, type PlatformPageOptions } from './context.ts';
import { invitationParams, receivedInvitationParams } from './forms.ts';

/**
 * Invitations on the pages: an owner cancels one on the organization's page; the invited person
 * accepts or declines theirs on /orgs. Plain forms, each answered with a redirect and a message.
 * An invitation that is not the viewer's to answer is not found.
 */
export async function registerInvitationRoutes(app: FastifyInstance, options: PlatformPageOptions): Promise<void> {
  const { invitations } = options.platform;

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', requireViewer);

    scoped.post(`${organizationsPath}/:slug/invitations/:id/cancel`, async (request, reply) => {
      const params = paramsOf(invitationParams, request);
      if (!params || !parseForm(emptyForm, request.body).ok) return notFoundPage(reply);
      const cancelled = await invitations.cancel(actorOf(request), params.slug, params.id);
      if (cancelled.ok) return reply.redirectWithFlash(organizationPath(params.slug), { kind: 'success', messageKey: 'flash.orgs.invitationCancelled' });
      if (cancelled.reason === 'ownerOnly') return ownerOnlyPage(reply);
      return notFoundPage(reply);
    });

    scoped.post('/invitations/:id/accept', async (request, reply) => {
      const params = paramsOf(receivedInvitationParams, request);
      if (!params || !parseForm(emptyForm, request.body).ok) return notFoundPage(reply);
      const accepted = await invitations.accept(actorOf(request), params.id);
      if (!accepted.ok) return notFoundPage(reply);
      return reply.redirectWithFlash(organizationPath(accepted.organization.slug), { kind: 'success', messageKey: 'flash.orgs.invitationAccepted' });
    });

    scoped.post('/invitations/:id/decline', async (request, reply) => {
      const params = paramsOf(receivedInvitationParams, request);
      if (!params || !parseForm(emptyForm, request.body).ok) return notFoundPage(reply);
      const declined = await invitations.decline(actorOf(request), params.id);
      if (!declined.ok) return notFoundPage(reply);
      return reply.redirectWithFlash(organizationsPath, { kind: 'success', messageKey: 'flash.orgs.invitationDeclined' });
    });
  });
}
