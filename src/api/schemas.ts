import { z } from 'zod';
import { preferenceFields } from '../settings/account/form.ts';
import { keyName, scopeName } from '../settings/api-keys/form.ts';
import { personName } from '../web/form-fields.ts';

/** The JSON API's bodies and answers. Request bodies are strict: an unknown field is refused. */

const timestamp = z.iso.datetime();

export const problemSchema = z
  .object({ type: z.string(), title: z.string(), status: z.number().int(), detail: z.string().optional() })
  .loose()
  .meta({ description: 'An RFC 9457 problem (application/problem+json)' });

export const userSchema = z.object({ id: z.number().int(), name: z.string(), email: z.string() });
export const renameUserBody = z.strictObject({ name: personName });

export const preferencesSchema = z.object({
  language: z.string(),
  timeZone: z.string(),
  clock24h: z.boolean(),
  dateFormat: preferenceFields.dateFormat,
  theme: preferenceFields.theme,
  stackTraceOrder: preferenceFields.stackTraceOrder,
});
export const changePreferencesBody = z.strictObject({
  language: preferenceFields.language.optional(),
  timeZone: preferenceFields.timezone.optional(),
  clock24h: z.boolean().optional(),
  dateFormat: preferenceFields.dateFormat.optional(),
  theme: preferenceFields.theme.optional(),
  stackTraceOrder: preferenceFields.stackTraceOrder.optional(),
});

export const emailSchema = z.object({ id: z.number().int(), address: z.string(), primary: z.boolean(), verified: z.boolean(), createdAt: timestamp });

export const sessionSchema = z.object({ id: z.string(), createdAt: timestamp, lastSeenAt: timestamp, ipAddress: z.string(), userAgent: z.string() });
export const sessionIdParams = z.strictObject({ id: z.string().regex(/^[0-9a-f]{64}$/) });

export const keySchema = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
  preview: z.string().meta({ description: 'The first characters of the part after the dot' }),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  expired: z.boolean(),
  lastUsed: z.object({ at: timestamp, ipAddress: z.string(), userAgent: z.string() }).nullable(),
});
export const createdKeySchema = keySchema.extend({ key: z.string().meta({ description: 'The key itself, shown this once and never again' }) });
export const createKeyBody = z.strictObject({
  name: keyName,
  scopes: z.array(scopeName).min(1).max(30),
  expiresAt: timestamp.nullable().optional().meta({ description: 'When the key stops working; null or absent for never' }),
});
export const keyIdParams = z.strictObject({ id: z.string().regex(/^[a-z2-7]{16}$/) });
export const keyUseSchema = z.object({ at: timestamp, method: z.string(), path: z.string(), status: z.number().int(), ipAddress: z.string() });
