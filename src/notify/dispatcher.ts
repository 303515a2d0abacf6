import { and, eq, sql } from 'drizzle-orm';
import { reusableQuery, type Db } from '../db/client.ts';
import { inTransaction } from '../db/transaction.ts';
import { composeMailTemplate, type PersonalPart } from '../mail/compose.ts';
import { translatorFor } from '../web/i18n.ts';
import type { Outbox, OutgoingMail, SealedMail } from '../mail/outbox.ts';
import { decide, typeOfEvent, type Candidate, type Decision } from './decide.ts';
import type { ActivityNotice, BuildNotice, DeployNotice, IssueEventNotice } from './notice-types.ts';
import { activityNotice, buildNotice, deployNotice, newIssueNotice, type Notice } from './notices.ts';
import type { RecipientFacts, RecipientsLookup } from './recipients.ts';
import { allowsScope, notificationTypes, type NotificationType } from './registry.ts';
import type { NotificationSettings } from './settings.ts';
import { notificationDeliveries, notificationEventKinds, type DeliveryEventKind } from './tables.ts';
import type { UnsubscribeTarget, UnsubscribeTokens } from './unsubscribe-token.ts';
import { claimWork, finishWork, type ClaimedWork } from './work.ts';

/** How long a claimed batch is the claimant's: past it, another dispatcher takes the work over. */
export const claimMs = 60_000;
const batchSize = 50;
const settingTypesRead = ['buildEmails', 'deploys', 'issueAlerts', 'workflow', 'myActivity', 'emailRouting'] as const;

export type Dispatcher = ReturnType<typeof createDispatcher>;

/**
 * Turns accepted platform events into messages (DESIGN.md rule 12): claims waiting work, finds
 * who hears of each event and where (decide.ts: settings, addresses, own activity), and queues one
 * message per person in the outbox in one transaction with a delivery row per (event, person) and
 * the work marked done, so a message is queued once, whatever is reported twice or retried.
 * Deciding takes a fixed number of queries whatever the organization's size: the event and its
 * members, everyone's settings, everyone's addresses.
 *
 * Builds, deploys, new issues, regressions and issue workflow (assignment, resolution, comments)
 * are dispatched here; security notices are delivered at once by `deliverNow`, in the transaction
 * of their event, with no setting read (they cannot be turned off).
 */
