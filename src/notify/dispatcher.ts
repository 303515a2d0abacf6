import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { inTransaction } from '../db/transaction.ts';
import { composeMail } from '../mail/compose.ts';
import { translatorFor } from '../web/i18n.ts';
import type { Outbox, OutgoingMail } from '../mail/outbox.ts';
import { decide, type Candidate, type DecidedEvent } from './decide.ts';
import type { RecipientLookup } from './recipients.ts';
import type { RoutableAddresses } from './resolve.ts';
import type { NotificationSettings } from './settings.ts';
import { notificationDeliveries } from './tables.ts';
import { claimWork, finishWork, type ClaimedWork } from './work.ts';

/** A build as the dispatcher reads it from the platform (platform/notice-events.ts gives it). */
export interface BuildForNotice {
  buildId: number;
  externalId: string;
  organizationId: number;
  organizationSlug: string;
  organizationName: string;
  projectId: number;
  projectName: string;
  pipelineName: string;
  pipelineReportsManual: boolean;
  status: 'running' | 'success' | 'failed' | 'terminated';
  trigger: 'push' | 'schedule' | 'manual' | 'api';
  startedBy: number | null;
  finishedAt: Date | null;
  commit: { sha: string; message: string; authorName: string };
  memberIds: number[];
}

/** How long a claimed batch is the claimant's: past it, another dispatcher takes the work over. */
export const claimMs = 60_000;
const batchSize = 50;

export type Dispatcher = ReturnType<typeof createDispatcher>;

/**
 * Turns accepted platform events into messages (DESIGN.md rule 12): claims waiting work, finds
 * who hears of each event and where (decide.ts: settings, addresses, own activity), and queues one
 * message per person in the outbox in one transaction with a delivery row per (event, person) and
 * the work marked done, so a message is queued once, whatever is reported twice or retried.
 * Deciding takes a fixed number of queries whatever the organization's size: the event and its
 * members, everyone's settings, everyone's addresses.
 *
 * Builds are dispatched today; work of other kinds stays waiting for the dispatch of its kind.
 */
export function createDispatcher(
  db: Db,
  deps: {
    now: () => number;
    /** This process's name in claims. */
    owner: string;
    buildForNotice: (buildId: number) => Promise<BuildForNotice | null>;
    settings: NotificationSettings;
    addressesOfEach: (userIds: readonly number[]) => Promise<Map<number, RoutableAddresses>>;
    recipientFor: RecipientLookup;
    outbox: Outbox;
    publicUrl: URL;
  },
) {
  const link = (path: string) => new URL(path, deps.publicUrl).href;

  const candidatesOf = async (memberIds: readonly number[]): Promise<Candidate[]> => {
    const [rows, addresses] = await Promise.all([deps.settings.rowsOfEach(memberIds, ['buildEmails', 'myActivity', 'emailRouting']), deps.addressesOfEach(memberIds)]);
    return memberIds.map((userId) => ({ userId, rows: rows.get(userId) ?? [], addresses: addresses.get(userId) ?? { primary: '', verified: [] } }));
  };

  const alreadyReached = async (work: ClaimedWork): Promise<Set<number>> => {
    const rows = await db
      .select({ userId: notificationDeliveries.userId })
      .from(notificationDeliveries)
      .where(and(eq(notificationDeliveries.eventKind, work.kind), eq(notificationDeliveries.eventRowId, work.rowId)));
    return new Set(rows.map((row) => row.userId));
  };

  const dispatchBuild = async (work: ClaimedWork): Promise<number> => {
    const build = await deps.buildForNotice(work.rowId);
    // Gone, or still running (its finished report brings work of its own): nothing to send.
    if (!build || build.status === 'running' || !build.finishedAt) {
      await inTransaction(db, (tx) => finishWork(tx, work.id, deps.owner));
      return 0;
    }
    const event: DecidedEvent = {
      kind: 'build',
      place: { organizationId: build.organizationId, projectId: build.projectId },
      status: build.status,
      trigger: build.trigger,
      pipelineReportsManual: build.pipelineReportsManual,
      startedBy: build.startedBy,
    };
    const candidates = await candidatesOf(build.memberIds);
    const reached = await alreadyReached(work);
    const messages: Array<{ userId: number; type: string; address: string; mail: OutgoingMail }> = [];
    for (const candidate of candidates) {
      const decision = decide(event, candidate);
      if (!decision.gets || reached.has(candidate.userId)) continue;
      const recipient = await deps.recipientFor(candidate.userId, decision.address);
      if (!recipient) continue;
      const t = translatorFor(recipient.preferences.language);
      const mail = composeMail(recipient, {
        kind: 'build-email',
        key: 'buildFinished',
        when: build.finishedAt,
        values: {
          build: build.externalId,
          pipeline: build.pipelineName,
          project: build.projectName,
          organization: build.organizationName,
          status: t(`mail.buildFinished.status.${build.status}`),
          setting: t(`mail.buildFinished.setting.${decision.value}`),
          sha: build.commit.sha.slice(0, 12),
          author: build.commit.authorName,
          message: (build.commit.message.split('\n')[0] ?? '').slice(0, 200),
          settingsUrl: link('/settings/notifications'),
        },
        paragraphs: ['intro', 'commit', 'why'],
        action: { url: link(`/orgs/${build.organizationSlug}/builds`) },
      });
      messages.push({ userId: candidate.userId, type: decision.type, address: decision.address, mail });
    }
    return inTransaction(db, async (tx) => {
      let queued = 0;
      for (const message of messages) {
        const [delivered] = await tx
          .insert(notificationDeliveries)
          .values({ eventKind: work.kind, eventRowId: work.rowId, userId: message.userId, type: message.type, address: message.address, createdAt: new Date(deps.now()) })
          .onConflictDoNothing()
          .returning({ id: notificationDeliveries.id });
        if (!delivered) continue;
        await deps.outbox.enqueue(message.mail, tx);
        queued++;
      }
      await finishWork(tx, work.id, deps.owner);
      return queued;
    });
  };

  return {
    /** Claims a batch of waiting build work and dispatches it. Answers how many pieces of work were done and messages queued. */
    async runOnce(): Promise<{ processed: number; queued: number }> {
      const now = deps.now();
      const claimed = await claimWork(db, deps.owner, new Date(now), new Date(now + claimMs), batchSize, ['build']);
      let queued = 0;
      for (const work of claimed) queued += await dispatchBuild(work);
      return { processed: claimed.length, queued };
    },
  };
}
