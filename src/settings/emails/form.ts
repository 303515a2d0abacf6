import { z } from 'zod';
import { emailAddress } from '../../web/form-fields.ts';

export const addEmailForm = z.object({
  address: emailAddress,
});

export const emptyForm = z.object({});

export const emailIdParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
