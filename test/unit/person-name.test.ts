import { describe, expect, it } from 'vitest';
import { initialsOf } from '../../src/web/avatar.ts';
import { personName } from '../../src/web/form-fields.ts';

describe('a person\'s name', () => {
  it.each(['  \u200b ', '\u200b\u200c\u2060', '🦊', '<>'])('refuses %j, which would show as nothing', (name) => {
    const parsed = personName.safeParse(name);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe('errors.name.noLetters');
  });

  it.each(['Ada Lovelace', '李小龍', 'O\'Brien', 'R2 D2'])('accepts %j', (name) => {
    expect(personName.safeParse(name).success).toBe(true);
  });
});

describe('initials', () => {
  it.each([
    ['Ada Lovelace', 'AL'],
    ['Bob 🦊 <b>Other</b>', 'BB'],
    ['ada', 'A'],
    ['Ada Byron King Lovelace', 'AL'],
    ['🦊', '?'],
    ['élodie ñúñez', 'ÉÑ'],
  ])('of %j are %j', (name, initials) => {
    expect(initialsOf(name)).toBe(initials);
  });
});
