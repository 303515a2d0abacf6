import { count, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { loginChallenges, userEmails, users } from './tables.ts';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class EmailTakenError extends Error {}

export type UserCreatedHook = (tx: Db, userId: number) => void;

export type UserDirectory = ReturnType<typeof createUserDirectory>;

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
  const updateName = db
    .update(users)
    .set({ name: sql`${sql.placeholder('name')}` })
    .where(eq(users.id, sql.placeholder('id')))
    .prepare();

  return {
    findForLogin(email: string): { id: number; passwordHash: string; activatedAt: Date | null } | undefined {
      return selectByEmail.get({ email: normalizeEmail(email) });
    },

    /**
     * Creates the account and, in the same transaction, whatever other parts of Dials keep per
     * user. The first account of an instance is its administrator.
     */
    count(): number {
      return db.select({ total: count() }).from(users).get()?.total ?? 0;
    },

    profile(userId: number): { name: string; email: string } | undefined {
      return db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, userId)).get();
    },

    /** Finishes a sign-up: from now on the account can log in. */
    activate(userId: number): void {
      db.update(users).set({ activatedAt: new Date(now()) }).where(sql`${users.id} = ${userId} and ${users.activatedAt} is null`).run();
    },

    create(
      input: { email: string; name: string; passwordHash: string; activated: boolean },
      onCreated: UserCreatedHook,
    ): { id: number; isAdmin: boolean } {
      return db.transaction((tx) => {
        const email = normalizeEmail(input.email);
        const holders = tx
          .select({ verifiedAt: userEmails.verifiedAt, isPrimary: userEmails.isPrimary })
          .from(userEmails)
          .where(eq(userEmails.address, email))
          .all();
        if (holders.some((holder) => holder.verifiedAt || holder.isPrimary)) throw new EmailTakenError();
        // Other accounts' unconfirmed secondary claims do not keep the address's owner out: they are dropped.
        if (holders.length > 0) tx.delete(userEmails).where(eq(userEmails.address, email)).run();
        const existing = tx.select({ total: count() }).from(users).get()?.total ?? 0;
        const created = tx
          .insert(users)
          .values({
            email,
            name: input.name,
            passwordHash: input.passwordHash,
            isAdmin: existing === 0,
            createdAt: new Date(now()),
            activatedAt: input.activated ? new Date(now()) : null,
          })
          .returning({ id: users.id, isAdmin: users.isAdmin })
          .get();
        tx.insert(userEmails).values({ userId: created.id, address: email, isPrimary: true, createdAt: new Date(now()) }).run();
        onCreated(tx as unknown as Db, created.id);
        return created;
      }, { behavior: 'immediate' });
    },

    credentialsOf(userId: number): { email: string; passwordHash: string } | undefined {
      return selectCredentials.get({ id: userId });
    },

    /** Replaces the password; half-finished log-ins (password given, second factor pending) end with it. */
    setPasswordHash(userId: number, passwordHash: string): void {
      db.transaction((tx) => {
        tx.update(users).set({ passwordHash }).where(eq(users.id, userId)).run();
        tx.delete(loginChallenges).where(eq(loginChallenges.userId, userId)).run();
      });
    },

    /**
     * Whether the password is still the one that was checked. Checking a password takes a while;
     * a session is made only if the password did not change meanwhile, in the same synchronous step.
     */
    passwordUnchanged(userId: number, checkedHash: string): boolean {
      return selectCredentials.get({ id: userId })?.passwordHash === checkedHash;
    },

    rename(userId: number, name: string): void {
      updateName.run({ id: userId, name });
    },
  };
}
