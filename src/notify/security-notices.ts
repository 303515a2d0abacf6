import type { SecurityEventType } from '../auth/security-log.ts';
import type { ClientDetails } from '../lib/actor.ts';
import { describeDevice } from '../lib/user-agent.ts';
import { composeMail } from '../mail/compose.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { RecipientLookup } from './recipients.ts';

/** Security events that a person is told about by e-mail, and the message for each. */
const noticeKeys: Partial<Record<SecurityEventType, string>> = {
  'password.changed': 'passwordChanged',
  'password.reset': 'passwordReset',
  'totp.enabled': 'totpEnabled',
  'totp.removed': 'totpRemoved',
  'recoveryCode.used': 'recoveryCodeUsed',
  'email.primaryChanged': 'primaryChanged',
  'email.added': 'emailAdded',
  'email.removed': 'emailRemoved',
  'recoveryCodes.generated': 'recoveryCodesGenerated',
  'apiKey.created': 'apiKeyCreated',
  'apiKey.scopesChanged': 'apiKeyScopesChanged',
};

/** Where a notice's button leads, when not to the security page. */
const actionPaths: Partial<Record<SecurityEventType, string>> = { 'apiKey.created': '/settings/api-keys', 'apiKey.scopesChanged': '/settings/api-keys' };

/** Notices whose message needs more than the event itself; the page that causes them sends them. */
const sentByTheirPage = new Set<SecurityEventType>(['totp.enabled', 'email.primaryChanged', 'email.added', 'recoveryCodes.generated', 'apiKey.created', 'apiKey.scopesChanged']);

export type SecurityNotices = ReturnType<typeof createSecurityNotices>;

export function createSecurityNotices(options: { outbox: Outbox; recipientFor: RecipientLookup; publicUrl: URL }) {
  /** Queues the notice for an event, to the given address or else the primary one; `moreParagraphs` follow its body. */
  const send = async (
    userId: number,
    type: SecurityEventType,
    client: ClientDetails,
    at: Date,
    address?: string,
    values: Record<string, string> = {},
    moreParagraphs: string[] = [],
  ): Promise<void> => {
    const key = noticeKeys[type];
    const recipient = key ? await options.recipientFor(userId, address) : null;
    if (!key || !recipient) return;
    const device = describeDevice(client.userAgent);
    await options.outbox.enqueue(
      composeMail(recipient, {
        kind: `notice:${type}`,
        key: `notice.${key}`,
        when: at,
        values: { ...values, ip: client.ipAddress, device: [device.browser, device.os].filter(Boolean).join(', ') || '?' },
        paragraphs: ['body', ...moreParagraphs, 'details', 'notYou'],
        action: { url: new URL(actionPaths[type] ?? '/settings/security', options.publicUrl).href },
      }),
    );
  };

  return {
    send,
    /** Hooked to the security log: every recorded event with a notice sends it to the primary address. */
    async onRecorded(userId: number, type: SecurityEventType, client: ClientDetails, at: Date): Promise<void> {
      if (!sentByTheirPage.has(type)) await send(userId, type, client, at);
    },
  };
}
