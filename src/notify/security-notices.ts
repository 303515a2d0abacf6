import type { NoticePreparer, SecurityEventType } from '../auth/security-log.ts';
import { describeDevice } from '../lib/user-agent.ts';
import { composeMail } from '../mail/compose.ts';
import type { Outbox } from '../mail/outbox.ts';
import { deliverNow } from './dispatcher.ts';
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

/**
 * The e-mail notices of security events. They go through the dispatcher's path (`deliverNow`): a
 * delivery row of the `security` type and the outbox row, in the transaction that records the
 * event. No setting is read: the `security` type's one value is "always" (registry.ts), so no
 * setting, place or unsubscribe link can turn them off.
 */
export function createSecurityNotices(options: { outbox: Outbox; recipientFor: RecipientLookup; publicUrl: URL }) {
  /** The notice of an event, to the given address or else the primary one; the page's `paragraphs` follow its body. */
  const prepare: NoticePreparer = async (userId, type, client, at, details) => {
    const key = noticeKeys[type];
    // Notices whose message needs more than the event are sent only when their page records it with those details.
    if (!key || (sentByTheirPage.has(type) && !details)) return null;
    const recipient = await options.recipientFor(userId, details?.address);
    if (!recipient) return null;
    const device = describeDevice(client.userAgent);
    const mail = options.outbox.seal(composeMail(recipient, {
      kind: `notice:${type}`,
      key: `notice.${key}`,
      when: at,
      values: { ...details?.values, ip: client.ipAddress, device: [device.browser, device.os].filter(Boolean).join(', ') || '?' },
      paragraphs: ['body', ...(details?.paragraphs ?? []), 'details', 'notYou'],
      action: { url: new URL(actionPaths[type] ?? '/settings/security', options.publicUrl).href },
    }));
    return async (tx, eventId) => {
      await deliverNow(tx, options.outbox, [{ delivery: { eventKind: 'security', eventRowId: eventId, userId, type: 'security', address: recipient.address, at }, mail }]);
    };
  };

  return { prepare };
}
