import { and, asc, count, eq, inArray, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { chunksOf } from '../lib/chunks.ts';
import { inTransaction } from '../db/transaction.ts';
import { normalizeEmail } from './users.ts';
import { userEmails, users } from './tables.ts';

export interface EmailAddress {
  id: number;
  address: string;
  verifiedAt: Date | null;
  isPrimary: boolean;
  createdAt: Date;
}

export const maximumAddresses = 10;

export type EmailAddressBook = ReturnType<typeof createEmailAddressBook>;

/** A person's e-mail addresses. Every lookup is scoped by the owner. */
export function createEmailAddressBook(db: Db, now: () => number) {
  const columns = {
    id: userEmails.id,
    address: userEmails.address,
    verifiedAt: userEmails.verifiedAt,
    isPrimary: userEmails.isPrimary,
    createdAt: userEmails.createdAt,
  };
  /**
   * A primary row, written as a literal: SQLite prepares a statement again on every run when a bound
   * value could change its plan, as `is_primary = ?` can with the partial unique index (measured here:
   * six times slower on the account page's lookup).
   */
  const isPrimary = sql`${userEmails.isPrimary} = 1`;
  /** Rows that make an address someone's: confirmed, or an account's primary (log-in) address. */
  const owned = or(sql`${userEmails.verifiedAt} is not null`, isPrimary);
  const listQuery = db
    .select(columns)
    .from(userEmails)
    .where(eq(userEmails.userId, sql.placeholder('userId')))
    .orderBy(sql`${userEmails.isPrimary} desc`, asc(userEmails.createdAt), asc(userEmails.id))
    .prepare();
  const primaryQuery = db
    .select(columns)
    .from(userEmails)
    .where(and(eq(userEmails.userId, sql.placeholder('userId')), isPrimary))
    .prepare();

  /** One of the person's addresses; another person's is not found. */
  async function findOwn(userId: number, emailId: number, tx: Db = db): Promise<EmailAddress | undefined> {
    return (await tx.select(columns).from(userEmails).where(and(eq(userEmails.userId, userId), eq(userEmails.id, emailId))))[0];
  }

  return {
    async list(userId: number): Promise<EmailAddress[]> {
      return listQuery.execute({ userId });
    },

    /** The addresses of each of `userIds`, in one query (for the notification dispatcher). */
    async listOfEach(userIds: readonly number[]): Promise<Map<number, EmailAddress[]>> {
      const byUser = new Map<number, EmailAddress[]>(userIds.map((userId) => [userId, []]));
      for (const chunk of chunksOf(userIds)) {
        const rows = await db.select({ userId: userEmails.userId, ...columns }).from(userEmails).where(inArray(userEmails.userId, chunk));
        for (const { userId, ...address } of rows) byUser.get(userId)?.push(address);
      }
      return byUser;
    },

    find: findOwn,

    async primaryOf(userId: number): Promise<EmailAddress | undefined> {
      return (await primaryQuery.execute({ userId }))[0];
    },

    /**
     * Whose address this is, if anyone's: only a confirmed address or an account's primary one
     * counts (for log-in, password resets and sign-up); unconfirmed claims belong to no one.
     */
    async owner(address: string): Promise<{ userId: number; emailId: number; verified: boolean; isPrimary: boolean } | undefined> {
      const [row] = await db
        .select({ userId: userEmails.userId, emailId: userEmails.id, verifiedAt: userEmails.verifiedAt, isPrimary: userEmails.isPrimary })
        .from(userEmails)
        .where(and(eq(userEmails.address, normalizeEmail(address)), owned))
        .limit(1);
      return row ? { userId: row.userId, emailId: row.emailId, verified: row.verifiedAt !== null, isPrimary: row.isPrimary } : undefined;
    },

    /** Whether the address is one of the person's, confirmed. */
    async isConfirmed(userId: number, address: string, tx: Db = db): Promise<boolean> {
      const [row] = await tx
        .select({ verifiedAt: userEmails.verifiedAt })
        .from(userEmails)
        .where(and(eq(userEmails.userId, userId), eq(userEmails.address, normalizeEmail(address))))
        .limit(1);
      return Boolean(row?.verifiedAt);
    },

    /** The id of one of the person's own addresses, confirmed or not; pass the transaction it is asked in, if any. */
    async idOf(userId: number, address: string, tx: Db = db): Promise<number | undefined> {
      const [row] = await tx
        .select({ id: userEmails.id })
        .from(userEmails)
        .where(and(eq(userEmails.userId, userId), eq(userEmails.address, normalizeEmail(address))))
        .limit(1);
      return row?.id;
    },

    /**
     * Adds a secondary, unverified address. Another account's unconfirmed claim on it does not
     * stand in the way; a confirmed or primary address of anyone (the caller included) does.
     */
    async add(userId: number, address: string): Promise<{ id: number } | 'taken' | 'tooMany'> {
      const normalized = normalizeEmail(address);
      return inTransaction(db, async (tx) => {
        const [blocking] = await tx
          .select({ id: userEmails.id })
          .from(userEmails)
          .where(and(eq(userEmails.address, normalized), or(owned, eq(userEmails.userId, userId))))
          .limit(1);
        if (blocking) return 'taken';
        const existing = (await tx.select({ total: count() }).from(userEmails).where(eq(userEmails.userId, userId)))[0]?.total ?? 0;
        if (existing >= maximumAddresses) return 'tooMany';
        const [added] = await tx
          .insert(userEmails)
          .values({ userId, address: normalized, isPrimary: false, createdAt: new Date(now()) })
          .returning({ id: userEmails.id });
        if (!added) throw new Error('the address was not stored');
        return added;
      });
    },

    /**
     * Marks an address confirmed. Other accounts' unconfirmed claims on it are removed (their links
     * stop working with them); if another account confirmed it first, or has it as its primary
     * address, nothing changes and the answer is 'taken'.
     */
    async markVerified(userId: number, emailId: number): Promise<'verified' | 'taken' | 'notFound'> {
      return inTransaction(db, async (tx) => {
        const [target] = await tx.select(columns).from(userEmails).where(and(eq(userEmails.userId, userId), eq(userEmails.id, emailId)));
        if (!target) return 'notFound';
        if (target.verifiedAt) return 'verified';
        const sameAddress = and(eq(userEmails.address, target.address), ne(userEmails.userId, userId));
        if ((await tx.select({ id: userEmails.id }).from(userEmails).where(and(sameAddress, owned)).limit(1)).length > 0) return 'taken';
        await tx.delete(userEmails).where(sameAddress);
        await tx.update(userEmails).set({ verifiedAt: new Date(now()) }).where(eq(userEmails.id, emailId));
        return 'verified';
      });
    },

    /** Makes a verified address the primary one, which is also the log-in name. Returns the old primary address. */
    async makePrimary(userId: number, emailId: number): Promise<{ previous: string } | 'notFound' | 'unverified'> {
      return inTransaction(db, async (tx) => {
        const [target] = await tx.select(columns).from(userEmails).where(and(eq(userEmails.userId, userId), eq(userEmails.id, emailId)));
        if (!target) return 'notFound';
        if (!target.verifiedAt) return 'unverified';
        const previous = (await tx.select({ address: users.email }).from(users).where(eq(users.id, userId)))[0]?.address ?? '';
        await tx.update(userEmails).set({ isPrimary: false }).where(eq(userEmails.userId, userId));
        await tx.update(userEmails).set({ isPrimary: true }).where(eq(userEmails.id, emailId));
        await tx.update(users).set({ email: target.address }).where(eq(users.id, userId));
        return { previous };
      });
    },

    /** Removes a secondary address; the primary one cannot be removed. */
    async remove(userId: number, emailId: number): Promise<'removed' | 'primary' | 'notFound'> {
      // Only a secondary address goes; the primary one is looked for only to say why nothing went.
      const removed = await db
        .delete(userEmails)
        .where(and(eq(userEmails.userId, userId), eq(userEmails.id, emailId), eq(userEmails.isPrimary, false)))
        .returning({ id: userEmails.id });
      if (removed.length > 0) return 'removed';
      return (await findOwn(userId, emailId)) ? 'primary' : 'notFound';
    },
  };
}
