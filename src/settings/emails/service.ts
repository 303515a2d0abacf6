import type { AccountMail } from '../../auth/account-mail.ts';
import type { EmailAddressBook } from '../../auth/email-addresses.ts';
import type { EmailTokens } from '../../auth/email-tokens.ts';
import { normalizeEmail } from '../../auth/users.ts';
import type { SecurityLog } from '../../auth/security-log.ts';
import type { SessionStore } from '../../auth/sessions.ts';
import type { ClientDetails } from '../../lib/actor.ts';
import type { SecurityNotices } from '../../notify/security-notices.ts';
import type { Viewer } from '../../web/viewer.ts';
import type { VerificationSendLog } from './send-log.ts';

export type EmailsService = ReturnType<typeof createEmailsService>;

const resendPauseMs = 60_000;
/** Each added address gets a mail from Dials; this many a day keeps the page from being a mail relay. */
const additionsPerDay = 10;
/** Confirmation links (first ones and resends) in 24 hours: to one address of an account, and for the whole account. */
export const linksPerAddressPerDay = 5;
export const linksPerAccountPerDay = 20;

/** The E-mails page's actions, always for the signed-in person's own addresses. */
export function createEmailsService(deps: {
  emailAddresses: EmailAddressBook;
  emailTokens: EmailTokens;
  accountMail: AccountMail;
  securityLog: SecurityLog;
  securityNotices: SecurityNotices;
  sessions: SessionStore;
  sendLog: VerificationSendLog;
  now: () => number;
}) {
  const sendVerification = (userId: number, emailId: number, address: string) => {
    const token = deps.emailTokens.issue({ userId, purpose: 'verify-email', emailId });
    if (deps.accountMail.addressLink({ userId, address, token, signsIn: false })) deps.sendLog.record(userId, address);
  };

  return {
    list: (userId: number) => deps.emailAddresses.list(userId),
    find: (userId: number, emailId: number) => deps.emailAddresses.find(userId, emailId),
    /** The primary address when it still waits for confirmation (the first account's does), else null. */
    unconfirmedPrimary(userId: number): { id: number; address: string } | null {
      const primary = deps.emailAddresses.primaryOf(userId);
      return primary && !primary.verifiedAt ? { id: primary.id, address: primary.address } : null;
    },

    add(viewer: Viewer, address: string, client: ClientDetails): 'added' | 'taken' | 'tooMany' | 'tooManyToday' | 'linkLimit' | 'addressLinkLimit' {
      const since = new Date(deps.now() - 24 * 60 * 60 * 1000);
      if (deps.securityLog.countOfTypeSince(viewer.user.id, 'email.added', since) >= additionsPerDay) return 'tooManyToday';
      const sent = deps.sendLog.countsToday(viewer.user.id, normalizeEmail(address));
      if (sent.account >= linksPerAccountPerDay) return 'linkLimit';
      // Removing and adding an address again must not start a new count of links to it.
      if (sent.address >= linksPerAddressPerDay) return 'addressLinkLimit';
      const added = deps.emailAddresses.add(viewer.user.id, address);
      if (added === 'taken' || added === 'tooMany') return added;
      const stored = deps.emailAddresses.find(viewer.user.id, added.id);
      if (stored) sendVerification(viewer.user.id, stored.id, stored.address);
      deps.securityLog.record(viewer.user.id, 'email.added', client);
      // The primary address hears of it at once: a new address is a way to reset the password.
      deps.securityNotices.send(viewer.user.id, 'email.added', client, new Date(deps.now()), undefined, { address: stored?.address ?? address });
      return 'added';
    },

    /** Mails the link again: at most once a minute, and within the daily caps, so the page cannot flood a stranger's inbox. */
    resend(viewer: Viewer, emailId: number): 'sent' | 'notFound' | 'verified' | 'tooSoon' | 'addressLimit' | 'accountLimit' {
      const email = deps.emailAddresses.find(viewer.user.id, emailId);
      if (!email) return 'notFound';
      if (email.verifiedAt) return 'verified';
      const last = deps.emailTokens.lastIssuedAt(viewer.user.id, emailId);
      if (last && deps.now() - last.getTime() < resendPauseMs) return 'tooSoon';
      const sent = deps.sendLog.countsToday(viewer.user.id, email.address);
      if (sent.address >= linksPerAddressPerDay) return 'addressLimit';
      if (sent.account >= linksPerAccountPerDay) return 'accountLimit';
      sendVerification(viewer.user.id, email.id, email.address);
      return 'sent';
    },

    /**
     * The new primary address is also the log-in name: other sessions end, and the old address
     * is told (SECURITY.md rule 13), in case someone else made the change.
     */
    makePrimary(viewer: Viewer, emailId: number, client: ClientDetails): 'done' | 'notFound' | 'unverified' | 'already' {
      const email = deps.emailAddresses.find(viewer.user.id, emailId);
      if (!email) return 'notFound';
      if (email.isPrimary) return 'already';
      const outcome = deps.emailAddresses.makePrimary(viewer.user.id, emailId);
      if (outcome === 'notFound' || outcome === 'unverified') return outcome;
      deps.sessions.invalidateOthersForUser(viewer.user.id, viewer.session.id, 'primary-email-changed');
      deps.securityLog.record(viewer.user.id, 'email.primaryChanged', client);
      deps.securityNotices.send(viewer.user.id, 'email.primaryChanged', client, new Date(deps.now()), outcome.previous);
      viewer.user.email = email.address;
      return 'done';
    },

    remove(viewer: Viewer, emailId: number, client: ClientDetails): 'removed' | 'primary' | 'notFound' {
      const outcome = deps.emailAddresses.remove(viewer.user.id, emailId);
      if (outcome === 'removed') deps.securityLog.record(viewer.user.id, 'email.removed', client);
      return outcome;
    },
  };
}
