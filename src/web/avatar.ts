import crypto from 'node:crypto';
import type { Viewer } from './viewer.ts';

/** Where the browser fetches a person's avatar from, or null for the initials avatar. */
export function avatarUrl(viewer: Pick<Viewer, 'user' | 'preferences'>, size = 80): string | null {
  const { avatarType, avatarVersion } = viewer.preferences;
  if (avatarType === 'upload') return `/avatars/${viewer.user.id}.webp?v=${avatarVersion}`;
  if (avatarType === 'gravatar') {
    const digest = crypto.createHash('md5').update(viewer.user.email.trim().toLowerCase()).digest('hex');
    return `https://www.gravatar.com/avatar/${digest}?s=${size}&d=identicon`;
  }
  return null;
}

// Every page shows the initials twice or more; names change rarely, so they are worked out once.
const knownInitials = new Map<string, string>();

export function initialsOf(name: string): string {
  let initials = knownInitials.get(name);
  if (initials === undefined) {
    initials = computeInitials(name);
    if (knownInitials.size >= 10_000) knownInitials.clear();
    knownInitials.set(name, initials);
  }
  return initials;
}

/** The first letter (or digit) of the first and the last word that have one: "Bob 🦊 <b>Other</b>" is "BB". */
function computeInitials(name: string): string {
  const firstLetters = name
    .split(/\s+/u)
    .map((word) => /[\p{L}\p{N}]/u.exec(word)?.[0])
    .filter((letter): letter is string => letter !== undefined);
  const letters = firstLetters.length > 1 ? [firstLetters[0], firstLetters[firstLetters.length - 1]] : firstLetters;
  return letters.length > 0 ? letters.map((letter) => letter?.toLocaleUpperCase() ?? '').join('') : '?';
}
