import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PlatformService } from '../platform/service.ts';
import { sendProblem } from '../web/problem.ts';
import { keyActorOf } from './guard.ts';
import { invitationAnswer, organizationAnswer, receivedInvitationAnswer } from './platform-answers.ts';
import { invitationParams, invitationSchema, organizationSchema, orgInvitationParams, orgParams, receivedInvitationSchema } from './platform-schemas.ts';
import { problemSchema } from './schemas.ts';

const refusals = { 401: problemSchema, 403: problemSchema, 404: problemSchema, 429: problemSchema };
const ownersOnly = 'Only owners of the organization may do this; members get 403, and callers who are not members 404.';
const addressedOnly = 'Only for an invitation addressed to one of the caller\'s confirmed e-mail addresses; any other is not found (404).';

const notFound = (reply: FastifyReply, what: string) => sendProblem(reply, 'notFound', `No such ${what}.`);
const ownerRequired = (reply: FastifyReply) => sendProblem(reply, 'roleRequired', 'This needs the role "owner" in the organization.', { role: 'owner' });

/** Invitations to organizations: an organization's owners list and cancel them; the invited person lists, accepts and declines theirs. */
export function registerInvitationApi(scope: FastifyInstance, deps: { platform: PlatformService }): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  const { invitations } = deps.platform;

  api.get(
    '/orgs/:org/invitations',
    {
      config: { scope: 'organizations:read' },
      schema: { summary: "The organization's pending invitations", description: ownersOnly, tags: ['organizations'], params: orgParams, response: { 200: z.array(invitationSchema), ...refusals } },
    },
    async (request, reply) => {
      const found = await invitations.pending(keyActorOf(request), request.params.org);
      if (found.ok) return found.invitations.map(invitationAnswer);
      return found.reason === 'ownerOnly' ? ownerRequired(reply) : notFound(reply, 'organization');
    },
  );

  api.delete(
    '/orgs/:org/invitations/:id',
    {
      config: { scope: 'organizations:write' },
      schema: { summary: 'Cancel a pending invitation', description: ownersOnly, tags: ['organizations'], params: orgInvitationParams, response: { 204: z.null(), ...refusals } },
    },
    async (request, reply) => {
      const cancelled = await invitations.cancel(keyActorOf(request), request.params.org, request.params.id);
      if (cancelled.ok) return reply.code(204).send(null);
      switch (cancelled.reason) {
        case 'notFound':
          return notFound(reply, 'organization');
        case 'ownerOnly':
          return ownerRequired(reply);
        case 'noSuchInvitation':
          return notFound(reply, 'invitation');
      }
    },
  );

  api.get(
    '/invitations',
    {
      config: { scope: 'organizations:read' },
      schema: {
        summary: "The invitations addressed to the user's confirmed e-mail addresses",
        tags: ['organizations'],
        response: { 200: z.array(receivedInvitationSchema), ...refusals },
      },
    },
    async (request) => (await invitations.received(keyActorOf(request))).map(receivedInvitationAnswer),
  );

  api.post(
    '/invitations/:id/accept',
    {
      config: { scope: 'organizations:write' },
      schema: {
        summary: 'Accept an invitation: join the organization with the invited role',
        description: addressedOnly,
        tags: ['organizations'],
        params: invitationParams,
        response: { 200: organizationSchema, ...refusals },
      },
    },
    async (request, reply) => {
      const accepted = await invitations.accept(keyActorOf(request), request.params.id);
      return accepted.ok ? organizationAnswer(accepted.organization) : notFound(reply, 'invitation');
    },
  );

  api.post(
    '/invitations/:id/decline',
    {
      config: { scope: 'organizations:write' },
      schema: { summary: 'Decline an invitation', description: addressedOnly, tags: ['organizations'], params: invitationParams, response: { 204: z.null(), ...refusals } },
    },
    async (request, reply) => {
      const declined = await invitations.decline(keyActorOf(request), request.params.id);
      return declined.ok ? reply.code(204).send(null) : notFound(reply, 'invitation');
    },
  );
}
