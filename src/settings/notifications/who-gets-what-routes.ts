import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { platformSlug } from '../../platform/fields.ts';
import { askedBuildStatuses, askedBuildTriggers, membersPerPage, questionKinds, type Audience, type LookResult, type WhoGetsWhat } from '../../notify/who-gets-what.ts';
import { notFoundPage } from '../../web/errors.ts';
import type { FieldErrors } from '../../web/form.ts';
import { actorOf, requireViewer } from '../../web/guards.ts';
import { wantsBlock } from '../../web/render.ts';
import { kindWithPage } from './kinds.ts';
import { parseQuestion, type QuestionValues } from './who-gets-what-form.ts';

export interface WhoGetsWhatRouteOptions {
  whoGetsWhat: WhoGetsWhat;
  /** The organizations the person belongs to, by name (for the choice on their own page). */
  organizationsOf: (userId: number) => Promise<ReadonlyArray<{ name: string; slug: string }>>;
}

export const ownWhoGetsWhatPath = '/settings/notifications/who-gets-what';
export const organizationWhoGetsWhatPath = (slug: string) => `/orgs/${slug}/who-gets-what`;

const templates = { page: 'settings/notifications/who-gets-what', block: 'settings/notifications/who-gets-what-block' } as const;
const slugParams = z.object({ slug: platformSlug });

/** The page of members asked for on an owner's look: digits alone, else the first. */
const pageAsked = (query: unknown): number => {
  const raw = query !== null && typeof query === 'object' ? (query as Record<string, unknown>).page : undefined;
  return typeof raw === 'string' && /^[1-9][0-9]{0,4}$/.test(raw) ? Number(raw) : 1;
};

/** The question as GET parameters, for the links to other pages of members: the same question, another page. */
const questionQuery = (values: QuestionValues, page: number): string => {
  const query = new URLSearchParams();
  for (const field of ['kind', 'pipeline', 'project', 'status', 'trigger', 'startedBy', 'typed', 'actor'] as const) {
    if (values[field] !== '') query.append(field, values[field]);
  }
  for (const author of values.authors) query.append('authors', author);
  for (const subscriber of values.subscribed) query.append('subscribed', subscriber);
  query.append('page', String(page));
  return query.toString();
};

/** Where a setting is changed, for the link on one's own row: its page, or the overview for those without one. */
const settingPathOf = (type: string) => {
  const slug = type.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  return kindWithPage(slug) ? `/settings/notifications/${slug}` : '/settings/notifications';
};

/**
 * "Who gets what": an owner asks about everyone in their organization (/orgs/<slug>/who-gets-what),
 * anyone about themselves in each of their organizations (/settings/notifications/who-gets-what).
 * A GET form, so an answer has an address and works without JavaScript; with htmx the block
 * (form and answer) is replaced as the question changes.
 */
export async function registerWhoGetsWhatRoutes(app: FastifyInstance, options: WhoGetsWhatRouteOptions): Promise<void> {
  const render = async (request: FastifyRequest, reply: FastifyReply, audience: Audience, slug: string, extra: { organizations?: ReadonlyArray<{ name: string; slug: string }>; orgError?: boolean }) => {
    const parsed = parseQuestion(request.query);
    const errors: FieldErrors = parsed.asked && parsed.errors ? { ...parsed.errors } : {};
    if (extra.orgError) errors.org = { key: 'errors.whoGetsWhat.notInOrganization' };
    const event = parsed.asked && parsed.errors === null && !extra.orgError ? parsed.event : null;
    const page = audience === 'everyone' ? pageAsked(request.query) : 1;
    let looked: LookResult = await options.whoGetsWhat.look(actorOf(request), { organization: slug, audience, event, page });
    if (!looked.ok && looked.reason === 'refused') {
      errors[looked.field] = { key: `errors.whoGetsWhat.${looked.why}` };
      looked = await options.whoGetsWhat.look(actorOf(request), { organization: slug, audience, event: null, page });
    }
    if (!looked.ok) {
      if (looked.reason === 'ownerOnly') return reply.page('errors/error', { titleKey: 'errors.orgs.ownerOnlyTitle', messageKey: 'errors.orgs.ownerOnly' }, 403);
      return notFoundPage(reply);
    }
    // A page of members past the last one does not exist.
    if (page > 1 && looked.members.length === 0) return notFoundPage(reply);
    // Commit authors are picked among the addresses offered (typed ones may be anyone's).
    const offered = new Set(looked.pickable.flatMap((member) => member.addresses));
    if (!parsed.values.authors.every((address) => offered.has(address))) errors.authors = { key: 'errors.whoGetsWhat.notAMember' };
    const failed = Object.keys(errors).length > 0;
    const values: QuestionValues = { ...parsed.values, org: slug };
    const pipelines = looked.organization.projects.flatMap((project) => project.pipelines.map((pipeline) => ({ ...pipeline, projectName: project.name })));
    const data = {
      audience,
      action: audience === 'everyone' ? organizationWhoGetsWhatPath(slug) : ownWhoGetsWhatPath,
      organization: looked.organization,
      organizations: extra.organizations ?? [],
      members: looked.members,
      pickable: looked.pickable,
      memberRange: { from: looked.offset + 1, to: looked.offset + looked.members.length, total: looked.memberTotal },
      previousPath: audience === 'everyone' && page > 1 ? `${organizationWhoGetsWhatPath(slug)}?${questionQuery(parsed.values, page - 1)}` : null,
      nextPath: audience === 'everyone' && looked.offset + looked.members.length < looked.memberTotal ? `${organizationWhoGetsWhatPath(slug)}?${questionQuery(parsed.values, page + 1)}` : null,
      membersPerPage,
      pipelines,
      values,
      chosen: {
        pipeline: values.pipeline === '' ? String(pipelines[0]?.id ?? '') : values.pipeline,
        project: values.project === '' ? String(looked.organization.projects[0]?.id ?? '') : values.project,
      },
      kinds: questionKinds,
      statuses: askedBuildStatuses,
      triggers: askedBuildTriggers,
      asked: parsed.asked,
      answer: failed ? null : looked.answer,
      errors,
      settingPathOf,
    };
    // htmx asks for the whole page again when the person goes back to an answer it put in the history.
    const wholePage = !wantsBlock(request) || request.headers['hx-history-restore-request'] === 'true';
    return wholePage ? reply.page(templates.page, data, failed ? 422 : 200) : reply.block(templates.block, data, failed ? 422 : 200);
  };

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', requireViewer);

    scoped.get(ownWhoGetsWhatPath, async (request, reply) => {
      const organizations = await options.organizationsOf(actorOf(request).userId);
      const asked = (request.query as Record<string, unknown> | undefined)?.org;
      const first = organizations[0];
      if (!first) return reply.page(templates.page, { audience: 'me', action: ownWhoGetsWhatPath, organization: null, organizations, errors: {} });
      const named = typeof asked === 'string' && asked !== '' ? organizations.find((organization) => organization.slug === asked) : first;
      return render(request, reply, 'me', (named ?? first).slug, { organizations, orgError: !named });
    });

    scoped.get(`/orgs/:slug/who-gets-what`, async (request, reply) => {
      const params = slugParams.safeParse(request.params);
      if (!params.success) return notFoundPage(reply);
      return render(request, reply, 'everyone', params.data.slug, {});
    });
  });
}
