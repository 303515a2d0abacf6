import type { Db } from '../db/client.ts';
import { composeMail } from '../mail/compose.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { RecipientLookup } from './recipients.ts';

export type ApiKeyNotices = ReturnType<typeof createApiKeyNotices>;

/** Mail about API keys that is not a security event: a key about to expire. */
export function createApiKeyNotices(options: { outbox: Outbox; recipientFor: RecipientLookup; publicUrl: URL }) {
  return {
    /**
     * Tells the primary address that a key stops working soon. The message is composed first; `queue`
     * gets the call that puts it in the outbox, to make inside the caller's transaction.
     */
    async expiring(userId: number, key: { name: string; expiresAt: Date }, queue: (enqueue: (tx: Db) => Promise<void>) => Promise<void>): Promise<void> {
      const recipient = await options.recipientFor(userId);
      if (!recipient) return;
      const mail = composeMail(recipient, {
        kind: 'notice:apiKey.expiring',
        key: 'notice.apiKeyExpiring',
        when: key.expiresAt,
        values: { name: key.name },
        paragraphs: ['body', 'advice'],
        action: { url: new URL('/settings/api-keys', options.publicUrl).href },
      });
      await queue((tx) => options.outbox.enqueue(mail, tx));
    },
  };
}
