import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import type { Language } from '../../lib/languages.ts';
import type { AvatarType, ViewerPreferences } from '../../web/viewer.ts';
import type { PreferencesInput } from './form.ts';
import { accountSettings } from './tables.ts';

export type AccountService = ReturnType<typeof createAccountService>;

export interface StoredPreferences extends ViewerPreferences {
  stackTraceOrder: 'default' | 'caller-last' | 'caller-first';
}

const defaults: StoredPreferences = {
  stackTraceOrder: 'default',
  language: 'en',
  timeZone: 'UTC',
  clock24h: false,
  dateFormat: 'us',
  theme: 'system',
  avatarType: 'initials',
  avatarVersion: 0,
};

/** The account page's own data: preferences and avatar, one row per person. */
export function createAccountService(db: Db) {
  const selectPreferences = db
    .select({
      stackTraceOrder: accountSettings.stackTraceOrder,
      language: accountSettings.language,
      timeZone: accountSettings.timezone,
      clock24h: accountSettings.clock24h,
      dateFormat: accountSettings.dateFormat,
      theme: accountSettings.theme,
      avatarType: accountSettings.avatarType,
      avatarVersion: accountSettings.avatarVersion,
    })
    .from(accountSettings)
    .where(eq(accountSettings.userId, sql.placeholder('userId')))
    .prepare();
  const placeholders = {
    stackTraceOrder: sql`${sql.placeholder('stackTraceOrder')}`,
    language: sql`${sql.placeholder('language')}`,
    timezone: sql`${sql.placeholder('timezone')}`,
    clock24h: sql`${sql.placeholder('clock24h')}`,
    dateFormat: sql`${sql.placeholder('dateFormat')}`,
    theme: sql`${sql.placeholder('theme')}`,
  };
  const upsertPreferences = db
    .insert(accountSettings)
    .values({ userId: sql.placeholder('userId'), ...placeholders })
    .onConflictDoUpdate({ target: accountSettings.userId, set: placeholders })
    .prepare();
  const selectHasImage = db
    .select({ has: sql<number>`${accountSettings.avatarImage} is not null` })
    .from(accountSettings)
    .where(eq(accountSettings.userId, sql.placeholder('userId')))
    .prepare();
  const selectAvatarImage = db
    .select({ image: accountSettings.avatarImage, version: accountSettings.avatarVersion, type: accountSettings.avatarType })
    .from(accountSettings)
    .where(eq(accountSettings.userId, sql.placeholder('userId')))
    .prepare();

  return {
    /** Settings for a new account: the language it signed up in, its browser's zone, and the formats people there expect. */
    initialise(tx: Db, userId: number, context: { language: Language; timeZone: string }): void {
      const european = context.language !== 'en';
      tx.insert(accountSettings)
        .values({
          userId,
          language: context.language,
          timezone: context.timeZone,
          clock24h: european,
          dateFormat: european ? 'international' : 'us',
        })
        .run();
    },

    preferences(userId: number): StoredPreferences {
      const row = selectPreferences.get({ userId });
      return row ? { ...row, language: row.language as Language } : defaults;
    },

    savePreferences(userId: number, input: PreferencesInput): void {
      upsertPreferences.run({
        userId,
        stackTraceOrder: input.stackTraceOrder,
        language: input.language,
        timezone: input.timezone,
        clock24h: input.clock24h ? 1 : 0,
        dateFormat: input.dateFormat,
        theme: input.theme,
      });
    },

    /** Saves only the time zone (the picker's page without JavaScript). */
    saveTimeZone(userId: number, timeZone: string): void {
      db.insert(accountSettings)
        .values({ userId, timezone: timeZone })
        .onConflictDoUpdate({ target: accountSettings.userId, set: { timezone: timeZone } })
        .run();
    },

    /** Chooses the avatar; an uploaded image replaces the previous one, other choices keep it for later. */
    saveAvatar(userId: number, avatarType: AvatarType, image?: Buffer): void {
      const values = {
        avatarType,
        ...(image ? { avatarImage: image } : {}),
        avatarVersion: sql`${accountSettings.avatarVersion} + 1`,
      };
      db.insert(accountSettings)
        .values({ userId, avatarType, avatarImage: image ?? null, avatarVersion: 1 })
        .onConflictDoUpdate({ target: accountSettings.userId, set: values })
        .run();
    },

    hasUploadedImage(userId: number): boolean {
      return Boolean(selectHasImage.get({ userId })?.has);
    },

    avatarImage(userId: number): { image: Buffer; version: number } | null {
      const row = selectAvatarImage.get({ userId });
      return row?.image && row.type === 'upload' ? { image: row.image, version: row.version } : null;
    },
  };
}
