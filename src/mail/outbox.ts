import crypto from 'node:crypto';
import { and, count, desc, eq, gte, inArray, lte, or, sql } from 'drizzle-orm';
import { reusableQuery, type Db } from '../db/client.ts';
import { inTransaction } from '../db/transaction.ts';
import type { SecretBox } from '../lib/instance-keys.ts';
import { mailOutbox } from './tables.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** What the message is about (e.g. "verify-email"), for the outbox page. */
  kind: string;
  /** For notifications: the link that turns them off in one click (sent as List-Unsubscribe, RFC 8058). */
  unsubscribeUrl?: string;
}

const sealedBrand = Symbol('sealed mail');

/** A message sealed for the outbox (`seal`), to be queued later in a transaction. */
export interface SealedMail {
  recipient: string;
  subject: string;
  kind: string;
  sealedText: string;
  [sealedBrand]: true;
}

export interface ClaimedMail extends OutgoingMail {
  id: number;
  messageId: string;
  attempts: number;
}

export interface OutboxEntry {
  id: number;
  recipient: string;
  subject: string;
  kind: string;
  status: 'queued' | 'sending' | 'sent' | 'failed';
  attempts: number;
  createdAt: Date;
  sentAt: Date | null;
  nextAttemptAt: Date;
  lastError: string | null;
  text: string | null;
}

/** What the outbox page can be narrowed to; "waiting" covers messages being sent right now too. */
export const outboxFilters = ['all', 'waiting', 'sent', 'failed'] as const;
export type OutboxFilter = (typeof outboxFilters)[number];
const statusesOf: Record<Exclude<OutboxFilter, 'all'>, OutboxEntry['status'][]> = {
  waiting: ['queued', 'sending'],
  sent: ['sent'],
  failed: ['failed'],
};

export interface OutboxPage {
  entries: OutboxEntry[];
  /** The page shown (1-based; a page past the end shows the last one). */
  page: number;
  pages: number;
  /** How many messages each filter would show. */
  counts: Record<OutboxFilter, number>;
}

export const maximumAttempts = 12;
/**
 * How long a message being sent stays claimed; after a crash it is retried once this passes. A
 * sender renews its claim while the SMTP conversation lasts (`renewClaim`), so a slow server never
 * lets a second sender take a message that is still being sent.
 */
export const defaultClaimMs = 2 * 60 * 1000;

