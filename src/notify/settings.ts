import { and, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Actor } from '../lib/actor.ts';
import {
  allowsScope,
  emailRoutingScopes,
  isFixed,
  isNotificationType,
  isValueOf,
  notificationTypeNames,
  notificationTypes,
  type NotificationScope,
  type NotificationType,
} from './registry.ts';
import { resolveAddress, resolveSetting, type DecidedBy, type RoutableAddresses, type SettingRow } from './resolve.ts';
import { notificationSettings } from './tables.ts';

/** A type of the registry, or where mail goes. */
export type SettingType = NotificationType | 'emailRouting';

/** Which setting: its type, and the place it is set for (no id at `user` scope). */
export interface SettingKey {
  type: SettingType;
  scope: NotificationScope;
  scopeId: number | null;
}

export type SetSettingResult =
  | { ok: true }
  | { ok: false; reason: 'unknownType' | 'scopeNotAllowed' | 'valueNotAllowed' | 'addressNotVerified' | 'placeNotFound' };

export type TurnOffResult = { ok: true } | { ok: false; reason: 'unknownType' | 'cannotTurnOff' } | { ok: false; reason: 'wouldOverwrite'; overrides: number };

/** A type's setting as the overview shows it: the person's own default and how many places have their own. */
export interface TypeOverview {
  type: NotificationType;
  value: string;
  by: DecidedBy;
  overrides: number;
}

/** Turning a type off everywhere asks first once this many places have a setting of their own. */
export const overwriteAskedFrom = 3;

/** Stored scope id at `user` scope: SQLite's unique index counts NULLs apart, so 0 stands for "none". */
const noPlace = 0;

/**
 * Whether resolving an issue assigns it to the person (their `selfAssignOnResolve`, a setting of
 * their own only). Read on `tx`, the transaction that resolves the issue.
 */
export async function selfAssignsOnResolve(tx: Db, userId: number): Promise<boolean> {
  const rows = await tx
    .select({ type: notificationSettings.type, scope: notificationSettings.scope, scopeId: notificationSettings.scopeId, value: notificationSettings.value })
    .from(notificationSettings)
    .where(and(eq(notificationSettings.userId, userId), eq(notificationSettings.type, 'selfAssignOnResolve'), eq(notificationSettings.scope, 'user')));
  return resolveSetting('selfAssignOnResolve', rows.map((row) => ({ ...row, scopeId: null })), { organizationId: noPlace, projectId: null }).value === 'on';
}

export type NotificationSettings = ReturnType<typeof createNotificationSettings>;

/**
 * A person's notification settings (DESIGN.md rule 12): read, set one, remove one, reset, turn a
 * type off everywhere. Organizations and projects are checked through `canSee` (the platform's
 * membership), addresses through `addressesOf` (the person's verified ones), so notify/ reads
 * neither table itself.
 */
