import { z } from 'zod';

/** A person's name as shown to others: 1–100 visible characters (no line breaks or text-direction controls). */
export const personName = z
  .string({ error: 'errors.name.required' })
  .trim()
  .min(1, { error: 'errors.name.required' })
  .max(100, { error: 'errors.name.tooLong' })
  .refine((name) => !/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u.test(name), { error: 'errors.name.invisibleCharacters' })
  // Zero-width and other invisible characters alone would leave a blank name and blank initials.
  .refine((name) => /[\p{L}\p{N}]/u.test(name), { error: 'errors.name.noLetters' });

/** An e-mail address as typed into a form. */
export const emailAddress = z
  .string()
  .trim()
  .min(1, { error: 'errors.email.required' })
  .max(254, { error: 'errors.email.invalid' })
  .pipe(z.email({ error: 'errors.email.invalid' }));
