import { and, asc, count, desc, eq, gt, isNull, lt, lte, sql } from 'drizzle-orm';
import type { SecondFactor } from '../../auth/second-factor.ts';
import type { SecurityLog } from '../../auth/security-log.ts';
import type { Db } from '../../db/client.ts';
import { createHeldAnswers } from '../../db/change-watch.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { Actor, ApiKeyActor, ClientDetails } from '../../lib/actor.ts';
import type { ApiKeyNotices } from '../../notify/api-key-notices.ts';
import { generateKey, keyDigest, parseKey, sameDigest } from './key-format.ts';
import { firstBeyond, normaliseScopes, scopesFromText, scopesToText, type Scope } from './scopes.ts';
import { apiKeys, apiKeyUses } from './tables.ts';

export type ApiKeysService = ReturnType<typeof createApiKeysService>;

/** A key as its owner sees it in the list: never its secret or digest. */
export interface ApiKeySummary {
  id: string;
  name: string;
  scopes: Scope[];
  preview: string;
  createdAt: Date;
  expiresAt: Date | null;
  expired: boolean;
  lastUsed: { at: Date; ipAddress: string; userAgent: string } | null;
}

export interface ApiKeyUse {
  at: Date;
  method: string;
  path: string;
  status: number;
  ipAddress: string;
}

export interface NewKey {
  name: string;
  scopes: Scope[];
  expiresAt: Date | null;
}

export type CreateKeyResult =
  | { ok: true; key: ApiKeySummary; secret: string }
  /** A key asked for a scope it does not have itself. */
  | { ok: false; reason: 'scopeBeyondCaller'; scope: Scope }
  /** A key asked for a key that outlives it. */
  | { ok: false; reason: 'expiryBeyondCaller' }
  /** The account has a second factor, and the calling key was made without passing it. */
  | { ok: false; reason: 'secondFactorRequired' }
  | { ok: false; reason: 'noScopes' | 'expiryInPast' | 'tooMany' | 'notAllowed' };
export type ChangeKeyResult = { ok: true; key: ApiKeySummary } | { ok: false; reason: 'notFound' | 'noScopes' | 'notAllowed' } | { ok: false; reason: 'scopeBeyondCaller'; scope: Scope };
export type RevokeKeyResult = { ok: true; name: string } | { ok: false; reason: 'notFound' };
/** `malformed`: not a Dials key or a wrong checksum. `rejected`: unknown, expired or revoked, told apart to no one. */
export type AuthenticateResult = { ok: true; actor: ApiKeyActor } | { ok: false; reason: 'malformed' | 'rejected' };

export const keysPerAccount = 100;
export const usesKeptPerKey = 100;
export const usesKeptMs = 30 * 24 * 60 * 60 * 1000;
/** How long before a key expires its owner is told. */
export const expiryNoticeMs = 7 * 24 * 60 * 60 * 1000;
const flushAfterMs = 1000;

type KeyRow = typeof apiKeys.$inferSelect;

/**
 * Personal API keys of the user the actor acts for: made, listed, renamed, rescoped, revoked; and
 * the check of a presented key, with the trail of the calls made with it.
 */