export function createDispatcher(
  db: Db,
  deps: {
    now: () => number;
    /** This process's name in claims. */
    owner: string;
    /** The platform's events, read for notices (platform/notice-events.ts). */
    events: {
      build(id: number): Promise<BuildNotice | null>;
      deploy(id: number): Promise<DeployNotice | null>;
      newIssue(eventId: number): Promise<IssueEventNotice | null>;
      activity(id: number): Promise<ActivityNotice | null>;
    };
    /** People's names, for "assigned by …" (null: Dials itself). */
    namesOf: (userIds: readonly number[]) => Promise<Map<number, string>>;
    settings: NotificationSettings;
    /** Names, languages, formats and addresses of many people in a fixed number of queries (recipients.ts). */
    recipientsOf: RecipientsLookup;
    outbox: Outbox;
    publicUrl: URL;
    unsubscribeTokens: UnsubscribeTokens;
    log: { warn(object: object, message: string): void };
  },
) {
  const link = (path: string) => new URL(path, deps.publicUrl).href;

  /**
   * The members who may hear of it, with their settings, addresses, names and formats. When the
   * type's default is off (build e-mails), only those with a setting of their own can, and only they
   * are looked up: most builds then cost one query here.
   */
  const candidatesOf = async (notice: Notice): Promise<Array<Candidate & { facts: RecipientFacts }>> => {
    const rows = await deps.settings.rowsOfEach(notice.memberIds, settingTypesRead);
    const type = typeOfEvent[notice.event.kind];
    const defaultReachesNoOne = notificationTypes[type].default === notificationTypes[type].off;
    const interested = defaultReachesNoOne ? notice.memberIds.filter((userId) => rows.get(userId)?.some((row) => row.type === type)) : notice.memberIds;
    if (interested.length === 0) return [];
    const facts = await deps.recipientsOf(interested);
    return interested.flatMap((userId) => {
      const found = facts.get(userId);
      return found ? [{ userId, rows: rows.get(userId) ?? [], addresses: found.addresses, facts: found }] : [];
    });
  };

  const reachedQuery = db
    .select({ userId: notificationDeliveries.userId })
    .from(notificationDeliveries)
    .where(and(eq(notificationDeliveries.eventKind, sql.placeholder('kind')), eq(notificationDeliveries.eventRowId, sql.placeholder('rowId'))))
    .prepare();
  const alreadyReached = async (work: ClaimedWork): Promise<Set<number>> =>
    new Set((await reachedQuery.execute({ kind: work.kind, rowId: work.rowId })).map((row) => row.userId));

  const noticeFor = async (work: ClaimedWork): Promise<Notice | null> => {
    switch (work.kind) {
      case 'build': {
        const build = await deps.events.build(work.rowId);
        return build && buildNotice(build, link);
      }
      case 'deploy': {
        const deploy = await deps.events.deploy(work.rowId);
        return deploy && deployNotice(deploy, link);
      }
      case 'issueEvent': {
        const issue = await deps.events.newIssue(work.rowId);
        return issue && newIssueNotice(issue, link);
      }
      case 'issueActivity': {
        const activity = await deps.events.activity(work.rowId);
        if (!activity) return null;
        const names = await deps.namesOf([activity.actorId, activity.assigneeId].filter((id): id is number => id !== null));
        return activityNotice(activity, link, (userId) => (userId === null ? 'Dials' : (names.get(userId) ?? '')));
      }
    }
  };

  /** Queues the messages of one piece of work; false when it had none to send (it is then marked done with the batch's others). */
  const dispatch = async (work: ClaimedWork): Promise<number | false> => {
    const notice = await noticeFor(work);
    // Gone, a build still running, a later event of a known issue: nothing to send.
    if (!notice) return false;
    const candidates = await candidatesOf(notice);
    if (candidates.length === 0) return false;
    const reached = await alreadyReached(work);
    const messages: Array<{ userId: number; type: NotificationType; address: string; mail: SealedMail }> = [];
    // Everyone who reads the message alike (language, zone, clock, date format, the setting it names,
    // the place its unsubscribe link is for) gets one composition, filled in with their name and link.
    const compositions = new Map<string, (personal: PersonalPart) => OutgoingMail>();
    for (const candidate of candidates) {
      const decision = decide(notice.event, candidate);
      if (!decision.gets || reached.has(candidate.userId)) continue;
      const { name, preferences, addresses } = candidate.facts;
      const confirmed = addresses.verified.includes(decision.address);
      const target = unsubscribeTargetOf(notice, decision);
      const key = JSON.stringify([preferences.language, preferences.timeZone, preferences.clock24h, preferences.dateFormat, confirmed, decision.type, decision.value, target.scope, target.scopeId]);
      let compose = compositions.get(key);
      if (!compose) {
        const t = translatorFor(preferences.language);
        const unsubscribe = { url: '', label: t('mail.unsubscribe', { place: target.scope === 'project' ? notice.names.project : notice.names.organization }) };
        compose = composeMailTemplate({ confirmed, preferences }, { ...notice.content(t, decision), unsubscribe });
        compositions.set(key, compose);
      }
      const mail = compose({ address: decision.address, name, unsubscribeUrl: link(`/unsubscribe/${deps.unsubscribeTokens.sign(target)}`) });
      // Sealed now, so the transaction below only writes.
      messages.push({ userId: candidate.userId, type: decision.type, address: decision.address, mail: deps.outbox.seal(mail) });
    }
    return inTransaction(db, async (tx) => {
      const at = new Date(deps.now());
      const queued = await deliverNow(
        tx,
        deps.outbox,
        messages.map((message) => ({ delivery: { eventKind: work.kind, eventRowId: work.rowId, userId: message.userId, type: message.type, address: message.address, at }, mail: message.mail })),
      );
      await finishWork(tx, [work.id], deps.owner);
      return queued;
    });
  };

  return {
    /** Claims a batch of waiting work and dispatches it. Answers how many pieces of work were done and messages queued. */
    async runOnce(): Promise<{ processed: number; queued: number }> {
      const now = deps.now();
      const claimed = await claimWork(db, deps.owner, new Date(now), new Date(now + claimMs), batchSize, notificationEventKinds);
      let queued = 0;
      const nothingToSend: number[] = [];
      for (const work of claimed) {
        try {
          const sent = await dispatch(work);
          if (sent === false) nothingToSend.push(work.id);
          else queued += sent;
        } catch (error) {
          // Left claimed: tried again once its claim lapses, and the rest of the batch goes on.
          deps.log.warn({ err: error, workId: work.id, kind: work.kind }, 'dispatching a notification failed; tried again later');
        }
      }
      if (nothingToSend.length > 0) await inTransaction(db, (tx) => finishWork(tx, nothingToSend, deps.owner));
      return { processed: claimed.length, queued };
    },
  };
}

