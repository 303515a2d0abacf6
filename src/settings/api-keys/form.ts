import { z } from 'zod';
import { allScopes, isScope, scopeResources, type Scope, type ScopeResource } from './scopes.ts';

/** A key's name: what it is for, 1–100 characters. */
export const keyName = z
  .string()
  .trim()
  .min(1, { error: 'errors.apiKey.nameRequired' })
  .max(100, { error: 'errors.apiKey.nameTooLong' })
  .refine((name) => !/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u.test(name), { error: 'errors.apiKey.nameInvisible' });

export const scopeName = z.enum(allScopes as [Scope, ...Scope[]], { error: 'errors.apiKey.unknownScope' });

export const keyIdParam = z.object({ id: z.string().regex(/^[a-z2-7]{16}$/) });

const access = z.enum(['none', 'read', 'write'], { error: 'errors.apiKey.unknownScope' }).optional();
export const scopeFieldName = (resource: ScopeResource) => `scope_${resource}`;

/** One choice per resource (no access, read, read and write), as the page's selects post them. */
const scopeFields = Object.fromEntries(scopeResources.map((resource) => [scopeFieldName(resource), access])) as Record<`scope_${ScopeResource}`, typeof access>;

export const expiryChoices = ['7', '30', '90', 'date', 'none'] as const;

export const createKeyForm = z.object({
  name: keyName,
  expiry: z.enum(expiryChoices, { error: 'errors.apiKey.expiry' }),
  expiryDate: z.string().max(10).optional(),
  ...scopeFields,
});

export const scopesForm = z.object(scopeFields);
export const renameForm = z.object({ name: keyName });

/** The scopes chosen in the selects; `emails` only ever reads. */
export function chosenScopes(values: Partial<Record<string, string | undefined>>): { ok: true; scopes: Scope[] } | { ok: false; field: string } {
  const scopes: Scope[] = [];
  for (const resource of scopeResources) {
    const choice = values[scopeFieldName(resource)];
    if (!choice || choice === 'none') continue;
    const scope = `${resource}:${choice}`;
    if (!isScope(scope)) return { ok: false, field: scopeFieldName(resource) };
    scopes.push(scope);
  }
  return { ok: true, scopes };
}

const dayMs = 24 * 60 * 60 * 1000;
/** The latest expiry a date may give: five years. */
const longestMs = 5 * 366 * dayMs;

/** When a key made now expires: after 7, 30 or 90 days, at the end of a chosen day (UTC), or never. */
export function expiryFrom(choice: (typeof expiryChoices)[number], date: string | undefined, now: number): { ok: true; expiresAt: Date | null } | { ok: false } {
  if (choice === 'none') return { ok: true, expiresAt: null };
  if (choice !== 'date') return { ok: true, expiresAt: new Date(now + Number(choice) * dayMs) };
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return { ok: false };
  const end = Date.parse(`${date}T23:59:59.999Z`);
  if (!Number.isFinite(end) || end <= now || end > now + longestMs) return { ok: false };
  return { ok: true, expiresAt: new Date(end) };
}
