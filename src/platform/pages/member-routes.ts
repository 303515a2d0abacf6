import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFoundPage } from '../../web/errors.ts';
import { emptyForm, parseForm, pickStrings, type FieldErrors } from '../../web/form.ts';
import { actorOf, requireViewer } from '../../web/guards.ts';
import type { MemberView, OrganizationDetail } from '../types.ts';
import { organizationPath, organizationsPath, ownerOnlyPage, paramsOf, type PlatformPageOptions } from './context.ts';
import { renderOrganizationPage } from './organization-page.ts';
import { inviteForm, memberParams, organizationParams, roleForm } from './forms.ts';

/**
 * Members of an organization: an owner invites an address (nobody joins until the person accepts,
 * see ./invitation-routes.ts), changes roles and removes members (after a confirmation page);
 * anyone can leave. The last owner can do neither.
 */
export async function registerMemberRoutes(app: FastifyInstance, options: PlatformPageOptions): Promise<void> {
  const { organizations, invitations } = options.platform;
  const back = (reply: FastifyReply, slug: string, kind: 'success' | 'error', messageKey: string) => reply.redirectWithFlash(organizationPath(slug), { kind, messageKey });

  /** The organization page with the invitation form's errors. */
  const refuseInvite = (request: FastifyRequest, reply: FastifyReply, slug: string, errors: FieldErrors) =>
    renderOrganizationPage(options, request, reply, slug, { errors, values: pickStrings(request.body, ['email', 'role']), form: 'member' }, 422);

  /** The member named in the URL, in an organization the viewer belongs to; null for anything else. */
  const memberOf = async (request: FastifyRequest): Promise<{ organization: OrganizationDetail; member: MemberView } | null> => {
    const params = paramsOf(memberParams, request);
    if (!params) return null;
    const found = await organizations.find(actorOf(request), params.slug);
    if (!found.ok) return null;
    const member = found.organization.members.find((each) => each.userId === params.userId);
    return member ? { organization: found.organization, member } : null;
  };

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', requireViewer);

    scoped.post(`${organizationsPath}/:slug/members`, async (request, reply) => {
      const params = paramsOf(organizationParams, request);
      if (!params) return notFoundPage(reply);
      const parsed = parseForm(inviteForm, request.body);
      if (!parsed.ok) return refuseInvite(request, reply, params.slug, parsed.errors);
      const invited = await invitations.invite(actorOf(request), params.slug, parsed.data);
      // The same answer whether or not anyone has the address: the page names the address, never a person.
      if (invited.ok) return reply.redirect(`${organizationPath(params.slug)}?invited=${invited.invitation.id}`, 303);
      if (invited.reason === 'notFound') return notFoundPage(reply);
      if (invited.reason === 'ownerOnly') return ownerOnlyPage(reply);
      return refuseInvite(request, reply, params.slug, { email: { key: 'errors.orgs.alreadyMember' } });
    });

    scoped.post(`${organizationsPath}/:slug/members/:userId/role`, async (request, reply) => {
      const params = paramsOf(memberParams, request);
      if (!params) return notFoundPage(reply);
      const parsed = parseForm(roleForm, request.body);
      if (!parsed.ok) return back(reply, params.slug, 'error', 'flash.orgs.roleInvalid');
      const changed = await organizations.changeRole(actorOf(request), params.slug, params.userId, parsed.data.role);
      if (changed.ok) return back(reply, params.slug, 'success', 'flash.orgs.roleChanged');
      if (changed.reason === 'ownerOnly') return ownerOnlyPage(reply);
      if (changed.reason === 'lastOwner') return back(reply, params.slug, 'error', 'flash.orgs.lastOwnerRole');
      return notFoundPage(reply);
    });

    scoped.get(`${organizationsPath}/:slug/members/:userId/remove`, async (request, reply) => {
      const found = await memberOf(request);
      if (!found) return notFoundPage(reply);
      const { organization, member } = found;
      const self = member.userId === actorOf(request).userId;
      if (self) return reply.redirect(`${organizationPath(organization.slug)}/leave`, 303);
      if (organization.role !== 'owner') return ownerOnlyPage(reply);
      return reply.page('orgs/remove-member', { organization, member });
    });

    scoped.post(`${organizationsPath}/:slug/members/:userId/remove`, async (request, reply) => {
      const params = paramsOf(memberParams, request);
      if (!params || !parseForm(emptyForm, request.body).ok) return notFoundPage(reply);
      const actor = actorOf(request);
      const removed = await organizations.removeMember(actor, params.slug, params.userId);
      if (removed.ok) {
        if (params.userId === actor.userId) return reply.redirectWithFlash(organizationsPath, { kind: 'success', messageKey: 'flash.orgs.left' });
        return back(reply, params.slug, 'success', 'flash.orgs.memberRemoved');
      }
      if (removed.reason === 'ownerOnly') return ownerOnlyPage(reply);
      if (removed.reason === 'lastOwner') return back(reply, params.slug, 'error', params.userId === actor.userId ? 'flash.orgs.lastOwnerLeave' : 'flash.orgs.lastOwnerRemove');
      return notFoundPage(reply);
    });

    scoped.get(`${organizationsPath}/:slug/leave`, async (request, reply) => {
      const params = paramsOf(organizationParams, request);
      if (!params) return notFoundPage(reply);
      const found = await organizations.find(actorOf(request), params.slug);
      if (!found.ok) return notFoundPage(reply);
      return reply.page('orgs/leave', { organization: found.organization });
    });

    scoped.post(`${organizationsPath}/:slug/leave`, async (request, reply) => {
      const params = paramsOf(organizationParams, request);
      if (!params || !parseForm(emptyForm, request.body).ok) return notFoundPage(reply);
      const actor = actorOf(request);
      const left = await organizations.removeMember(actor, params.slug, actor.userId);
      if (left.ok) return reply.redirectWithFlash(organizationsPath, { kind: 'success', messageKey: 'flash.orgs.left' });
      if (left.reason === 'lastOwner') return back(reply, params.slug, 'error', 'flash.orgs.lastOwnerLeave');
      return notFoundPage(reply);
    });
  });
}
