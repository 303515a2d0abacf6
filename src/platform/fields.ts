import { z } from 'zod';

/** The values the platform's forms and API accept, checked the same way wherever they come from. */

const invisible = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** The name of an organization, project or pipeline: 1–100 visible characters. */
export const platformName = z
  .string()
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' })
  .refine((name) => !invisible.test(name), { error: 'must not contain control or text-direction characters' })
  .refine((name) => /[\p{L}\p{N}]/u.test(name), { error: 'must contain a letter or a digit' });

/** An organization's or project's name in URLs: lower-case letters, digits and single dashes, 1–40 long. */
export const slugPattern = /^[a-z0-9-]+$/;
const slugMessage = 'must be lower-case letters, digits and single dashes (not at either end)';
export const platformSlug = z
  .string()
  .min(1, { error: slugMessage })
  .max(40, { error: 'must be at most 40 characters' })
  .regex(slugPattern, { error: slugMessage })
  .refine((slug) => !slug.startsWith('-') && !slug.endsWith('-') && !slug.includes('--'), { error: slugMessage });

export const maxPerPage = 100;
export const defaultPerPage = 25;
