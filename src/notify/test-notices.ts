import type { Db } from '../db/client.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Actor } from '../lib/actor.ts';
import { composeMail, type MailContent } from '../mail/compose.ts';
import type { Outbox } from '../mail/outbox.ts';
import { translatorFor } from '../web/i18n.ts';
import type { Decision } from './decide.ts';
import { activityNotice, buildNotice, deployNotice, newIssueNotice, type Notice } from './notices.ts';
import type { RecipientLookup } from './recipients.ts';
import { allowsScope, type NotificationType } from './registry.ts';
import type { Decided, EventPlace } from './resolve.ts';

/** The types a test message can be asked for: those that send mail about an event. */
export const testableTypes = ['issueAlerts', 'workflow', 'deploys', 'buildEmails'] as const satisfies readonly NotificationType[];
export type TestableType = (typeof testableTypes)[number];

export function isTestable(type: string): type is TestableType {
  return (testableTypes as readonly string[]).includes(type);
}

/** How many test messages a person may ask for in `windowMs`. */
export const testLimit = { count: 5, windowMs: 10 * 60 * 1000 };

/** The outbox's kind of a test message: `test:<type>`, so the outbox page tells them apart. */
const testKindPrefix = 'test:';

/** A place the test is about: one of the person's organizations, or a project of one. */
export interface TestPlace {
  scope: 'organization' | 'project';
  id: number;
}

/** An organization the person belongs to, with its projects, as the platform lists them. */
export interface TestPlaceSource {
  organizationId: number;
  name: string;
  slug: string;
  projects: ReadonlyArray<{ id: number; name: string; slug: string }>;
}

export type SendTestResult =
  | { ok: true; address: string }
  | { ok: false; reason: 'notTestable' | 'placeNotFound' | 'noVerifiedAddress' }
  | { ok: false; reason: 'tooMany'; retryAfterSeconds: number };

export type TestNotices = ReturnType<typeof createTestNotices>;

type Translate = (key: string, values?: Record<string, unknown>) => string;
type Named = { organizationId: number; organizationName: string; organizationSlug: string | null; projectId: number; projectName: string };

/**
 * "Send me a test notification": a real message of the type, composed by the same notices as the
 * dispatcher's (notices.ts) with sample content, in the person's language and formats, to the
 * address their routing picks for the place (or their own default), through the outbox. It is marked
 * as a test in the subject and on its first line, and has no unsubscribe link: a test is not a
 * subscription. Limited per person (`testLimit`), counted from the outbox itself.
 */
export function createTestNotices(
  db: Db,
  deps: {
    now: () => number;
    outbox: Outbox;
    recipientFor: RecipientLookup;
    /** Where the person's mail about something in `place` goes (their routing), null without a verified address. */
    addressFor: (userId: number, place: EventPlace) => Promise<Decided<string> | null>;
    /** Every address of the person, for counting their tests. */
    addressesOf: (userId: number) => Promise<readonly string[]>;
    placesOf: (userId: number) => Promise<TestPlaceSource[]>;
    publicUrl: URL;
  },
) {
  const link = (path: string) => new URL(path, deps.publicUrl).href;

  /** The place's names, or sample ones when none is chosen; null when the person cannot see it. */
  const namedPlace = async (userId: number, place: TestPlace | null, t: Translate): Promise<Named | null> => {
    const sample: Named = { organizationId: 0, organizationName: t('mail.test.sample.organization'), organizationSlug: null, projectId: 0, projectName: t('mail.test.sample.project') };
    if (!place) return sample;
    for (const organization of await deps.placesOf(userId)) {
      const named = { organizationId: organization.organizationId, organizationName: organization.name, organizationSlug: organization.slug };
      if (place.scope === 'organization' && organization.organizationId === place.id) return { ...named, projectId: 0, projectName: sample.projectName };
      const project = organization.projects.find((candidate) => candidate.id === place.id);
      if (place.scope === 'project' && project) return { ...named, projectId: project.id, projectName: project.name };
    }
    return null;
  };

  return {
    async send(actor: Actor, type: string, place: TestPlace | null): Promise<SendTestResult> {
      if (!isTestable(type) || (place && !allowsScope(type, place.scope))) return { ok: false, reason: 'notTestable' };
      const userId = actor.userId;
      const first = await deps.recipientFor(userId);
      if (!first) return { ok: false, reason: 'noVerifiedAddress' };
      const t = translatorFor(first.preferences.language) as Translate;
      const named = await namedPlace(userId, place, t);
      if (!named) return { ok: false, reason: 'placeNotFound' };
      const eventPlace: EventPlace = { organizationId: named.organizationId, projectId: named.projectId === 0 ? null : named.projectId };
      const address = await deps.addressFor(userId, eventPlace);
      if (!address) return { ok: false, reason: 'noVerifiedAddress' };
      const recipient = await deps.recipientFor(userId, address.value);
      if (!recipient) return { ok: false, reason: 'noVerifiedAddress' };

      const mail = composeMail(recipient, testContent(type, sampleNotice(type, named, userId, recipient.name, new Date(deps.now()), t, link), userId, t));
      const counted = await deps.addressesOf(userId);
      const since = new Date(deps.now() - testLimit.windowMs);
      return inTransaction(db, async (tx) => {
        const sent = await deps.outbox.countQueuedSince(testKindPrefix, counted, since, tx);
        if (sent >= testLimit.count) return { ok: false, reason: 'tooMany', retryAfterSeconds: Math.ceil(testLimit.windowMs / 1000) } as const;
        await deps.outbox.enqueue({ ...mail, kind: `${testKindPrefix}${type}` }, tx);
        return { ok: true, address: address.value } as const;
      });
    },
  };
}

