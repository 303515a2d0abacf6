import { z } from 'zod';
import { isLanguage } from '../../lib/languages.ts';
import { isTimeZone } from '../../lib/timezones.ts';
import { checkbox } from '../../web/form.ts';
import { personName } from '../../web/form-fields.ts';

export const detailsForm = z.object({
  name: personName,
});

/** Each preference's accepted values: the page's form and the API check them alike. */
export const preferenceFields = {
  stackTraceOrder: z.enum(['default', 'caller-last', 'caller-first'], { error: 'errors.preferences.stackTraceOrder' }),
  language: z.string().refine(isLanguage, { error: 'errors.preferences.language' }),
  timezone: z.string().max(64, { error: 'errors.preferences.timezone' }).refine(isTimeZone, { error: 'errors.preferences.timezone' }),
  dateFormat: z.enum(['us', 'international', 'iso'], { error: 'errors.preferences.dateFormat' }),
  theme: z.enum(['system', 'light', 'dark'], { error: 'errors.preferences.theme' }),
};

export const preferencesForm = z.object({
  stackTraceOrder: preferenceFields.stackTraceOrder,
  language: preferenceFields.language,
  timezone: preferenceFields.timezone,
  clock24h: checkbox,
  dateFormat: preferenceFields.dateFormat,
  theme: preferenceFields.theme,
  /** The language the page was shown in, so an auto-save answers in it (the page is not switched under the person's keys). */
  shownLanguage: z.string().refine(isLanguage, { error: 'errors.preferences.language' }).optional(),
  /**
   * Sent by a block shown without errors: what it shows (src/settings/account/shown-state.ts). A save
   * made with scripts then answers only the parts that differ. A value that is not a string of at
   * most 200 characters reads as absent, and one without its five fields answers every part.
   */
  shownState: z.string().max(200).optional().catch(undefined),
  /**
   * What a block rendered by the release before sent in place of shownState: a page left open across
   * an upgrade still saves (it is answered the whole block, which then sends shownState).
   */
  blockState: z.unknown().optional().transform(() => undefined),
});

/** The picker's page without JavaScript: the chosen zone, and the search it was chosen from (to show again on an error). */
export const timeZoneForm = z.object({
  timezone: z.string({ error: 'errors.preferences.timezone' }).max(64, { error: 'errors.preferences.timezone' }).refine(isTimeZone, { error: 'errors.preferences.timezone' }),
  // Only shown again, cut to the length a search takes: a longer one never refuses a valid zone.
  q: z.string().transform((query) => query.slice(0, 100)).optional(),
});

export type PreferencesInput = z.infer<typeof preferencesForm>;

export const avatarTypes = ['initials', 'upload', 'gravatar'] as const;
export const avatarForm = z.object({
  avatarType: z.enum(avatarTypes, { error: 'errors.avatar.type' }),
});
