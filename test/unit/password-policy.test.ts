import { describe, expect, it } from 'vitest';
import { findPasswordProblem } from '../../src/auth/password-policy.ts';

const person = { email: 'ada.lovelace@example.com', name: 'Ada Lovelace' };

describe('findPasswordProblem', () => {
  it.each([
    ['fourteen chars', 'tooShort'],
    ['x'.repeat(257), 'tooLong'],
    ['passwordpassword', 'common'],
    ['PasswordPassword', 'common'],
    ['qwerty123456789', 'common'],
    ['ababababababababab', 'repetitive'],
    ['my name is Ada Lovelace!', 'containsPersonalData'],
    ['ada.lovelace rules the world', 'containsPersonalData'],
    ['correct horse battery staple', null],
    ['     fifteen spaces then words', null],
    ['😀😀😀 emoji only 🎉🎉🎉 are fine', null],
  ])('%j -> %s', (password, problem) => {
    expect(findPasswordProblem(password, person)).toBe(problem);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(findPasswordProblem('🎉'.repeat(14) + 'ab', person)).toBeNull();
    expect(findPasswordProblem('🎉🎈'.repeat(7), person)).toBe('tooShort');
  });
});
