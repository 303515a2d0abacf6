import { describe, expect, it } from 'vitest';
import { chosenSlug, slugFromName } from '../../src/platform/pages/slug.ts';
import { framesInOrder, shownOrder } from '../../src/platform/pages/stack-trace.ts';

describe('a slug made from a name', () => {
  it.each([
    ['Acme Widgets', 'acme-widgets'],
    ['  Ácme — Wídgets & Co.  ', 'acme-widgets-co'],
    ['Crème brûlée 2', 'creme-brulee-2'],
    ['---', ''],
    ['東京', ''],
    ['x'.repeat(60), 'x'.repeat(40)],
    ['a'.repeat(39) + ' b', 'a'.repeat(39)],
  ])('%s → %s', (name, slug) => {
    expect(slugFromName(name)).toBe(slug);
  });

  it('takes the typed slug over the name, and refuses what is not a slug', () => {
    expect(chosenSlug('my-org', 'Anything')).toBe('my-org');
    expect(chosenSlug('', 'Acme')).toBe('acme');
    expect(chosenSlug('   ', 'Acme')).toBe('acme');
    expect(chosenSlug('My Org', 'Acme')).toBeNull();
    expect(chosenSlug('a--b', 'Acme')).toBeNull();
    expect(chosenSlug('', '東京')).toBeNull();
  });
});

describe('the order of a stack trace', () => {
  const frames = ['main', 'handle', 'throws'].map((name) => ({ file: `${name}.ts`, function: name, line: 1, inApp: true }));

  it('puts the most recent call first by default and for caller-first, and keeps the reported order for caller-last', () => {
    expect(shownOrder('default')).toBe('caller-first');
    expect(shownOrder('caller-first')).toBe('caller-first');
    expect(shownOrder('caller-last')).toBe('caller-last');
    expect(framesInOrder(frames, 'caller-first').map((frame) => frame.function)).toEqual(['throws', 'handle', 'main']);
    expect(framesInOrder(frames, 'caller-last').map((frame) => frame.function)).toEqual(['main', 'handle', 'throws']);
    // The stored frames are left as they were.
    expect(frames[0]?.function).toBe('main');
  });
});