/**
 * What a message's unsubscribe link turns off: the type for the place whose setting let it
 * through, or, when the person's own default did, the narrowest place the type can be set for.
 */
function unsubscribeTargetOf(notice: Notice, decision: Extract<Decision, { gets: true }>): UnsubscribeTarget {
  const place = notice.event.place;
  const by = decision.decidedBy;
  if (by !== 'default' && by.scope !== 'user' && by.scopeId !== null) return { userId: decision.userId, type: decision.type, scope: by.scope, scopeId: by.scopeId };
  if (place.projectId !== null && allowsScope(decision.type, 'project')) return { userId: decision.userId, type: decision.type, scope: 'project', scopeId: place.projectId };
  return { userId: decision.userId, type: decision.type, scope: 'organization', scopeId: place.organizationId };
}

/** One message about one event for one person, as `deliverNow` records it. */
export interface Delivery {
  eventKind: DeliveryEventKind;
  /** The event's row: the build, deploy, issue event, activity, or security event. */
  eventRowId: number;
  userId: number;
  type: NotificationType;
  address: string;
  at: Date;
}

/**
 * Delivers messages now, on `tx` (the transaction of their event, or of the dispatcher's batch): a
 * delivery row and an outbox row each, both or neither. A delivery of the same event to the same
 * person that exists already is not made again, and its message is not queued. Every
 * notification goes through here, the dispatcher's fan-outs and the security notices alike.
 * Answers how many messages were queued.
 */
export async function deliverNow(tx: Db, outbox: Outbox, messages: ReadonlyArray<{ delivery: Delivery; mail: OutgoingMail | SealedMail }>): Promise<number> {
  const insert = insertDelivery(tx);
  const queued: Array<OutgoingMail | SealedMail> = [];
  for (const { delivery, mail } of messages) {
    const [delivered] = await insert.execute({
      eventKind: delivery.eventKind,
      eventRowId: delivery.eventRowId,
      userId: delivery.userId,
      type: delivery.type,
      address: delivery.address,
      createdAt: delivery.at,
    });
    if (delivered) queued.push(mail);
  }
  await outbox.enqueueMany(queued, tx);
  return queued.length;
}

const insertDelivery = reusableQuery((db) =>
  db
    .insert(notificationDeliveries)
    .values({
      eventKind: sql.placeholder('eventKind'),
      eventRowId: sql.placeholder('eventRowId'),
      userId: sql.placeholder('userId'),
      type: sql.placeholder('type'),
      address: sql.placeholder('address'),
      createdAt: sql.placeholder('createdAt'),
    })
    .onConflictDoNothing()
    .returning({ id: notificationDeliveries.id })
    .prepare(),
);