/** 1, 2, 4, 8 … minutes between attempts, at most 6 hours. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 6 * 60 * 60 * 1000);
}

export type Outbox = ReturnType<typeof createOutbox>;

// Every message queued goes through this one statement, built once per connection.
const insertMail = reusableQuery((db) =>
  db
    .insert(mailOutbox)
    .values({
      messageId: sql.placeholder('messageId'),
      recipient: sql.placeholder('recipient'),
      subject: sql.placeholder('subject'),
      kind: sql.placeholder('kind'),
      sealedText: sql.placeholder('sealedText'),
      sealedHtml: '',
      sealedUnsubscribeUrl: null,
      nextAttemptAt: sql.placeholder('at'),
      createdAt: sql.placeholder('at'),
    })
    .prepare(),
);

/** The durable queue in front of SMTP. */
export function createOutbox(db: Db, options: { box: SecretBox; now: () => number; messageIdDomain: string; onEnqueued?: () => void; claimMs?: number }) {
  const claimMs = options.claimMs ?? defaultClaimMs;
  /**
   * The bodies of a message (text, HTML, and its unsubscribe link) sealed as one box: one cipher per
   * message, not three, which is most of what queueing ten thousand messages costs. The box is kept
   * in `sealed_text`, and `sealed_html` holds "" to say so (rows of older versions sealed each part
   * on its own: `bodiesOf` reads both).
   */
  const sealBodies = (mail: OutgoingMail): string => options.box.seal(JSON.stringify([mail.text, mail.html, mail.unsubscribeUrl ?? null]));
  const bodiesOf = (row: { sealedText: string | null; sealedHtml: string | null; sealedUnsubscribeUrl: string | null }): { text: string; html: string; unsubscribeUrl: string | null } | null => {
    if (row.sealedText === null || row.sealedHtml === null) return null;
    if (row.sealedHtml === '') {
      const [text, html, unsubscribeUrl] = JSON.parse(options.box.open(row.sealedText)) as [string, string, string | null];
      return { text, html, unsubscribeUrl };
    }
    return { text: options.box.open(row.sealedText), html: options.box.open(row.sealedHtml), unsubscribeUrl: row.sealedUnsubscribeUrl ? options.box.open(row.sealedUnsubscribeUrl) : null };
  };

  /** A message made ready for the outbox (its bodies sealed), before the transaction that queues it: that transaction then only writes. */
  const seal = (mail: OutgoingMail): SealedMail => ({ recipient: mail.to, subject: mail.subject, kind: mail.kind, sealedText: sealBodies(mail), [sealedBrand]: true });

  async function enqueueMany(mails: ReadonlyArray<OutgoingMail | SealedMail>, tx: Db = db): Promise<void> {
    if (mails.length === 0) return;
    const now = new Date(options.now());
    const insert = insertMail(tx);
    for (const mail of mails) {
      const sealed = sealedBrand in mail ? mail : seal(mail);
      await insert.execute({
        messageId: `<${crypto.randomUUID()}@${options.messageIdDomain}>`,
        recipient: sealed.recipient,
        subject: sealed.subject,
        kind: sealed.kind,
        sealedText: sealed.sealedText,
        at: now,
      });
    }
    options.onEnqueued?.();
  }

  return {
    /** Queues a message; pass the transaction it belongs to, so it is sent only if that commits. */
    async enqueue(mail: OutgoingMail, tx: Db = db): Promise<void> {
      await enqueueMany([mail], tx);
    },

    /** Queues many messages (a notification's fan-out), in the caller's transaction; the worker is woken once. */
    enqueueMany,

    /** Seals a message for `enqueueMany` ahead of its transaction, so the transaction holds the database only to write. */
    seal,

    /** How many messages of kinds starting with `kindPrefix` were queued to any of `recipients` since `since` (sent or not): for limits on mail a person asks for. */
    async countQueuedSince(kindPrefix: string, recipients: readonly string[], since: Date, tx: Db = db): Promise<number> {
      if (recipients.length === 0) return 0;
      const [row] = await tx
        .select({ n: count() })
        .from(mailOutbox)
        .where(and(inArray(mailOutbox.recipient, [...recipients]), sql`substr(${mailOutbox.kind}, 1, ${kindPrefix.length}) = ${kindPrefix}`, gte(mailOutbox.createdAt, since)));
      return row?.n ?? 0;
    },

    /** Takes the next due message (or one whose sender died mid-send) and marks it as being sent. */
    async claimNext(): Promise<ClaimedMail | null> {
      const now = options.now();
      const row = await inTransaction(db, async (tx) => {
        const claimable = or(
          and(eq(mailOutbox.status, 'queued'), lte(mailOutbox.nextAttemptAt, new Date(now))),
          and(eq(mailOutbox.status, 'sending'), lte(mailOutbox.lockedUntil, new Date(now))),
        );
        const [due] = await tx.select({ id: mailOutbox.id }).from(mailOutbox).where(claimable).orderBy(mailOutbox.id).limit(1);
        if (!due) return null;
        // Claimed only if still claimable: a sender elsewhere that took it meanwhile keeps it.
        const [claimed] = await tx
          .update(mailOutbox)
          .set({ status: 'sending', lockedUntil: new Date(now + claimMs), attempts: sql`${mailOutbox.attempts} + 1` })
          .where(and(eq(mailOutbox.id, due.id), claimable))
          .returning();
        return claimed ?? null;
      });
      const bodies = row ? bodiesOf(row) : null;
      if (!row || !bodies) return null;
      return {
        id: row.id,
        messageId: row.messageId,
        attempts: row.attempts,
        to: row.recipient,
        subject: row.subject,
        kind: row.kind,
        text: bodies.text,
        html: bodies.html,
        ...(bodies.unsubscribeUrl ? { unsubscribeUrl: bodies.unsubscribeUrl } : {}),
      };
    },

    /** How long a claim lasts: a sender renews it well before (the worker, every third of it). */
    claimMs,

    /** Keeps a message being sent claimed for another `claimMs`, while it is still this attempt's (a later claim bumped the attempts). */
    async renewClaim(id: number, attempts: number): Promise<boolean> {
      const renewed = await db
        .update(mailOutbox)
        .set({ lockedUntil: new Date(options.now() + claimMs) })
        .where(and(eq(mailOutbox.id, id), eq(mailOutbox.status, 'sending'), eq(mailOutbox.attempts, attempts)))
        .returning({ id: mailOutbox.id });
      return renewed.length > 0;
    },

    /** Handed over: the bodies (and the links in them) are no longer kept. */
    async markSent(id: number): Promise<void> {
      await db
        .update(mailOutbox)
        .set({ status: 'sent', sentAt: new Date(options.now()), lockedUntil: null, sealedText: null, sealedHtml: null, sealedUnsubscribeUrl: null, lastError: null })
        .where(eq(mailOutbox.id, id));
    },

    async markFailed(id: number, attempts: number, error: string): Promise<void> {
      const giveUp = attempts >= maximumAttempts;
      await db
        .update(mailOutbox)
        .set({
          status: giveUp ? 'failed' : 'queued',
          // A message given up on keeps no body: its links would otherwise stay readable for ever.
          ...(giveUp ? { sealedText: null, sealedHtml: null, sealedUnsubscribeUrl: null } : {}),
          lockedUntil: null,
          nextAttemptAt: new Date(options.now() + retryDelayMs(attempts)),
          lastError: error.slice(0, 500),
        })
        .where(eq(mailOutbox.id, id));
    },

    /** When the next message falls due, to know how long the worker may sleep. */
    async nextDueAt(): Promise<Date | null> {
      const [row] = await db
        .select({ at: sql<number>`min(${mailOutbox.nextAttemptAt})` })
        .from(mailOutbox)
        .where(inArray(mailOutbox.status, ['queued']));
      return row?.at ? new Date(row.at) : null;
    },

    /** Newest first, for the administrator's outbox page; bodies only while still unsent. */
    async list(limit: number): Promise<OutboxEntry[]> {
      return (await pageOf({ filter: 'all', page: 1, perPage: limit })).entries;
    },

    page: pageOf,
  };

  /** One page of the outbox, newest first, narrowed to one state. */
  async function pageOf(query: { filter: OutboxFilter; page: number; perPage: number }): Promise<OutboxPage> {
    const byStatus = await db.select({ status: mailOutbox.status, n: count() }).from(mailOutbox).groupBy(mailOutbox.status);
    const countOf = (statuses: OutboxEntry['status'][]) => byStatus.filter((row) => statuses.includes(row.status)).reduce((sum, row) => sum + row.n, 0);
    const counts: Record<OutboxFilter, number> = {
      all: byStatus.reduce((sum, row) => sum + row.n, 0),
      waiting: countOf(statusesOf.waiting),
      sent: countOf(statusesOf.sent),
      failed: countOf(statusesOf.failed),
    };
    const pages = Math.max(1, Math.ceil(counts[query.filter] / query.perPage));
    const page = Math.min(query.page, pages);
    const rows = await db
      .select()
      .from(mailOutbox)
      .where(query.filter === 'all' ? undefined : inArray(mailOutbox.status, statusesOf[query.filter]))
      .orderBy(desc(mailOutbox.id))
      .limit(query.perPage)
      .offset((page - 1) * query.perPage);
    return { entries: rows.map(toEntry), page, pages, counts };
  }

  function toEntry(row: typeof mailOutbox.$inferSelect): OutboxEntry {
    return {
      id: row.id,
      recipient: row.recipient,
      subject: row.subject,
      kind: row.kind,
      status: row.status,
      attempts: row.attempts,
      createdAt: row.createdAt,
      sentAt: row.sentAt,
      nextAttemptAt: row.nextAttemptAt,
      lastError: row.lastError,
      text: bodiesOf(row)?.text ?? null,
    };
  }
}
