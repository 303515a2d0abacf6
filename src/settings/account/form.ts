import { z } from 'zod';
import { isLanguage } from '../../lib/languages.ts';
import { isTimeZone } from '../../lib/timezones.ts';
import { checkbox } from '../../web/form.ts';

export const detailsForm = z.object({
  name: z
    .string()
    .trim()
    .min(1, { error: 'errors.name.required' })
    .max(100, { error: 'errors.name.tooLong' })
    .refine((name) => !/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u.test(name), { error: 'errors.name.invisibleCharacters' }),
});

export const preferencesForm = z.object({
  stackTraceOrder: z.enum(['default', 'caller-last', 'caller-first'], { error: 'errors.preferences.stackTraceOrder' }),
  language: z.string().refine(isLanguage, { error: 'errors.preferences.language' }),
  timezone: z.string().max(64, { error: 'errors.preferences.timezone' }).refine(isTimeZone, { error: 'errors.preferences.timezone' }),
  clock24h: checkbox,
  dateFormat: z.enum(['us', 'international', 'iso'], { error: 'errors.preferences.dateFormat' }),
  theme: z.enum(['system', 'light', 'dark'], { error: 'errors.preferences.theme' }),
});

export type PreferencesInput = z.infer<typeof preferencesForm>;

export const avatarTypes = ['initials', 'upload', 'gravatar'] as const;
export const avatarForm = z.object({
  avatarType: z.enum(avatarTypes, { error: 'errors.avatar.type' }),
});
