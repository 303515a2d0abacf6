import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import crypto from 'node:crypto';
import { and, count, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { sessionIdFromToken } from './session-token.ts';
import { adminSetupLinks, userEmails, users } from './tables.ts';

export type AdminSetup = ReturnType<typeof createAdminSetup>;

/** Thrown inside the account's transaction when the link was used (or lost its reason) meanwhile: the account is not made. */
export class SetupLinkGoneError extends Error {}

/**
 * The links that make administrators. An instance without one has an open link, printed at every
 * start until it is used: whoever installed Dials opens it and becomes the administrator (no
 * sign-up makes anyone administrator by being first). `dials create-admin --email` makes a link
 * bound to one address. Each link works once; the open one only while there is no administrator.
 */
export function createAdminSetup(db: Db, options: { key: Buffer; now: () => number; publicUrl: URL }) {
  const tokenOf = (nonce: string) => encodeBase32LowerCaseNoPadding(crypto.createHmac('sha256', options.key).update(`admin-setup:${nonce}`).digest().subarray(0, 20));
  const urlOf = (token: string) => new URL(`/setup/${token}`, options.publicUrl).href;

  /** How many administrators there are, not counting `except` (the account being made with a link). */
  const administrators = async (tx: Db = db, except = 0) =>
    (await tx.select({ total: count() }).from(users).where(sql`${users.isAdmin} = 1 and ${users.id} <> ${except}`))[0]?.total ?? 0;

  const makeLink = async (email: string | null): Promise<string> => {
    const nonce = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
    const token = tokenOf(nonce);
    await db.insert(adminSetupLinks).values({ id: sessionIdFromToken(token), nonce, email, createdAt: new Date(options.now()) });
    return token;
  };

  /** The unused link a token names, if it still works. */
  const find = async (token: string, tx: Db = db, forUser = 0) => {
    if (token.length > 64) return undefined;
    const [row] = await tx
      .select({ id: adminSetupLinks.id, email: adminSetupLinks.email })
      .from(adminSetupLinks)
      .where(and(eq(adminSetupLinks.id, sessionIdFromToken(token)), isNull(adminSetupLinks.usedAt)));
    if (!row) return undefined;
    // The open link is for an instance without an administrator only.
    if (row.email === null && (await administrators(tx, forUser)) > 0) return undefined;
    return row;
  };

  return {
    async hasAdministrator(): Promise<boolean> {
      return (await administrators()) > 0;
    },

    /** The open link to print at start: the same one at every start until it is used; null once there is an administrator. */
    async startLink(): Promise<string | null> {
      if ((await administrators()) > 0) return null;
      const [open] = await db
        .select({ nonce: adminSetupLinks.nonce })
        .from(adminSetupLinks)
        .where(and(isNull(adminSetupLinks.email), isNull(adminSetupLinks.usedAt)))
        .orderBy(adminSetupLinks.createdAt)
        .limit(1);
      return urlOf(open ? tokenOf(open.nonce) : await makeLink(null));
    },

    /** A link that makes an administrator account for this address (already normalised); refused when the address is someone's. */
    async invite(email: string): Promise<{ ok: true; url: string } | { ok: false; reason: 'address-taken' }> {
      const [holder] = await db
        .select({ id: userEmails.id })
        .from(userEmails)
        .where(and(eq(userEmails.address, email), sql`(${userEmails.verifiedAt} is not null or ${userEmails.isPrimary} = 1)`))
        .limit(1);
      if (holder) return { ok: false, reason: 'address-taken' };
      return { ok: true, url: urlOf(await makeLink(email)) };
    },

    /** What the set-up page shows for a link: the address it is bound to, if any; null when the link does not work. */
    async peek(token: string): Promise<{ email: string | null } | null> {
      const row = await find(token);
      return row ? { email: row.email } : null;
    },

    /**
     * Uses the link up for the account being made, inside that account's transaction (`tx`):
     * throws SetupLinkGoneError when it no longer works, which rolls the account back.
     */
    async consume(tx: Db, token: string, userId: number): Promise<void> {
      const row = await find(token, tx, userId);
      if (!row) throw new SetupLinkGoneError();
      await tx.update(adminSetupLinks).set({ usedAt: new Date(options.now()), usedBy: userId }).where(eq(adminSetupLinks.id, row.id));
    },
  };
}
