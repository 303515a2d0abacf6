import { z } from 'zod';

export const addEmailForm = z.object({
  address: z
    .string()
    .trim()
    .min(1, { error: 'errors.email.required' })
    .max(254, { error: 'errors.email.invalid' })
    .pipe(z.email({ error: 'errors.email.invalid' })),
});

export const emptyForm = z.object({});

export const emailIdParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