export function createNotificationSettings(
  db: Db,
  deps: {
    now: () => number;
    canSee: (userId: number, scope: 'organization' | 'project', id: number) => Promise<boolean>;
    addressesOf: (userId: number) => Promise<RoutableAddresses>;
  },
) {
  // The dispatcher's, for every event: built once; the ids travel as one JSON list, so there is no
  // limit on their number (SQLite's is 32 766 bound values) and one statement serves any count.
  const rowsOfEachQuery = db
    .select({ userId: notificationSettings.userId, type: notificationSettings.type, scope: notificationSettings.scope, scopeId: notificationSettings.scopeId, value: notificationSettings.value })
    .from(notificationSettings)
    .where(
      and(
        sql`${notificationSettings.userId} in (select value from json_each(${sql.placeholder('userIds')}))`,
        sql`${notificationSettings.type} in (select value from json_each(${sql.placeholder('types')}))`,
      ),
    )
    .prepare();

  const rowsOf = async (userId: number, tx: Db = db): Promise<SettingRow[]> => {
    const rows = await tx
      .select({ type: notificationSettings.type, scope: notificationSettings.scope, scopeId: notificationSettings.scopeId, value: notificationSettings.value })
      .from(notificationSettings)
      .where(eq(notificationSettings.userId, userId));
    return rows.map((row) => ({ ...row, scopeId: row.scope === 'user' ? null : row.scopeId }));
  };

  const whereKey = (userId: number, key: SettingKey) =>
    and(
      eq(notificationSettings.userId, userId),
      eq(notificationSettings.type, key.type),
      eq(notificationSettings.scope, key.scope),
      eq(notificationSettings.scopeId, key.scopeId ?? noPlace),
    );

  /** Why `key` with `value` cannot be stored for the user, or null when it can. */
  const refusal = async (userId: number, key: SettingKey, value: string): Promise<Exclude<SetSettingResult, { ok: true }>['reason'] | null> => {
    if (key.type !== 'emailRouting' && !isNotificationType(key.type)) return 'unknownType';
    if (key.type !== 'emailRouting' && isFixed(key.type)) return 'valueNotAllowed';
    const scopeAllowed = key.type === 'emailRouting' ? emailRoutingScopes.includes(key.scope) : allowsScope(key.type, key.scope);
    if (!scopeAllowed || (key.scope === 'user') !== (key.scopeId === null)) return 'scopeNotAllowed';
    if (key.type === 'emailRouting') {
      if (!(await deps.addressesOf(userId)).verified.includes(value)) return 'addressNotVerified';
    } else if (!isValueOf(key.type, value)) {
      return 'valueNotAllowed';
    }
    if (key.scope !== 'user' && !(await deps.canSee(userId, key.scope, key.scopeId ?? noPlace))) return 'placeNotFound';
    return null;
  };

  return {
    /** Every stored setting of the person the actor acts for. */
    rows: (actor: Actor): Promise<SettingRow[]> => rowsOf(actor.userId),

    /** Every stored setting of each of `userIds`, in one query whatever their number (the dispatcher's). */
    async rowsOfEach(userIds: readonly number[], types: readonly SettingType[]): Promise<Map<number, SettingRow[]>> {
      const byUser = new Map<number, SettingRow[]>(userIds.map((userId) => [userId, []]));
      if (userIds.length === 0) return byUser;
      const rows = await rowsOfEachQuery.execute({ userIds: JSON.stringify(userIds), types: JSON.stringify(types) });
      for (const row of rows) byUser.get(row.userId)?.push({ type: row.type, scope: row.scope, scopeId: row.scope === 'user' ? null : row.scopeId, value: row.value });
      return byUser;
    },

    /** Stores one setting (replacing the one at the same place), after checking type, scope, value and place. */
    async set(actor: Actor, key: SettingKey, value: string): Promise<SetSettingResult> {
      const refused = await refusal(actor.userId, key, value);
      if (refused) return { ok: false, reason: refused };
      const row = { userId: actor.userId, type: key.type, scope: key.scope, scopeId: key.scopeId ?? noPlace, value, updatedAt: new Date(deps.now()) };
      await db
        .insert(notificationSettings)
        .values(row)
        .onConflictDoUpdate({
          target: [notificationSettings.userId, notificationSettings.type, notificationSettings.scope, notificationSettings.scopeId],
          set: { value, updatedAt: row.updatedAt },
        });
      return { ok: true };
    },

    /**
     * Turns one type off for one place, from a one-click unsubscribe link: no membership check, since
     * turning a notification off can harm no one, and the link may be followed after leaving.
     */
    async turnOffAt(userId: number, type: NotificationType, scope: 'organization' | 'project', scopeId: number): Promise<boolean> {
      const off = isNotificationType(type) && allowsScope(type, scope) ? notificationTypes[type].off : null;
      if (off === null) return false;
      const updatedAt = new Date(deps.now());
      await db
        .insert(notificationSettings)
        .values({ userId, type, scope, scopeId, value: off, updatedAt })
        .onConflictDoUpdate({ target: [notificationSettings.userId, notificationSettings.type, notificationSettings.scope, notificationSettings.scopeId], set: { value: off, updatedAt } });
      return true;
    },

    /** Removes one setting: that place follows the wider one again. False when there was none. */
    async remove(actor: Actor, key: SettingKey): Promise<boolean> {
      const removed = await db.delete(notificationSettings).where(whereKey(actor.userId, key)).returning({ id: notificationSettings.id });
      return removed.length > 0;
    },

    /** Back to the defaults: one type's settings (its routing included for `emailRouting`), or all of them. */
    async reset(actor: Actor, type: SettingType | null): Promise<number> {
      const removed = await db
        .delete(notificationSettings)
        .where(and(eq(notificationSettings.userId, actor.userId), type === null ? undefined : eq(notificationSettings.type, type)))
        .returning({ id: notificationSettings.id });
      return removed.length;
    },

    /**
     * Turns a type off for everything: the person's own default becomes off and every place's own
     * setting goes. When `overwriteAskedFrom` or more places have one, it asks first (`wouldOverwrite`)
     * unless `overwrite` says the person agreed.
     */
    async turnOffEverywhere(actor: Actor, type: NotificationType, overwrite: boolean): Promise<TurnOffResult> {
      if (!isNotificationType(type)) return { ok: false, reason: 'unknownType' };
      const off = notificationTypes[type].off;
      if (off === null) return { ok: false, reason: 'cannotTurnOff' };
      return inTransaction(db, async (tx) => {
        const places = await tx
          .select({ id: notificationSettings.id })
          .from(notificationSettings)
          .where(and(eq(notificationSettings.userId, actor.userId), eq(notificationSettings.type, type), ne(notificationSettings.scope, 'user')));
        if (places.length >= overwriteAskedFrom && !overwrite) return { ok: false, reason: 'wouldOverwrite', overrides: places.length } as const;
        await tx.delete(notificationSettings).where(and(eq(notificationSettings.userId, actor.userId), eq(notificationSettings.type, type)));
        await tx.insert(notificationSettings).values({ userId: actor.userId, type, scope: 'user', scopeId: noPlace, value: off, updatedAt: new Date(deps.now()) });
        return { ok: true } as const;
      });
    },

    /** Each type's own default for the person, and how many places have a setting of their own. */
    async overview(actor: Actor): Promise<TypeOverview[]> {
      const rows = await rowsOf(actor.userId);
      return notificationTypeNames.map((type) => {
        const own = rows.filter((row) => row.type === type && row.scope === 'user');
        const decided = resolveSetting(type, own, { organizationId: noPlace, projectId: null });
        return { type, value: decided.value, by: decided.by, overrides: rows.filter((row) => row.type === type && row.scope !== 'user').length };
      });
    },

    /** Where the person's mail about something in `place` goes, and what decided it (null: no verified address). */
    async addressFor(userId: number, place: { organizationId: number; projectId: number | null }) {
      return resolveAddress(await rowsOf(userId), place, await deps.addressesOf(userId));
    },
  };
}
