import type { AccountMail } from '../../auth/account-mail.ts';
import type { EmailAddress, EmailAddressBook } from '../../auth/email-addresses.ts';
import type { EmailTokens } from '../../auth/email-tokens.ts';
import { normalizeEmail } from '../../auth/users.ts';
import type { SecurityLog } from '../../auth/security-log.ts';
import type { SessionStore } from '../../auth/sessions.ts';
import { sessionIdOf, type Actor, type ClientDetails } from '../../lib/actor.ts';
import { createHeldAnswers } from '../../db/change-watch.ts';
import type { Db } from '../../db/client.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { VerificationSendLog } from './send-log.ts';

export type EmailsService = ReturnType<typeof createEmailsService>;

const resendPauseMs = 60_000;
/** Each added address gets a mail from Dials; this many a day keeps the page from being a mail relay. */
const additionsPerDay = 10;
/** Confirmation links (first ones and resends) in 24 hours: to one address of an account, and for the whole account. */
export const linksPerAddressPerDay = 5;
export const linksPerAccountPerDay = 20;

export type AddEmailResult =
  | { ok: true; emailId: number }
  /** Someone's confirmed or primary address, or already one of the user's. */
  | { ok: false; reason: 'taken' }
  /** The user has as many addresses as allowed. */
  | { ok: false; reason: 'tooMany' }
  /** More addresses added in the last 24 hours than allowed. */
  | { ok: false; reason: 'tooManyToday' }
  /** Confirmation links in the last 24 hours: for the whole account, or to this address. */
  | { ok: false; reason: 'linkLimit' | 'addressLinkLimit' };
export type ResendResult = { ok: true } | { ok: false; reason: 'notFound' | 'alreadyVerified' | 'tooSoon' | 'addressLimit' | 'accountLimit' };
/** `changed` is false when the address already was the primary one. */
export type MakePrimaryResult = { ok: true; address: string; changed: boolean } | { ok: false; reason: 'notFound' | 'unverified' };
export type RemoveEmailResult = { ok: true } | { ok: false; reason: 'primary' | 'notFound' };

