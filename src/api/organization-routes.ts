import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PlatformService } from '../platform/service.ts';
import { sendProblem } from '../web/problem.ts';
import { keyActorOf } from './guard.ts';
import { invitationAnswer, memberAnswer, organizationAnswer, organizationDetailAnswer, pipelineAnswer, projectAnswer } from './platform-answers.ts';
import {
  inviteBody,
  changePipelineBody,
  changeRoleBody,
  createOrganizationBody,
  createPipelineBody,
  createProjectBody,
  invitationSchema,
  memberParams,
  memberSchema,
  organizationDetailSchema,
  organizationSchema,
  orgParams,
  pipelineParams,
  pipelineSchema,
  projectParams,
  projectSchema,
} from './platform-schemas.ts';
import { problemSchema } from './schemas.ts';

const refusals = { 401: problemSchema, 403: problemSchema, 404: problemSchema, 429: problemSchema };
const writeRefusals = { ...refusals, 400: problemSchema, 409: problemSchema, 422: problemSchema };
const ownersOnly = 'Only owners of the organization may do this; members get 403, and callers who are not members 404.';

const notFound = (reply: FastifyReply, what = 'organization') => sendProblem(reply, 'notFound', `No such ${what}.`);
const ownerRequired = (reply: FastifyReply) => sendProblem(reply, 'roleRequired', 'This needs the role "owner" in the organization.', { role: 'owner' });

