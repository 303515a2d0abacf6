import crypto from 'node:crypto';
import { isNotificationType, type NotificationType } from './registry.ts';

/** What a one-click unsubscribe link turns off: one person's one type, for one organization or project. */
export interface UnsubscribeTarget {
  userId: number;
  type: NotificationType;
  scope: 'organization' | 'project';
  scopeId: number;
}

const shape = /^(\d{1,12})\.([a-zA-Z]{1,40})\.([op])(\d{1,12})\.([A-Za-z0-9_-]{22})$/;

/**
 * Links that turn one notification setting off without logging in (RFC 8058 one-click), so they
 * carry what they change and an HMAC of it with a key of their own: a link opens that one setting
 * of that one person and nothing else, and cannot be altered to reach another. They do not expire:
 * a mail program may follow one weeks later, and all it can do is turn a notification off.
 */
export function createUnsubscribeTokens(key: Buffer) {
  // Made once: a fan-out signs a link per recipient, and turning raw bytes into a key each time costs more than the MAC.
  const keyObject = crypto.createSecretKey(key);
  const macOf = (target: UnsubscribeTarget) =>
    crypto.createHmac('sha256', keyObject).update(`${target.userId}.${target.type}.${target.scope}.${target.scopeId}`).digest('base64url').slice(0, 22);
  return {
    sign(target: UnsubscribeTarget): string {
      return `${target.userId}.${target.type}.${target.scope === 'organization' ? 'o' : 'p'}${target.scopeId}.${macOf(target)}`;
    },
    /** What the token turns off, or null when it is not one of Dials' own. */
    verify(token: string): UnsubscribeTarget | null {
      const [, userId, type, scopeLetter, scopeId, mac] = shape.exec(token) ?? [];
      if (!userId || !type || !scopeLetter || !scopeId || !mac || !isNotificationType(type)) return null;
      const target: UnsubscribeTarget = { userId: Number(userId), type, scope: scopeLetter === 'o' ? 'organization' : 'project', scopeId: Number(scopeId) };
      const expected = Buffer.from(macOf(target));
      const given = Buffer.from(mac);
      return given.length === expected.length && crypto.timingSafeEqual(given, expected) ? target : null;
    },
  };
}

export type UnsubscribeTokens = ReturnType<typeof createUnsubscribeTokens>;
