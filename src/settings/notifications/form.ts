import { z } from 'zod';

/** A setting's value as posted; which values a setting takes is the registry's to say (through the service). */
const settingValue = z.string({ error: 'errors.notifications.valueNotAllowed' }).max(254, { error: 'errors.notifications.valueNotAllowed' });

/** The person's own default of one setting; `from` says which page the block sits on, for the answer without JavaScript. */
export const defaultForm = z.object({
  value: settingValue,
  from: z.enum(['overview', 'type']).optional().catch(undefined),
});

/** One place's own setting, changed. */
export const placeValueForm = z.object({
  value: settingValue,
});

/** A setting of its own for a place that has none yet. */
export const addPlaceForm = z.object({
  place: z.string({ error: 'errors.notifications.placeRequired' }).min(1, { error: 'errors.notifications.placeRequired' }).max(40, { error: 'errors.notifications.placeNotFound' }),
  value: settingValue,
});

/** A step that asks first: posted once to see what it will do, then again with `confirm=yes` to do it. */
export const confirmForm = z.object({
  confirm: z.literal('yes', { error: 'errors.form.invalidValue' }).optional(),
});

/** When weekly reports arrive: an ISO weekday (1 Monday … 7 Sunday) and a whole hour. */
export const reportTimeForm = z.object({
  weekday: z
    .string({ error: 'errors.notifications.badWeekday' })
    .regex(/^[1-7]$/, { error: 'errors.notifications.badWeekday' })
    .transform(Number),
  hour: z
    .string({ error: 'errors.notifications.badHour' })
    .regex(/^(?:[01]?\d|2[0-3])$/, { error: 'errors.notifications.badHour' })
    .transform(Number),
});

/** A test message of one type, optionally about one place (its routing then applies). */
export const testForm = z.object({
  place: z.string({ error: 'errors.notificationTests.placeNotFound' }).max(40, { error: 'errors.notificationTests.placeNotFound' }).optional(),
  from: z.enum(['overview', 'type']).optional().catch(undefined),
});
