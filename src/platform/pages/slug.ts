import { platformSlug } from '../fields.ts';

/**
 * A slug made from a name, as the create forms suggest when the slug field is left empty:
 * accents dropped, lower case, anything else between letters and digits one dash, at most 40 long.
 * Empty when the name has no Latin letter or digit to make one from.
 */
export function slugFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
}

/** The slug typed, or the one made from the name when none was typed; null when neither is a valid slug. */
export function chosenSlug(typed: string | undefined, name: string): string | null {
  const slug = typed?.trim() ? typed.trim() : slugFromName(name);
  return platformSlug.safeParse(slug).success ? slug : null;
}
