import { z } from 'zod';
import { emailAddress } from '../../web/form-fields.ts';

export const addEmailForm = z.object({
  address: emailAddress,
});

/** The resend button also sits on the account page, and brings the person back there. */
export const resendForm = z.object({ back: z.enum(['account']).optional() });

export const emailIdParam = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
