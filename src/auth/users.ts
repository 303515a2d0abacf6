import { and, asc, count, eq, inArray, sql, type SQLWrapper } from 'drizzle-orm';
import { createHeldAnswers, writeOnly, type RowWritten } from '../db/change-watch.ts';
import { chunksOf } from '../lib/chunks.ts';
import type { Db } from '../db/client.ts';
import { inTransaction } from '../db/transaction.ts';
import { loginChallenges, userEmails, users } from './tables.ts';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class EmailTakenError extends Error {}

/** Runs inside the sign-up's transaction: it may await only queries on `tx`. */
export type UserCreatedHook = (tx: Db, userId: number) => Promise<void>;

export type UserDirectory = ReturnType<typeof createUserDirectory>;

/**
 * For answers kept over the users table that show a person's name (`createHeldAnswers`' `follows`):
 * a rename, the one write of a user explained to them, changes them with `apply` and they stay kept.
 */
export function followRenames<K, V>(apply: (answer: V, key: K, userId: number, name: string) => V) {
  return { table: users, columns: ['name'], follow: (answer: V, key: K, row: RowWritten) => apply(answer, key, row.id, String(row.values.name)) };
}

export function createUserDirectory(db: Db, now: () => number) {
  const selectByEmail = db
    .select({ id: users.id, passwordHash: users.passwordHash, activatedAt: users.activatedAt })
    .from(users)
    .where(eq(users.email, sql.placeholder('email')))
    .prepare();
  const selectCredentials = db
    .select({ email: users.email, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare();
  // Asked on every API call to /user: kept until anything is written (db/change-watch.ts).
  const heldProfiles = createHeldAnswers<number, { name: string; email: string } | undefined>(db, {
    reads: [users],
    follows: [followRenames((profile, key, userId, name) => (profile && key === userId ? { ...profile, name } : profile))],
  });
  const selectProfile = db
    .select({ name: users.name, email: users.email })
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare();
  const updateName = db
    .update(users)
    .set({ name: sql`${sql.placeholder('name')}` })
    .where(eq(users.id, sql.placeholder('id')))
    .prepare();

  return {
    async findForLogin(email: string): Promise<{ id: number; passwordHash: string; activatedAt: Date | null } | undefined> {
      return (await selectByEmail.execute({ email: normalizeEmail(email) }))[0];
    },

    async count(): Promise<number> {
      return (await db.select({ total: count() }).from(users))[0]?.total ?? 0;
    },

    /** Pass the transaction it is asked in, if any. */
    async profile(userId: number, tx: Db = db): Promise<{ name: string; email: string } | undefined> {
      // Prepared once for the common case (every API call to /user asks it); a transaction builds its own.
      if (tx === db) {
        const profile = await heldProfiles.get(userId, async () => (await selectProfile.execute({ id: userId }))[0]);
        return profile && { ...profile };
      }
      return (await tx.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, userId)))[0];
    },

    /**
     * One page of the users whose ids the subquery selects (a caller's own table, such as an
     * organization's memberships), by name then id, with their names and addresses: one query
     * however many there are. Pass the transaction it is asked in, if any.
     */
    async pageByName(ids: SQLWrapper, page: { offset: number; limit: number }, tx: Db = db): Promise<Array<{ userId: number; name: string; email: string }>> {
      return tx
        .select({ userId: users.id, name: users.name, email: users.email })
        .from(users)
        .where(inArray(users.id, ids))
        .orderBy(asc(users.name), asc(users.id))
        .limit(page.limit)
        .offset(page.offset);
    },

    /** The names and addresses of these users, in one query; an id with no account is left out. Pass the transaction it is asked in, if any. */
    async profiles(userIds: readonly number[], tx: Db = db): Promise<Map<number, { name: string; email: string }>> {
      const ids = [...new Set(userIds)];
      if (ids.length === 0) return new Map();
      const found = new Map<number, { name: string; email: string }>();
      for (const chunk of chunksOf(ids)) {
        const rows = await tx.select({ id: users.id, name: users.name, email: users.email }).from(users).where(inArray(users.id, chunk));
        for (const row of rows) found.set(row.id, { name: row.name, email: row.email });
      }
      return found;
    },

    /** The account that logs in with this address, if any. Pass the transaction it is asked in, if any. */
    async idByEmail(email: string, tx: Db = db): Promise<number | undefined> {
      return (await tx.select({ id: users.id }).from(users).where(eq(users.email, normalizeEmail(email))))[0]?.id;
    },

    /** The addresses this account confirmed (received a link at and followed it). Pass the transaction it is asked in, if any. */
    async confirmedAddresses(userId: number, tx: Db = db): Promise<string[]> {
      const rows = await tx
        .select({ address: userEmails.address })
        .from(userEmails)
        .where(and(eq(userEmails.userId, userId), sql`${userEmails.verifiedAt} is not null`));
      return rows.map((row) => row.address);
    },

    /** Finishes a sign-up: from now on the account can log in. */
    async activate(userId: number): Promise<void> {
      await db.update(users).set({ activatedAt: new Date(now()) }).where(sql`${users.id} = ${userId} and ${users.activatedAt} is null`);
    },

    /**
     * Creates the account and, in the same transaction, whatever other parts of Dials keep per
     * user (`onCreated`, which may await only queries on the `tx` it is given). Administrators are
     * made only through a set-up link (./admin-setup.ts), never by being first.
     */
    create(
      input: { email: string; name: string; passwordHash: string; activated: boolean; isAdmin?: boolean },
      onCreated: UserCreatedHook,
    ): Promise<{ id: number; isAdmin: boolean }> {
      return inTransaction(db, async (tx) => {
        const email = normalizeEmail(input.email);
        const holders = await tx
          .select({ verifiedAt: userEmails.verifiedAt, isPrimary: userEmails.isPrimary })
          .from(userEmails)
          .where(eq(userEmails.address, email));
        if (holders.some((holder) => holder.verifiedAt || holder.isPrimary)) throw new EmailTakenError();
        // Other accounts' unconfirmed secondary claims do not keep the address's owner out: they are dropped.
        if (holders.length > 0) await tx.delete(userEmails).where(eq(userEmails.address, email));
        const [created] = await tx
          .insert(users)
          .values({
            email,
            name: input.name,
            passwordHash: input.passwordHash,
            isAdmin: input.isAdmin ?? false,
            createdAt: new Date(now()),
            activatedAt: input.activated ? new Date(now()) : null,
          })
          .returning({ id: users.id, isAdmin: users.isAdmin });
        if (!created) throw new Error('the new account was not stored');
        await tx.insert(userEmails).values({ userId: created.id, address: email, isPrimary: true, createdAt: new Date(now()) });
        await onCreated(tx, created.id);
        return created;
      });
    },

    async credentialsOf(userId: number): Promise<{ email: string; passwordHash: string } | undefined> {
      return (await selectCredentials.execute({ id: userId }))[0];
    },

    /** Replaces the password; half-finished log-ins (password given, second factor pending) end with it. */
    async setPasswordHash(userId: number, passwordHash: string): Promise<void> {
      await inTransaction(db, async (tx) => {
        await tx.update(users).set({ passwordHash }).where(eq(users.id, userId));
        await tx.delete(loginChallenges).where(eq(loginChallenges.userId, userId));
      });
    },

    /**
     * Whether the password is still the one that was checked. Checking a password takes a while;
     * a session is made only if the password did not change meanwhile.
     */
    async passwordUnchanged(userId: number, checkedHash: string): Promise<boolean> {
      return (await selectCredentials.execute({ id: userId }))[0]?.passwordHash === checkedHash;
    },

    async rename(userId: number, name: string): Promise<void> {
      // One row's name: sessions and profiles kept for the next request take the new name and stay kept.
      const values = { name };
      await writeOnly(db, users, 1, () => updateName.execute({ id: userId, ...values }), undefined, { id: userId, values });
    },
  };
}