export function createApiKeysService(
  db: Db,
  deps: {
    now: () => number;
    securityLog: SecurityLog;
    secondFactor: SecondFactor;
    apiKeyNotices: ApiKeyNotices;
    log: { warn(object: object, message: string): void };
  },
) {
  // Only what the check of a presented key needs: it runs on every API call.
  const byId = db
    .select({ id: apiKeys.id, userId: apiKeys.userId, scopes: apiKeys.scopes, digest: apiKeys.digest, expiresAt: apiKeys.expiresAt })
    .from(apiKeys)
    .where(eq(apiKeys.id, sql.placeholder('id')))
    .prepare();
  type CheckedKey = Awaited<ReturnType<typeof byId.execute>>[number];
  // Keys that held, by id, until anything is written (db/change-watch.ts): every API call checks
  // its key, and a revocation, a change of scopes or a deleted account is a write, after which
  // the next call reads the row again. Unknown ids are never kept, so guessing cannot fill it.
  const heldKeys = createHeldAnswers<string, CheckedKey | undefined>(db);
  const checkedKey = (id: string): Promise<CheckedKey | undefined> => heldKeys.get(id, async () => (await byId.execute({ id }))[0]);

  const summaryOf = (row: KeyRow): ApiKeySummary => ({
    id: row.id,
    name: row.name,
    scopes: scopesFromText(row.scopes),
    preview: row.preview,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    expired: row.expiresAt !== null && row.expiresAt.getTime() <= deps.now(),
    lastUsed: row.lastUsedAt ? { at: row.lastUsedAt, ipAddress: row.lastUsedIp ?? '', userAgent: row.lastUsedUserAgent ?? '' } : null,
  });

  const ownRow = async (actor: Actor, keyId: string, tx: Db = db): Promise<KeyRow | undefined> =>
    (await tx.select().from(apiKeys).where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, actor.userId))))[0];

  type WaitingUse = ApiKeyUse & { userAgent: string };
  // Per key, the calls noted since the last write; only the newest 100 can be kept, so no more wait.
  let waiting = new Map<string, WaitingUse[]>();
  let flushTimer: NodeJS.Timeout | null = null;

  const flushUses = async (): Promise<void> => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (waiting.size === 0) return;
    const byKey = waiting;
    waiting = new Map();
    await inTransaction(db, async (tx) => {
      for (const [keyId, uses] of byKey) {
        const last = uses.at(-1);
        if (!last) continue;
        const [updated] = await tx
          .update(apiKeys)
          .set({ lastUsedAt: last.at, lastUsedIp: last.ipAddress, lastUsedUserAgent: last.userAgent })
          .where(eq(apiKeys.id, keyId))
          .returning({ id: apiKeys.id });
        // Revoked meanwhile: its trail went with it.
        if (!updated) continue;
        await tx.insert(apiKeyUses).values(uses.slice(-usesKeptPerKey).map(({ userAgent: _agent, ...use }) => ({ keyId, ...use })));
        const [oldest] = await tx
          .select({ id: apiKeyUses.id })
          .from(apiKeyUses)
          .where(eq(apiKeyUses.keyId, keyId))
          .orderBy(desc(apiKeyUses.id))
          .limit(1)
          .offset(usesKeptPerKey);
        if (oldest) await tx.delete(apiKeyUses).where(and(eq(apiKeyUses.keyId, keyId), sql`${apiKeyUses.id} <= ${oldest.id}`));
      }
    });
  };
  const flushInBackground = () => flushUses().catch((error: unknown) => deps.log.warn({ err: error }, 'writing API key uses failed'));

  /** The key an API actor came with, to bound what it may make. */
  const callerKey = async (actor: ApiKeyActor): Promise<KeyRow | undefined> => ownRow(actor, actor.keyId);

  return {
    async list(actor: Actor): Promise<ApiKeySummary[]> {
      await flushUses();
      const rows = await db.select().from(apiKeys).where(eq(apiKeys.userId, actor.userId)).orderBy(desc(apiKeys.createdAt), asc(apiKeys.id));
      return rows.map(summaryOf);
    },

    /** One of the user's keys; another user's is not found. */
    async find(actor: Actor, keyId: string): Promise<ApiKeySummary | undefined> {
      await flushUses();
      const row = await ownRow(actor, keyId);
      return row ? summaryOf(row) : undefined;
    },

    /**
     * Makes a key; its text is in the answer and nowhere else, ever. A person's session must be in
     * sudo mode (the route asks for it). A key with `keys:write` may make a key within its own
     * scopes and lifetime, and only if it was itself made past the account's second factor, so a
     * password alone never leads to a key on an account that has one (SECURITY.md rules 6, 20).
     */
    async create(actor: Actor, input: NewKey, client: ClientDetails): Promise<CreateKeyResult> {
      const scopes = normaliseScopes(input.scopes);
      if (scopes.length === 0) return { ok: false, reason: 'noScopes' };
      if (input.expiresAt && input.expiresAt.getTime() <= deps.now()) return { ok: false, reason: 'expiryInPast' };
      let secondFactor: boolean;
      if (actor.via === 'session') {
        // Sudo mode on an account with a second factor was entered with it.
        secondFactor = await deps.secondFactor.isEnrolled(actor.userId);
      } else if (actor.via === 'apiKey') {
        const caller = await callerKey(actor);
        if (!caller) return { ok: false, reason: 'notAllowed' };
        const beyond = firstBeyond(scopes, scopesFromText(caller.scopes));
        if (beyond) return { ok: false, reason: 'scopeBeyondCaller', scope: beyond };
        if (caller.expiresAt && (!input.expiresAt || input.expiresAt > caller.expiresAt)) return { ok: false, reason: 'expiryBeyondCaller' };
        if (!caller.secondFactor && (await deps.secondFactor.isEnrolled(actor.userId))) return { ok: false, reason: 'secondFactorRequired' };
        secondFactor = caller.secondFactor;
      } else {
        return { ok: false, reason: 'notAllowed' };
      }
      const made = generateKey();
      const createdAt = deps.now();
      // A key that starts inside the notice window is not "expiring soon" news: its owner just chose that expiry.
      const expiryNoticeAt = input.expiresAt && input.expiresAt.getTime() - createdAt <= expiryNoticeMs ? new Date(createdAt) : null;
      const row = await inTransaction(db, async (tx): Promise<KeyRow | null> => {
        const [held] = await tx.select({ total: count() }).from(apiKeys).where(eq(apiKeys.userId, actor.userId));
        if ((held?.total ?? 0) >= keysPerAccount) return null;
        const [inserted] = await tx
          .insert(apiKeys)
          .values({
            id: made.id,
            userId: actor.userId,
            name: input.name,
            scopes: scopesToText(scopes),
            digest: keyDigest(made.key),
            preview: made.preview,
            secondFactor,
            createdAt: new Date(createdAt),
            expiresAt: input.expiresAt,
            expiryNoticeAt,
          })
          .returning();
        return inserted ?? null;
      });
      if (!row) return { ok: false, reason: 'tooMany' };
      await deps.securityLog.record(actor.userId, 'apiKey.created', client, { values: { name: row.name, scopes: scopes.join(', ') } });
      return { ok: true, key: summaryOf(row), secret: made.key };
    },

    async rename(actor: Actor, keyId: string, name: string): Promise<ChangeKeyResult> {
      const [row] = await db.update(apiKeys).set({ name }).where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, actor.userId))).returning();
      return row ? { ok: true, key: summaryOf(row) } : { ok: false, reason: 'notFound' };
    },

    /** New scopes for a key: any the person may use from their session; from a key, only within its own. */
    async setScopes(actor: Actor, keyId: string, requested: Scope[], client: ClientDetails): Promise<ChangeKeyResult> {
      const scopes = normaliseScopes(requested);
      if (scopes.length === 0) return { ok: false, reason: 'noScopes' };
      if (actor.via === 'apiKey') {
        const caller = await callerKey(actor);
        const beyond = caller ? firstBeyond(scopes, scopesFromText(caller.scopes)) : null;
        if (!caller) return { ok: false, reason: 'notAllowed' };
        if (beyond) return { ok: false, reason: 'scopeBeyondCaller', scope: beyond };
      } else if (actor.via !== 'session') {
        return { ok: false, reason: 'notAllowed' };
      }
      const changed = await inTransaction(db, async (tx) => {
        const before = await ownRow(actor, keyId, tx);
        if (!before) return null;
        const [after] = await tx.update(apiKeys).set({ scopes: scopesToText(scopes) }).where(eq(apiKeys.id, keyId)).returning();
        return after ? { before: scopesFromText(before.scopes), after } : null;
      });
      if (!changed) return { ok: false, reason: 'notFound' };
      const row = changed.after;
      // A key that can do more is news to its owner, as a new key is; one that can do less is not.
      const notice = firstBeyond(scopes, changed.before) ? { values: { name: row.name, scopes: scopes.join(', ') } } : undefined;
      await deps.securityLog.record(actor.userId, 'apiKey.scopesChanged', client, notice);
      return { ok: true, key: summaryOf(row) };
    },

    /** Deletes the key (and its trail): the next request with it is refused. */
    async revoke(actor: Actor, keyId: string, client: ClientDetails): Promise<RevokeKeyResult> {
      const [row] = await db
        .delete(apiKeys)
        .where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, actor.userId)))
        .returning({ name: apiKeys.name });
      if (!row) return { ok: false, reason: 'notFound' };
      await deps.securityLog.record(actor.userId, 'apiKey.revoked', client);
      return { ok: true, name: row.name };
    },

    /**
     * Deletes the user's keys made without passing a second factor, in the transaction that
     * turns one on: a key a password alone could make must not outlive that. Answers their names.
     */
    async revokeMadeWithoutSecondFactor(userId: number, tx: Db): Promise<string[]> {
      const revoked = await tx
        .delete(apiKeys)
        .where(and(eq(apiKeys.userId, userId), eq(apiKeys.secondFactor, false)))
        .returning({ name: apiKeys.name });
      return revoked.map((key) => key.name);
    },

    /** Who a presented key acts for. Digests are compared in constant time. */
    async authenticate(key: string): Promise<AuthenticateResult> {
      const parsed = parseKey(key);
      if (!parsed) return { ok: false, reason: 'malformed' };
      // Hashed before the lookup, so an unknown id costs the same work as a known one.
      const digest = keyDigest(key);
      const row = await checkedKey(parsed.id);
      if (!row || !sameDigest(row.digest, digest)) return { ok: false, reason: 'rejected' };
      if (row.expiresAt && row.expiresAt.getTime() <= deps.now()) return { ok: false, reason: 'rejected' };
      return { ok: true, actor: { via: 'apiKey', userId: row.userId, keyId: row.id, scopes: scopesFromText(row.scopes) } };
    },

    /**
     * Notes a call made with a key: its last use, and the trail (the newest 100, 30 days). The
     * note waits in memory for at most a second (the newest 100 per key: no more can be kept), then all waiting notes are written
     * in one transaction: a call costs no write of its own. Every read of keys or trails writes
     * what waits first, so they always show the calls made.
     */
    recordUse(keyId: string, use: Omit<ApiKeyUse, 'at'> & { userAgent: string }): void {
      // Every column has a value, so one odd call can never fail the write of everyone's notes.
      const noted: WaitingUse = { at: new Date(deps.now()), ...use, ipAddress: use.ipAddress ?? '', path: use.path.slice(0, 300), userAgent: use.userAgent.slice(0, 512) };
      const uses = waiting.get(keyId);
      if (!uses) waiting.set(keyId, [noted]);
      else if (uses.push(noted) >= 2 * usesKeptPerKey) uses.splice(0, uses.length - usesKeptPerKey);
      if (!flushTimer) {
        flushTimer = setTimeout(() => void flushInBackground(), flushAfterMs);
        flushTimer.unref();
      }
    },

    /** Writes the calls noted and not yet written (before reads, at shutdown). */
    flushUses,

    /** The trail of one of the user's keys, newest first; another user's key has none. */
    async uses(actor: Actor, keyId: string): Promise<ApiKeyUse[]> {
      await flushUses();
      if (!(await ownRow(actor, keyId))) return [];
      const since = new Date(deps.now() - usesKeptMs);
      const rows = await db
        .select({ at: apiKeyUses.at, method: apiKeyUses.method, path: apiKeyUses.path, status: apiKeyUses.status, ipAddress: apiKeyUses.ipAddress })
        .from(apiKeyUses)
        .where(eq(apiKeyUses.keyId, keyId))
        .orderBy(desc(apiKeyUses.id))
        .limit(usesKeptPerKey);
      return rows.filter((row) => row.at >= since);
    },

    /** Forgets calls older than 30 days; run by the periodic sweep. */
    async sweepUses(): Promise<void> {
      await db.delete(apiKeyUses).where(lt(apiKeyUses.at, new Date(deps.now() - usesKeptMs)));
    },

    /**
     * Mails the owner of every key that expires within 7 days, once per key: the mark is set in
     * the same transaction that queues the mail, so a crash sends it neither twice nor never, and a
     * Dials that was down catches up at its next sweep. Answers how many were sent.
     */
    async sendExpiryNotices(): Promise<number> {
      const now = deps.now();
      const due = await db
        .select({ id: apiKeys.id, userId: apiKeys.userId, name: apiKeys.name, expiresAt: apiKeys.expiresAt })
        .from(apiKeys)
        .where(and(isNull(apiKeys.expiryNoticeAt), gt(apiKeys.expiresAt, new Date(now)), lte(apiKeys.expiresAt, new Date(now + expiryNoticeMs))));
      let sent = 0;
      for (const key of due) {
        if (!key.expiresAt) continue;
        const expiresAt = key.expiresAt;
        // The recipient is looked up before the transaction; only the mark and the queued mail are in it.
        await deps.apiKeyNotices.expiring(key.userId, { name: key.name, expiresAt }, async (enqueue) =>
          inTransaction(db, async (tx) => {
            const [marked] = await tx
              .update(apiKeys)
              .set({ expiryNoticeAt: new Date(now) })
              .where(and(eq(apiKeys.id, key.id), isNull(apiKeys.expiryNoticeAt)))
              .returning({ id: apiKeys.id });
            if (!marked) return;
            await enqueue(tx);
            sent++;
          }),
        );
      }
      return sent;
    },
  };
}