/** The sample event of a type, made by the dispatcher's own notices so the test reads like the real thing. */
function sampleNotice(type: TestableType, place: Named, userId: number, name: string, at: Date, t: Translate, link: (path: string) => string): Notice {
  const where = {
    organizationId: place.organizationId,
    organizationSlug: place.organizationSlug ?? '',
    organizationName: place.organizationName,
    projectId: place.projectId,
    projectName: place.projectName,
    memberIds: [userId],
  };
  // The button leads where the real one would, but to the list of issues (the sample issue is none of
  // them), and to the person's organizations when no real one was chosen.
  const slug = place.organizationSlug;
  const placeLink = (path: string) => {
    if (!path.startsWith('/orgs/')) return link(path);
    if (slug === null) return link('/orgs');
    return link(path.includes('/issues/') ? `/orgs/${slug}/issues` : path);
  };
  switch (type) {
    case 'buildEmails': {
      const notice = buildNotice(
        {
          ...where,
          buildId: 0,
          externalId: t('mail.test.sample.build'),
          pipelineName: t('mail.test.sample.pipeline'),
          pipelineReportsManual: false,
          status: 'failed',
          trigger: 'push',
          startedBy: null,
          finishedAt: at,
          commit: { sha: '0123456789abcdef0123456789abcdef01234567', message: t('mail.test.sample.commit'), authorName: name },
        },
        placeLink,
      );
      if (!notice) throw new Error('a finished build always has a notice');
      return notice;
    }
    case 'deploys':
      return deployNotice({ ...where, deployId: 0, environment: 'production', version: '1.0.0', finishedAt: at, commitAuthorEmails: [] }, placeLink);
    case 'issueAlerts':
      return newIssueNotice({ ...where, issueId: 0, title: t('mail.test.sample.issue'), level: 'error', occurredAt: at, message: t('mail.test.sample.message') }, placeLink);
    case 'workflow':
      return activityNotice(
        { ...where, issueId: 0, title: t('mail.test.sample.issue'), level: 'error', kind: 'assigned', actorId: null, assigneeId: userId, comment: null, at, subscriberIds: [userId] },
        placeLink,
        (id) => (id === null ? 'Dials' : name),
      );
  }
}

/** The value a sample decision carries: what the message would say the setting is, had it been sent for real. */
const sampleValues: Record<TestableType, string> = { buildEmails: 'both', deploys: 'always', issueAlerts: 'always', workflow: 'always' };

/**
 * The notice's message for the person, marked as a test: without the paragraph that says which
 * setting sent it (none did) and without an unsubscribe link.
 */
function testContent(type: TestableType, notice: Notice, userId: number, t: Translate): MailContent {
  const decision: Extract<Decision, { gets: true }> = { userId, gets: true, type, value: sampleValues[type], decidedBy: 'default', address: '', addressDecidedBy: 'default' };
  const content = notice.content(t, decision);
  return { ...content, paragraphs: content.paragraphs.filter((paragraph) => paragraph !== 'why'), test: true };
}