/** Organizations, their members, projects and pipelines: read by members, changed by owners. */
export function registerOrganizationApi(scope: FastifyInstance, deps: { platform: PlatformService }): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();
  const { organizations, invitations } = deps.platform;

  api.get(
    '/orgs',
    { config: { scope: 'organizations:read' }, schema: { summary: 'The organizations the user belongs to', tags: ['organizations'], response: { 200: z.array(organizationSchema), ...refusals } } },
    async (request) => (await organizations.mine(keyActorOf(request))).map(organizationAnswer),
  );

  api.post(
    '/orgs',
    {
      config: { scope: 'organizations:write', unprocessableBody: true },
      schema: {
        summary: 'Make an organization; the user becomes its owner',
        tags: ['organizations'],
        body: createOrganizationBody,
        response: { 201: organizationSchema, ...writeRefusals },
      },
    },
    async (request, reply) => {
      const made = await organizations.create(keyActorOf(request), request.body);
      if (!made.ok) return sendProblem(reply, 'conflict', 'That slug is taken.', { errors: [{ pointer: '/slug', message: 'is taken' }] });
      return reply.code(201).send(organizationAnswer(made.organization));
    },
  );

  api.get(
    '/orgs/:org',
    {
      config: { scope: 'organizations:read' },
      schema: { summary: 'An organization with its projects, pipelines and members', tags: ['organizations'], params: orgParams, response: { 200: organizationDetailSchema, ...refusals } },
    },
    async (request, reply) => {
      const found = await organizations.find(keyActorOf(request), request.params.org);
      return found.ok ? organizationDetailAnswer(found.organization) : notFound(reply);
    },
  );

  api.get(
    '/orgs/:org/members',
    { config: { scope: 'organizations:read' }, schema: { summary: "The organization's members", tags: ['organizations'], params: orgParams, response: { 200: z.array(memberSchema), ...refusals } } },
    async (request, reply) => {
      const found = await organizations.members(keyActorOf(request), request.params.org);
      return found.ok ? found.members.map(memberAnswer) : notFound(reply);
    },
  );

  api.post(
    '/orgs/:org/members',
    {
      config: { scope: 'organizations:write', unprocessableBody: true },
      schema: {
        summary: 'Invite someone by e-mail address',
        description: `${ownersOnly} Nobody is added: the person who confirmed the address sees the invitation and accepts or declines it. The answer (202, the invitation) is the same whether or not anyone has the address; inviting an address again changes the role of its invitation. An address of a current member is refused (409). No mail is sent.`,
        tags: ['organizations'],
        params: orgParams,
        body: inviteBody,
        response: { 202: invitationSchema, ...writeRefusals },
      },
    },
    async (request, reply) => {
      const invited = await invitations.invite(keyActorOf(request), request.params.org, request.body);
      if (invited.ok) return reply.code(202).send(invitationAnswer(invited.invitation));
      switch (invited.reason) {
        case 'notFound':
          return notFound(reply);
        case 'ownerOnly':
          return ownerRequired(reply);
        case 'alreadyMember':
          return sendProblem(reply, 'conflict', 'That address belongs to a member already.');
      }
    },
  );

  api.patch(
    '/orgs/:org/members/:userId',
    {
      config: { scope: 'organizations:write', unprocessableBody: true },
      schema: {
        summary: "Change a member's role",
        description: `${ownersOnly} The last owner cannot be made a member (409).`,
        tags: ['organizations'],
        params: memberParams,
        body: changeRoleBody,
        response: { 200: memberSchema, ...writeRefusals },
      },
    },
    async (request, reply) => {
      const changed = await organizations.changeRole(keyActorOf(request), request.params.org, request.params.userId, request.body.role);
      if (changed.ok) return memberAnswer(changed.member);
      switch (changed.reason) {
        case 'notFound':
          return notFound(reply);
        case 'ownerOnly':
          return ownerRequired(reply);
        case 'noSuchMember':
          return notFound(reply, 'member');
        case 'lastOwner':
          return sendProblem(reply, 'lastOwner', 'Make another member an owner first.');
      }
    },
  );

  api.delete(
    '/orgs/:org/members/:userId',
    {
      config: { scope: 'organizations:write' },
      schema: {
        summary: 'Remove a member, or leave (your own user id)',
        description: 'Owners remove anyone; a member can only remove themselves. The last owner can be neither removed nor leave (409).',
        tags: ['organizations'],
        params: memberParams,
        response: { 204: z.null(), ...writeRefusals },
      },
    },
    async (request, reply) => {
      const removed = await organizations.removeMember(keyActorOf(request), request.params.org, request.params.userId);
      if (removed.ok) return reply.code(204).send(null);
      switch (removed.reason) {
        case 'notFound':
          return notFound(reply);
        case 'ownerOnly':
          return ownerRequired(reply);
        case 'noSuchMember':
          return notFound(reply, 'member');
        case 'lastOwner':
          return sendProblem(reply, 'lastOwner', 'Make another member an owner first.');
      }
    },
  );

  api.get(
    '/orgs/:org/projects',
    { config: { scope: 'projects:read' }, schema: { summary: "The organization's projects", tags: ['projects'], params: orgParams, response: { 200: z.array(projectSchema), ...refusals } } },
    async (request, reply) => {
      const found = await organizations.projects(keyActorOf(request), request.params.org);
      return found.ok ? found.projects.map(projectAnswer) : notFound(reply);
    },
  );

  api.post(
    '/orgs/:org/projects',
    {
      config: { scope: 'projects:write', unprocessableBody: true },
      schema: { summary: 'Make a project', description: ownersOnly, tags: ['projects'], params: orgParams, body: createProjectBody, response: { 201: projectSchema, ...writeRefusals } },
    },
    async (request, reply) => {
      const made = await organizations.createProject(keyActorOf(request), request.params.org, request.body);
      if (made.ok) return reply.code(201).send(projectAnswer(made.project));
      switch (made.reason) {
        case 'notFound':
          return notFound(reply);
        case 'ownerOnly':
          return ownerRequired(reply);
        case 'slugTaken':
          return sendProblem(reply, 'conflict', 'The organization has a project with that slug.', { errors: [{ pointer: '/slug', message: 'is taken' }] });
      }
    },
  );

  api.get(
    '/orgs/:org/projects/:project/pipelines',
    { config: { scope: 'pipelines:read' }, schema: { summary: "The project's pipelines", tags: ['pipelines'], params: projectParams, response: { 200: z.array(pipelineSchema), ...refusals } } },
    async (request, reply) => {
      const found = await organizations.pipelines(keyActorOf(request), request.params.org, request.params.project);
      return found.ok ? found.pipelines.map(pipelineAnswer) : notFound(reply, 'organization or project');
    },
  );

  api.post(
    '/orgs/:org/projects/:project/pipelines',
    {
      config: { scope: 'pipelines:write', unprocessableBody: true },
      schema: { summary: 'Make a pipeline', description: ownersOnly, tags: ['pipelines'], params: projectParams, body: createPipelineBody, response: { 201: pipelineSchema, ...writeRefusals } },
    },
    async (request, reply) => {
      const made = await organizations.createPipeline(keyActorOf(request), request.params.org, request.params.project, request.body);
      if (made.ok) return reply.code(201).send(pipelineAnswer(made.pipeline));
      switch (made.reason) {
        case 'notFound':
          return notFound(reply, 'organization or project');
        case 'ownerOnly':
          return ownerRequired(reply);
        case 'nameTaken':
          return sendProblem(reply, 'conflict', 'The project has a pipeline with that name.', { errors: [{ pointer: '/name', message: 'is taken' }] });
      }
    },
  );

  api.patch(
    '/orgs/:org/projects/:project/pipelines/:pipelineId',
    {
      config: { scope: 'pipelines:write', unprocessableBody: true },
      schema: {
        summary: 'Turn notifications for builds started by hand on or off',
        description: ownersOnly,
        tags: ['pipelines'],
        params: pipelineParams,
        body: changePipelineBody,
        response: { 200: pipelineSchema, ...writeRefusals },
      },
    },
    async (request, reply) => {
      const { org, project, pipelineId } = request.params;
      const changed = await organizations.setNotifyManualExecutions(keyActorOf(request), { organization: org, project, pipelineId }, request.body.notifyManualExecutions);
      if (changed.ok) return pipelineAnswer(changed.pipeline);
      return changed.reason === 'ownerOnly' ? ownerRequired(reply) : notFound(reply, 'pipeline');
    },
  );
}