/** The E-mails page's actions, always on the addresses of the user the actor acts for. */
export function createEmailsService(deps: {
  emailAddresses: EmailAddressBook;
  emailTokens: EmailTokens;
  accountMail: AccountMail;
  securityLog: SecurityLog;
  sessions: SessionStore;
  sendLog: VerificationSendLog;
  db: Db;
  now: () => number;
}) {
  const sendVerification = async (userId: number, emailId: number, address: string, tx?: Db) => {
    const token = await deps.emailTokens.issue({ userId, purpose: 'verify-email', emailId }, tx);
    if (await deps.accountMail.addressLink({ userId, address, token, signsIn: false }, tx)) await deps.sendLog.record(userId, address, tx);
  };

  const confirmedPrimaries = new Set<number>();
  // A primary that waits is asked about on every account page too: the answer is kept until anything is written.
  const waitingPrimaries = createHeldAnswers<number, { id: number; address: string } | null>(deps.db);

  return {
    async list(actor: Actor): Promise<EmailAddress[]> {
      return deps.emailAddresses.list(actor.userId);
    },

    /** One of the user's addresses; another user's is not found. */
    async find(actor: Actor, emailId: number): Promise<EmailAddress | undefined> {
      return deps.emailAddresses.find(actor.userId, emailId);
    },

    /**
     * The primary address when it still waits for confirmation (an administrator's made through a set-up link does), else null.
     * By user id: the account page asks it for its notice. Asked on every account page; once a
     * person's primary address is confirmed it stays so (a new primary must be confirmed already),
     * so that answer is remembered and the query skipped. One that waits is kept until anything is
     * written (db/change-watch.ts).
     */
    async unconfirmedPrimary(userId: number): Promise<{ id: number; address: string } | null> {
      if (confirmedPrimaries.has(userId)) return null;
      let confirmed = false;
      const waiting = await waitingPrimaries.get(userId, async () => {
        const primary = await deps.emailAddresses.primaryOf(userId);
        confirmed = primary?.verifiedAt != null;
        return primary && !primary.verifiedAt ? { id: primary.id, address: primary.address } : null;
      });
      if (waiting) return { ...waiting };
      if (confirmed) {
        if (confirmedPrimaries.size >= 100_000) confirmedPrimaries.clear();
        confirmedPrimaries.add(userId);
      }
      return null;
    },

    async add(actor: Actor, address: string, client: ClientDetails): Promise<AddEmailResult> {
      const userId = actor.userId;
      const since = new Date(deps.now() - 24 * 60 * 60 * 1000);
      if ((await deps.securityLog.countOfTypeSince(userId, 'email.added', since)) >= additionsPerDay) return { ok: false, reason: 'tooManyToday' };
      const sent = await deps.sendLog.countsToday(userId, normalizeEmail(address));
      if (sent.account >= linksPerAccountPerDay) return { ok: false, reason: 'linkLimit' };
      // Removing and adding an address again must not start a new count of links to it.
      if (sent.address >= linksPerAddressPerDay) return { ok: false, reason: 'addressLinkLimit' };
      const added = await deps.emailAddresses.add(userId, address);
      if (added === 'taken' || added === 'tooMany') return { ok: false, reason: added };
      const stored = await deps.emailAddresses.find(userId, added.id);
      if (stored) await sendVerification(userId, stored.id, stored.address);
      // The primary address hears of it at once: a new address is a way to reset the password.
      await deps.securityLog.record(userId, 'email.added', client, { values: { address: stored?.address ?? address } });
      return { ok: true, emailId: added.id };
    },

    /** Mails the link again: at most once a minute, and within the daily caps, so the page cannot flood a stranger's inbox. */
    // The checks and the sending are one transaction: two resends at once (real waits on PostgreSQL) cannot both pass the pace and the caps.
    async resend(actor: Actor, emailId: number): Promise<ResendResult> {
      const userId = actor.userId;
      return inTransaction(deps.db, async (tx): Promise<ResendResult> => {
        const email = await deps.emailAddresses.find(userId, emailId, tx);
        if (!email) return { ok: false, reason: 'notFound' };
        if (email.verifiedAt) return { ok: false, reason: 'alreadyVerified' };
        const last = await deps.emailTokens.lastIssuedAt(userId, emailId, tx);
        if (last && deps.now() - last.getTime() < resendPauseMs) return { ok: false, reason: 'tooSoon' };
        const sent = await deps.sendLog.countsToday(userId, email.address, tx);
        if (sent.address >= linksPerAddressPerDay) return { ok: false, reason: 'addressLimit' };
        if (sent.account >= linksPerAccountPerDay) return { ok: false, reason: 'accountLimit' };
        await sendVerification(userId, email.id, email.address, tx);
        return { ok: true };
      });
    },

    /**
     * The new primary address is also the log-in name: the sessions but the actor's end, and the
     * old address is told (SECURITY.md rule 13), in case someone else made the change. What a
     * page shows of the new address is the route's business.
     */
    async makePrimary(actor: Actor, emailId: number, client: ClientDetails): Promise<MakePrimaryResult> {
      const userId = actor.userId;
      const email = await deps.emailAddresses.find(userId, emailId);
      if (!email) return { ok: false, reason: 'notFound' };
      if (email.isPrimary) return { ok: true, address: email.address, changed: false };
      const outcome = await deps.emailAddresses.makePrimary(userId, emailId);
      if (outcome === 'notFound' || outcome === 'unverified') return { ok: false, reason: outcome };
      const keep = sessionIdOf(actor);
      if (keep === null) await deps.sessions.invalidateAllForUser(userId, 'primary-email-changed');
      else await deps.sessions.invalidateOthersForUser(userId, keep, 'primary-email-changed');
      await deps.securityLog.record(userId, 'email.primaryChanged', client, { address: outcome.previous });
      return { ok: true, address: email.address, changed: true };
    },

    async remove(actor: Actor, emailId: number, client: ClientDetails): Promise<RemoveEmailResult> {
      const outcome = await deps.emailAddresses.remove(actor.userId, emailId);
      if (outcome !== 'removed') return { ok: false, reason: outcome };
      await deps.securityLog.record(actor.userId, 'email.removed', client);
      return { ok: true };
    },
  };
}
