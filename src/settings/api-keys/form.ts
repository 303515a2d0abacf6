import { z } from 'zod';
import { allScopes, type Scope } from './scopes.ts';

/** A key's name: what it is for, 1–100 characters. */
export const keyName = z
  .string()
  .trim()
  .min(1, { error: 'errors.apiKey.nameRequired' })
  .max(100, { error: 'errors.apiKey.nameTooLong' })
  .refine((name) => !/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u.test(name), { error: 'errors.apiKey.nameInvisible' });

export const scopeName = z.enum(allScopes as [Scope, ...Scope[]], { error: 'errors.apiKey.unknownScope' });

export const keyIdParam = z.object({ id: z.string().regex(/^[a-z2-7]{16}$/) });
