import type { FastifyReply, FastifyRequest } from 'fastify';
import { notFoundPage } from '../../web/errors.ts';
import type { FieldErrors } from '../../web/form.ts';
import { actorOf } from '../../web/guards.ts';
import type { PlatformPageOptions } from './context.ts';

export interface OrganizationFormState {
  errors?: FieldErrors;
  values?: Record<string, string>;
  /** Which form the errors belong to: `project`, `pipeline-<project slug>`, `member`, `flag-<pipeline id>`. */
  form?: string;
  /** The invitation just made or changed (the page after inviting says so, with its address). */
  invited?: number;
}

/** One organization's page, with a refused form's errors next to its fields; 404 when the viewer is not a member. */
export async function renderOrganizationPage(
  options: PlatformPageOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  slug: string,
  state: OrganizationFormState = {},
  status = 200,
): Promise<FastifyReply> {
  const actor = actorOf(request);
  const found = await options.platform.organizations.find(actor, slug);
  if (!found.ok) return notFoundPage(reply);
  const organization = found.organization;
  const isOwner = organization.role === 'owner';
  const pending = isOwner ? await options.platform.invitations.pending(actor, slug) : null;
  const invitations = pending?.ok ? pending.invitations : [];
  const invited = invitations.find((invitation) => invitation.id === state.invited);
  return reply.page(
    'orgs/organization',
    {
      organization,
      isOwner,
      invitations,
      ...(invited ? { flash: { kind: 'success', messageKey: 'flash.orgs.invited', values: { address: invited.address } } } : {}),
      viewerId: actor.userId,
      errors: state.errors ?? {},
      values: state.values ?? {},
      form: state.form ?? null,
      saved: false,
    },
    status,
  );
}
