import type { AccountMail } from '../auth/account-mail.ts';
import { composeMail } from '../mail/compose.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { RecipientLookup } from './recipients.ts';

/** The account mail of sign-up, address confirmation and password reset, composed for its recipient and queued in the outbox. */
export function createAccountMail(deps: { outbox: Outbox; recipientFor: RecipientLookup; publicUrl: URL }): AccountMail {
  const link = (path: string) => new URL(path, deps.publicUrl).href;

  return {
    async addressLink({ userId, address, token, signsIn }, tx) {
      const recipient = await deps.recipientFor(userId, address, tx);
      if (!recipient) return false;
      await deps.outbox.enqueue(
        composeMail(recipient, {
          kind: 'verify-email',
          key: signsIn ? 'verifySignup' : 'verifyAddress',
          values: { address },
          paragraphs: ['intro', 'expiry'],
          anonymous: true,
          action: { url: link(`/verify-email/${token}`) },
        }),
        tx,
      );
      return true;
    },

    async signupAttempted(userId, address) {
      const recipient = await deps.recipientFor(userId, address);
      if (!recipient) return;
      await deps.outbox.enqueue(
        composeMail(recipient, {
          kind: 'signup-existing',
          key: 'signupExisting',
          values: { address },
          paragraphs: ['intro', 'hint'],
          action: { url: link('/forgot-password') },
        }),
      );
    },

    async resetLink(userId, address, issueToken) {
      const recipient = await deps.recipientFor(userId, address);
      if (!recipient) return;
      const token = await issueToken();
      await deps.outbox.enqueue(
        composeMail(recipient, {
          kind: 'reset-password',
          key: 'resetPassword',
          paragraphs: ['intro', 'expiry', 'ignore'],
          action: { url: link(`/reset-password/${token}`) },
        }),
      );
    },
  };
}
