import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFoundPage } from '../../web/errors.ts';
import { parseForm, pickStrings, type FieldErrors } from '../../web/form.ts';
import { actorOf, requireViewer } from '../../web/guards.ts';
import { wantsBlock } from '../../web/render.ts';
import type { PipelineView } from '../types.ts';
import { organizationPath, organizationsPath, ownerOnlyPage, paramsOf, type PlatformPageOptions } from './context.ts';
import { renderOrganizationPage, type OrganizationFormState } from './organization-page.ts';
import { invitedQuery, nameAndSlugForm, organizationParams, pipelineFlagForm, pipelineForm, pipelineParams, projectParams } from './forms.ts';
import { chosenSlug } from './slug.ts';

export const pipelineFlagBlock = 'orgs/pipeline-flag';

interface ListState {
  errors?: FieldErrors;
  values?: Record<string, string>;
}

/**
 * The organization pages: my organizations (and making one), and one organization with its
 * projects, pipelines and members. Members read; owners change. Someone outside an
 * organization finds nothing at its address (404), whatever they ask for.
 */
export async function registerOrganizationRoutes(app: FastifyInstance, options: PlatformPageOptions): Promise<void> {
  const { organizations } = options.platform;

  const renderList = async (request: FastifyRequest, reply: FastifyReply, state: ListState = {}, status = 200) => {
    const actor = actorOf(request);
    const mine = await organizations.mine(actor);
    const counts = await options.queries.countsForMember(actor);
    const rows = mine.map((organization) => ({ ...organization, counts: counts.get(organization.id) ?? { projects: 0, members: 0 } }));
    const invitations = await options.platform.invitations.received(actor);
    return reply.page('orgs/list', { organizations: rows, invitations, errors: state.errors ?? {}, values: state.values ?? {} }, status);
  };

  const renderOrganization = (request: FastifyRequest, reply: FastifyReply, slug: string, state: OrganizationFormState = {}, status = 200) =>
    renderOrganizationPage(options, request, reply, slug, state, status);

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', requireViewer);

    scoped.get(organizationsPath, async (request, reply) => renderList(request, reply));

    scoped.post(organizationsPath, async (request, reply) => {
      const values = pickStrings(request.body, ['name', 'slug']);
      const parsed = parseForm(nameAndSlugForm, request.body);
      if (!parsed.ok) return renderList(request, reply, { errors: parsed.errors, values }, 422);
      const slug = chosenSlug(parsed.data.slug, parsed.data.name);
      if (slug === null) return renderList(request, reply, { errors: { slug: { key: 'errors.orgs.slugInvalid' } }, values }, 422);
      const made = await organizations.create(actorOf(request), { name: parsed.data.name, slug });
      if (!made.ok) return renderList(request, reply, { errors: { slug: { key: 'errors.orgs.slugTaken' } }, values: { ...values, slug } }, 422);
      return reply.redirectWithFlash(organizationPath(made.organization.slug), { kind: 'success', messageKey: 'flash.orgs.created' });
    });

    scoped.get(`${organizationsPath}/:slug`, async (request, reply) => {
      const params = paramsOf(organizationParams, request);
      if (!params) return notFoundPage(reply);
      return renderOrganization(request, reply, params.slug, { invited: invitedQuery.parse(request.query).invited });
    });

    scoped.post(`${organizationsPath}/:slug/projects`, async (request, reply) => {
      const params = paramsOf(organizationParams, request);
      if (!params) return notFoundPage(reply);
      const values = pickStrings(request.body, ['name', 'slug']);
      const refused = (errors: FieldErrors) => renderOrganization(request, reply, params.slug, { errors, values, form: 'project' }, 422);
      const parsed = parseForm(nameAndSlugForm, request.body);
      if (!parsed.ok) return refused(parsed.errors);
      const slug = chosenSlug(parsed.data.slug, parsed.data.name);
      if (slug === null) return refused({ slug: { key: 'errors.orgs.slugInvalid' } });
      const made = await organizations.createProject(actorOf(request), params.slug, { name: parsed.data.name, slug });
      if (made.ok) return reply.redirectWithFlash(organizationPath(params.slug), { kind: 'success', messageKey: 'flash.orgs.projectCreated' });
      if (made.reason === 'notFound') return notFoundPage(reply);
      if (made.reason === 'ownerOnly') return ownerOnlyPage(reply);
      return refused({ slug: { key: 'errors.orgs.projectSlugTaken' } });
    });

    scoped.post(`${organizationsPath}/:slug/projects/:project/pipelines`, async (request, reply) => {
      const params = paramsOf(projectParams, request);
      if (!params) return notFoundPage(reply);
      const values = pickStrings(request.body, ['name']);
      const form = `pipeline-${params.project}`;
      const refused = (errors: FieldErrors) => renderOrganization(request, reply, params.slug, { errors, values, form }, 422);
      const parsed = parseForm(pipelineForm, request.body);
      if (!parsed.ok) return refused(parsed.errors);
      const made = await organizations.createPipeline(actorOf(request), params.slug, params.project, { name: parsed.data.name });
      if (made.ok) return reply.redirectWithFlash(organizationPath(params.slug), { kind: 'success', messageKey: 'flash.orgs.pipelineCreated' });
      if (made.reason === 'notFound') return notFoundPage(reply);
      if (made.reason === 'ownerOnly') return ownerOnlyPage(reply);
      return refused({ name: { key: 'errors.orgs.pipelineNameTaken' } });
    });

    // The pipeline's switch saves itself (htmx posts its block); without JavaScript the same form posts and the page comes back with a flash.
    scoped.post(`${organizationsPath}/:slug/pipelines/:pipelineId/manual-executions`, async (request, reply) => {
      const params = paramsOf(pipelineParams, request);
      if (!params) return notFoundPage(reply);
      const form = `flag-${params.pipelineId}`;
      const parsed = parseForm(pipelineFlagForm, request.body);
      if (!parsed.ok) {
        if (!wantsBlock(request)) return renderOrganization(request, reply, params.slug, { errors: parsed.errors, form }, 422);
        const found = await organizations.find(actorOf(request), params.slug);
        const pipeline = found.ok ? found.organization.projects.flatMap((project) => project.pipelines).find((each) => each.id === params.pipelineId) : undefined;
        if (!found.ok || !pipeline) return notFoundPage(reply);
        return reply.block(pipelineFlagBlock, flagBlockData(params.slug, pipeline, { errors: parsed.errors }), 422);
      }
      const changed = await organizations.setNotifyManualExecutions(actorOf(request), { organization: params.slug, pipelineId: params.pipelineId }, parsed.data.notifyManualExecutions);
      if (!changed.ok) return changed.reason === 'ownerOnly' ? ownerOnlyPage(reply) : notFoundPage(reply);
      if (!wantsBlock(request)) return reply.redirectWithFlash(organizationPath(params.slug), { kind: 'success', messageKey: 'flash.saved' });
      return reply.block(pipelineFlagBlock, flagBlockData(params.slug, changed.pipeline, { saved: true }));
    });
  });
}

/** What the pipeline switch's block is given, alone or inside the page. */
export function flagBlockData(slug: string, pipeline: PipelineView, state: { errors?: FieldErrors; saved?: boolean }) {
  return { slug, pipeline, errors: state.errors ?? {}, saved: state.saved ?? false, activeBlock: `flag-${pipeline.id}` };
}
