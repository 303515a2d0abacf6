import { describe, expect, it } from 'vitest';
import { findPasswordProblem, judgePassword, userInputsOf } from '../../src/auth/password-policy.ts';

const person = { email: 'ada.lovelace@example.com', name: 'Ada Lovelace' };
const zebulon = { email: 'zebulon.quartermaine@example.org', name: 'Zebulon Quartermaine' };

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
    // 14 emoji and two letters: 16 characters, though 30 UTF-16 units.
    expect(findPasswordProblem('🎉🎈🐙🦊🌵🍋🚲🎻🧭🪁🦉🌋🍄🛶ab', person)).toBeNull();
    expect(findPasswordProblem('🎉🎈'.repeat(7), person)).toBe('tooShort');
  });
});

describe('the strength estimator', () => {
  // Each of these is 15 characters or longer, and none is on the bundled list as it stands.
  it.each(['123456789012345', 'Password1234567', 'iloveyouiloveyou', 'P@ssw0rdP@ssw0rd', 'password password password', 'zebulon2024zebulon2024'])(
    'refuses %j for Zebulon Quartermaine',
    (password) => {
      expect([...password].length).toBeGreaterThanOrEqual(15);
      expect(judgePassword(password, zebulon).problem).not.toBeNull();
    },
  );

  it('accepts good long passphrases in any of the languages', () => {
    for (const password of ['tangerine orbit quietly sings', 'mon chien mange des pommes vertes', 'Sonnenblumen tanzen im Hagelsturm', 'correct horse battery staple']) {
      expect(judgePassword(password, zebulon)).toEqual({ problem: null, warning: null, suggestions: [] });
    }
  });

  it('says why and what would help, as translation keys', () => {
    expect(judgePassword('iloveyouiloveyou', zebulon)).toEqual({ problem: 'guessable', warning: 'extendedRepeat', suggestions: ['anotherWord', 'repeated'] });
    expect(judgePassword('Password1234567', zebulon)).toMatchObject({ problem: 'guessable', warning: 'similarToCommon' });
  });

  it('knows the person: parts of their name and address are easy guesses', () => {
    expect(userInputsOf(zebulon)).toEqual(
      expect.arrayContaining(['zebulon', 'quartermaine', 'zebulon quartermaine', 'zebulon.quartermaine@example.org', 'zebulon.quartermaine', 'example']),
    );
    // "Quartermaine" is no common word: only the person's own data makes these weak.
    expect(judgePassword('Quartermaine!1985', zebulon).problem).toBe('containsPersonalData');
    expect(judgePassword('Quartermaine!1985', person).problem).toBeNull();
    expect(judgePassword('ZebulonZebulon1', person).problem).not.toBe('containsPersonalData');
  });

  it('gives feedback while the password is still short', () => {
    expect(judgePassword('password', person)).toMatchObject({ problem: 'tooShort', warning: 'topTen' });
  });

  it('judges a 256-character password quickly, and never trims it', () => {
    const started = performance.now();
    expect(judgePassword('P@ssw0rd'.repeat(32), person).problem).not.toBeNull();
    expect(judgePassword('a quiet tangerine '.repeat(15).slice(0, 256), person).problem).not.toBe('tooLong');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(judgePassword(' tangerine orbit quietly sings ', person).problem).toBeNull();
  });
});

describe('the advice given with a refused password', () => {
  it('never asks for capitals or symbols, which Dials does not require, and always suggests something', () => {
    for (const password of ['Password1234567', 'P@ssw0rdP@ssw0rd', 'PASSWORDPASSWORD1', 'iloveyouiloveyou']) {
      const judgement = judgePassword(password, { name: 'Ada Lovelace', email: 'ada@example.com' });
      expect(judgement.problem).not.toBeNull();
      expect(judgement.suggestions).not.toContain('capitalization');
      expect(judgement.suggestions).not.toContain('allUppercase');
      expect(judgement.suggestions).not.toContain('l33t');
      expect(judgement.suggestions.length).toBeGreaterThan(0);
    }
  });
});
