import { describe, expect, it } from 'vitest';
import { escapeForPage } from '../../src/web/templates.ts';

describe('escapeForPage', () => {
  it('escapes what HTML needs escaped', () => {
    expect(escapeForPage(`<a href="x">Tom & Jerry's</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;');
  });

  it('writes characters beyond Latin-1 as character references, which read as the same text', () => {
    expect(escapeForPage('Saving…')).toBe('Saving&#x2026;');
    expect(escapeForPage('„Łukasz“')).toBe('&#x201e;&#x141;ukasz&#x201c;');
  });

  it('leaves Latin-1 letters, astral characters and numbers as they are', () => {
    expect(escapeForPage('Zoë Français ß')).toBe('Zoë Français ß');
    expect(escapeForPage('Ada 🦉')).toBe('Ada 🦉');
    expect(escapeForPage(42)).toBe('42');
  });
});
