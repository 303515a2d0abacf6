import { allowsScope, isValueOf, notificationTypes, type NotificationScope, type NotificationType, type NotificationValue } from './registry.ts';

/** One stored setting of one person: no row means the type's default. */
export interface SettingRow {
  type: string;
  scope: NotificationScope;
  /** The organization's or project's id; null at `user` scope. */
  scopeId: number | null;
  value: string;
}

/** Where an event happened. */
export interface EventPlace {
  organizationId: number;
  projectId: number | null;
}

/** Which setting decided: a stored one (its scope and id), or none, so the type's default. */
export type DecidedBy = { scope: NotificationScope; scopeId: number | null } | 'default';

export interface Decided<V> {
  value: V;
  by: DecidedBy;
}

const specificity: readonly NotificationScope[] = ['project', 'organization', 'user'];

function idAt(scope: NotificationScope, place: EventPlace): number | null | undefined {
  if (scope === 'user') return null;
  if (scope === 'organization') return place.organizationId;
  return place.projectId ?? undefined;
}

/**
 * A person's setting of `type` for an event at `place`: the project's row, else the
 * organization's, else their own default, else the type's default. Rows at a scope the type does
 * not have, or with a value it does not take (left by an older version), are passed over.
 */
export function resolveSetting<T extends NotificationType>(type: T, rows: readonly SettingRow[], place: EventPlace): Decided<NotificationValue<T>> {
  for (const scope of specificity) {
    if (!allowsScope(type, scope)) continue;
    const scopeId = idAt(scope, place);
    if (scopeId === undefined) continue;
    const row = rows.find((candidate) => candidate.type === type && candidate.scope === scope && candidate.scopeId === scopeId);
    if (row && isValueOf(type, row.value)) return { value: row.value, by: { scope, scopeId } };
  }
  return { value: notificationTypes[type].default as NotificationValue<T>, by: 'default' };
}

/** A person's addresses as routing needs them. */
export interface RoutableAddresses {
  primary: string;
  /** Every address they have confirmed (the primary among them once confirmed). */
  verified: readonly string[];
}

/**
 * Where a person's mail about an event at `place` goes: the project's chosen address, else their
 * own chosen default, else their primary address, each only while it is verified (an address
 * removed or never confirmed is never used). null when no verified address is left.
 */
export function resolveAddress(rows: readonly SettingRow[], place: EventPlace, addresses: RoutableAddresses): Decided<string> | null {
  const verified = new Set(addresses.verified);
  for (const scope of ['project', 'user'] as const) {
    const scopeId = idAt(scope, place);
    if (scopeId === undefined) continue;
    const row = rows.find((candidate) => candidate.type === 'emailRouting' && candidate.scope === scope && candidate.scopeId === scopeId);
    if (row && verified.has(row.value)) return { value: row.value, by: { scope, scopeId } };
  }
  return verified.has(addresses.primary) ? { value: addresses.primary, by: 'default' } : null;
}
