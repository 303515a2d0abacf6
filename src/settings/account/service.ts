import { eq, sql } from 'drizzle-orm';
import type { UserDirectory } from '../../auth/users.ts';
import type { Db } from '../../db/client.ts';
import { holdsFileAlone, writeOnly } from '../../db/change-watch.ts';
import type { Actor } from '../../lib/actor.ts';
import type { DateFormat } from '../../lib/datetime-format.ts';
import type { Language } from '../../lib/languages.ts';
import type { AvatarType, Theme, ViewerPreferences } from '../../lib/preferences.ts';
import { AvatarImageError, normaliseAvatar } from './avatar-image.ts';
import { createPreferencesMemory } from './preferences-memory.ts';
import { accountSettings } from './tables.ts';

export type AccountService = ReturnType<typeof createAccountService>;

export type StackTraceOrder = 'default' | 'caller-last' | 'caller-first';

export interface StoredPreferences extends ViewerPreferences {
  stackTraceOrder: StackTraceOrder;
}

/** The preferences form's values, checked at the edge. */
export interface PreferencesChoice {
  stackTraceOrder: StackTraceOrder;
  language: Language;
  timezone: string;
  clock24h: boolean;
  dateFormat: DateFormat;
  theme: Theme;
}

export type SaveResult = { ok: true };
/** The avatar saved, and the preferences that now show it. */
export type SaveAvatarResult =
  | { ok: true; preferences: StoredPreferences }
  /** The upload is not a PNG, JPEG or WebP picture, or is larger than allowed. */
  | { ok: false; reason: 'notAnImage' | 'tooLarge' }
  /** "Uploaded picture" chosen with no picture sent now or before. */
  | { ok: false; reason: 'missing' };

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

/**
 * The account page: name, preferences and avatar, always of the user the actor acts for. Reads by
 * user id (`preferences`, `avatarImage`) serve the session layer, mail and the avatar address.
 */
