import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFoundPage } from '../../web/errors.ts';
import { emptyForm, parseForm } from '../../web/form.ts';
import { actorOf, requireViewer, viewerOf } from '../../web/guards.ts';
import { buildStatuses, issueActivityKinds } from '../tables.ts';
import { organizationPath, organizationsPath, paramsOf, type PlatformPageOptions, type StackTraceOrder } from './context.ts';
import { buildsQuery, issueParams, issuesQuery, organizationParams, perPage } from './forms.ts';
import { framesInOrder, shownOrder } from './stack-trace.ts';

/** What happened in an organization: its builds, its issues, and one issue with its stack trace and activity. */
export async function registerFeedRoutes(app: FastifyInstance, options: PlatformPageOptions): Promise<void> {
  const { organizations, feeds, issues } = options.platform;

  /** The viewer's stack-trace order: loaded with the preferences by the session layer, or asked for. */
  const stackTraceOrderOf = async (request: FastifyRequest): Promise<StackTraceOrder> => {
    const viewer = viewerOf(request);
    const loaded = (viewer.preferences as { stackTraceOrder?: StackTraceOrder }).stackTraceOrder;
    return loaded ?? options.stackTraceOrderOf(viewer.user.id);
  };

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', requireViewer);

    scoped.get(`${organizationsPath}/:slug/builds`, async (request, reply) => {
      const params = paramsOf(organizationParams, request);
      if (!params) return notFoundPage(reply);
      const query = buildsQuery.safeParse(request.query ?? {});
      const filter = query.success ? query.data : { page: 1, pipeline: undefined, status: undefined };
      const actor = actorOf(request);
      const found = await organizations.find(actor, params.slug);
      if (!found.ok) return notFoundPage(reply);
      const listed = await feeds.builds(actor, params.slug, { pipelineId: filter.pipeline, status: filter.status, page: filter.page, perPage });
      if (!listed.ok) return notFoundPage(reply);
      return reply.page('orgs/builds', { organization: found.organization, builds: listed.builds, filter, statuses: buildStatuses });
    });

    scoped.get(`${organizationsPath}/:slug/issues`, async (request, reply) => {
      const params = paramsOf(organizationParams, request);
      if (!params) return notFoundPage(reply);
      const query = issuesQuery.safeParse(request.query ?? {});
      const filter = query.success ? query.data : { page: 1, status: undefined };
      const actor = actorOf(request);
      const found = await organizations.summary(actor, params.slug);
      if (!found.ok) return notFoundPage(reply);
      const listed = await feeds.issues(actor, params.slug, { status: filter.status, page: filter.page, perPage });
      if (!listed.ok) return notFoundPage(reply);
      return reply.page('orgs/issues', { organization: found.organization, issues: listed.issues, filter });
    });

    scoped.get(`${organizationsPath}/:slug/issues/:id`, async (request, reply) => {
      const params = paramsOf(issueParams, request);
      if (!params) return notFoundPage(reply);
      const actor = actorOf(request);
      const found = await issues.find(actor, params.slug, params.id);
      if (!found.ok) return notFoundPage(reply);
      const organization = await organizations.summary(actor, params.slug);
      if (!organization.ok) return notFoundPage(reply);
      const preference = await stackTraceOrderOf(request);
      const order = shownOrder(preference);
      const frames = found.issue.latestEvent ? framesInOrder(found.issue.latestEvent.frames, order) : [];
      return reply.page('orgs/issue', { organization: organization.organization, issue: found.issue, frames, order, preference, activityKinds: issueActivityKinds });
    });

    for (const action of ['subscribe', 'unsubscribe'] as const) {
      scoped.post(`${organizationsPath}/:slug/issues/:id/${action}`, async (request, reply) => {
        const params = paramsOf(issueParams, request);
        if (!params || !parseForm(emptyForm, request.body).ok) return notFoundPage(reply);
        const done = await issues[action](actorOf(request), params.slug, params.id);
        if (!done.ok) return notFoundPage(reply);
        const messageKey = action === 'subscribe' ? 'flash.orgs.subscribed' : 'flash.orgs.unsubscribed';
        return reply.redirectWithFlash(`${organizationPath(params.slug)}/issues/${params.id}`, { kind: 'success', messageKey });
      });
    }

    // Resolving and reopening from the page, as the person (who is assigned the issue when their setting says so).
    for (const [action, kind] of [
      ['resolve', 'resolved'],
      ['reopen', 'unresolved'],
    ] as const) {
      scoped.post(`${organizationsPath}/:slug/issues/:id/${action}`, async (request, reply) => {
        const params = paramsOf(issueParams, request);
        if (!params || !parseForm(emptyForm, request.body).ok) return notFoundPage(reply);
        const done = await issues.setStatus(actorOf(request), params.slug, params.id, kind);
        if (!done.ok) return notFoundPage(reply);
        const messageKey = done.changed ? (action === 'resolve' ? 'flash.orgs.resolved' : 'flash.orgs.reopened') : action === 'resolve' ? 'flash.orgs.alreadyResolved' : 'flash.orgs.alreadyOpen';
        return reply.redirectWithFlash(`${organizationPath(params.slug)}/issues/${params.id}`, { kind: done.changed ? 'success' : 'info', messageKey });
      });
    }
  });
}