export function createAccountService(db: Db, deps: { users: UserDirectory }) {
  const preferencesColumns = {
    stackTraceOrder: accountSettings.stackTraceOrder,
    language: accountSettings.language,
    timeZone: accountSettings.timezone,
    clock24h: accountSettings.clock24h,
    dateFormat: accountSettings.dateFormat,
    theme: accountSettings.theme,
    avatarType: accountSettings.avatarType,
    avatarVersion: accountSettings.avatarVersion,
  };
  const selectPreferences = db.select(preferencesColumns).from(accountSettings).where(eq(accountSettings.userId, sql.placeholder('userId'))).prepare();
  // The ids travel as one JSON list: one statement for any number of people.
  const selectPreferencesOfEach = db
    .select({ userId: accountSettings.userId, ...preferencesColumns })
    .from(accountSettings)
    .where(sql`${accountSettings.userId} in (select value from json_each(${sql.placeholder('userIds')}))`)
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
  const selectAvatarImage = db
    .select({ image: accountSettings.avatarImage, version: accountSettings.avatarVersion, type: accountSettings.avatarType })
    .from(accountSettings)
    .where(eq(accountSettings.userId, sql.placeholder('userId')))
    .prepare();

  const remembered = createPreferencesMemory<StoredPreferences>();
  // Only then is what is remembered sure to be what the row held before a save (no other process writes).
  const aloneOnFile = holdsFileAlone(db);
  const preferences = async (userId: number, tx?: Db): Promise<StoredPreferences> => {
    if (tx) {
      const [row] = await tx.select(preferencesColumns).from(accountSettings).where(eq(accountSettings.userId, userId));
      return row ? { ...row, language: row.language as Language } : defaults;
    }
    const known = remembered.get(userId);
    if (known) return known;
    const asked = remembered.ask();
    const [row] = await selectPreferences.execute({ userId });
    return remembered.answer(asked, userId, row ? { ...row, language: row.language as Language } : defaults);
  };

  const hasUploadedImage = async (userId: number): Promise<boolean> => {
    const [row] = await db
      .select({ has: sql<number>`${accountSettings.avatarImage} is not null` })
      .from(accountSettings)
      .where(eq(accountSettings.userId, userId));
    return Boolean(row?.has);
  };

  return {
    /** Settings for a new account, inside the sign-up's transaction: the language it signed up in, its browser's zone, and the formats people there expect. */
    async initialise(tx: Db, userId: number, context: { language: Language; timeZone: string }): Promise<void> {
      // A new account may have the id of a removed one: nothing remembered of that one may show.
      remembered.forget(userId);
      const european = context.language !== 'en';
      await tx.insert(accountSettings).values({
        userId,
        language: context.language,
        timezone: context.timeZone,
        clock24h: european,
        dateFormat: european ? 'international' : 'us',
      });
    },

    /** A person's preferences (the defaults until they save some). Pass the transaction it is asked in, if any. */
    preferences,

    /** The preferences of each of `userIds` (the defaults for those who saved none), in one query whatever their number: for mail to many. */
    async preferencesOfEach(userIds: readonly number[]): Promise<Map<number, StoredPreferences>> {
      const found = new Map<number, StoredPreferences>(userIds.map((userId) => [userId, defaults]));
      if (userIds.length === 0) return found;
      const rows = await selectPreferencesOfEach.execute({ userIds: JSON.stringify(userIds) });
      for (const { userId, ...row } of rows) found.set(userId, { ...row, language: row.language as Language });
      return found;
    },

    /** Who the actor acts for: their name and primary address. */
    async profile(actor: Actor): Promise<{ id: number; name: string; email: string }> {
      const found = await deps.users.profile(actor.userId);
      return { id: actor.userId, name: found?.name ?? '', email: found?.email ?? '' };
    },

    /** The name shown to others and in mail. */
    async saveDetails(actor: Actor, details: { name: string }): Promise<SaveResult> {
      await deps.users.rename(actor.userId, details.name);
      return { ok: true };
    },

    async savePreferences(actor: Actor, choice: PreferencesChoice): Promise<SaveResult> {
      const userId = actor.userId;
      // Read in the same turn as the write below (nothing is awaited before it).
      const previous = remembered.get(userId);
      let known = false;
      remembered.forget(userId);
      try {
        // One row of account_settings: the session and user kept for the next request still hold.
        const upsert = () => upsertPreferences.execute({
          userId,
          stackTraceOrder: choice.stackTraceOrder,
          language: choice.language,
          timezone: choice.timezone,
          clock24h: choice.clock24h ? 1 : 0,
          dateFormat: choice.dateFormat,
          theme: choice.theme,
        });
        // Written just now, with nothing run in between: the row is the remembered one with the new choice.
        await writeOnly(db, accountSettings, 1, upsert, () => {
          if (previous === undefined || previous === defaults || !aloneOnFile) return;
          const { timezone, ...chosen } = choice;
          remembered.set(userId, { ...previous, ...chosen, timeZone: timezone });
          known = true;
        });
      } finally {
        if (!known) remembered.forget(userId);
      }
      return { ok: true };
    },

    /** Saves only the time zone (the picker's page without JavaScript). */
    async saveTimeZone(actor: Actor, timeZone: string): Promise<SaveResult> {
      await remembered.around(actor.userId, async () => {
        await db
          .insert(accountSettings)
          .values({ userId: actor.userId, timezone: timeZone })
          .onConflictDoUpdate({ target: accountSettings.userId, set: { timezone: timeZone } });
      });
      return { ok: true };
    },

    /**
     * Chooses the avatar. An upload is re-encoded (nothing of the original file is kept) and
     * replaces the previous picture; other choices keep it for later.
     */
    async saveAvatar(actor: Actor, choice: { avatarType: AvatarType; upload?: Buffer | undefined }): Promise<SaveAvatarResult> {
      const userId = actor.userId;
      let image: Buffer | undefined;
      if (choice.upload && choice.upload.length > 0) {
        try {
          image = await normaliseAvatar(choice.upload);
        } catch (error) {
          if (!(error instanceof AvatarImageError)) throw error;
          return { ok: false, reason: error.reason };
        }
      }
      if (choice.avatarType === 'upload' && !image && !(await hasUploadedImage(userId))) return { ok: false, reason: 'missing' };
      const values = {
        avatarType: choice.avatarType,
        ...(image ? { avatarImage: image } : {}),
        avatarVersion: sql`${accountSettings.avatarVersion} + 1`,
      };
      await remembered.around(userId, async () => {
        await db
          .insert(accountSettings)
          .values({ userId, avatarType: choice.avatarType, avatarImage: image ?? null, avatarVersion: 1 })
          .onConflictDoUpdate({ target: accountSettings.userId, set: values });
      });
      return { ok: true, preferences: await preferences(userId) };
    },

    /** The uploaded picture a person shows, for its address; null when they show another avatar. */
    async avatarImage(userId: number): Promise<{ image: Buffer; version: number } | null> {
      const [row] = await selectAvatarImage.execute({ userId });
      return row?.image && row.type === 'upload' ? { image: row.image, version: row.version } : null;
    },
  };
}
