import { describe, expect, it } from 'vitest';
import { pageBytes } from '../../src/web/templates.ts';

describe('pageBytes', () => {
  it('answers each page as exactly its UTF-8 bytes, in any script', () => {
    for (const text of ['', 'a', '<p>Köln · Zürich — “quoted” 東京 🙂</p>', 'x'.repeat(5000)]) {
      expect(pageBytes(text).equals(Buffer.from(text, 'utf8'))).toBe(true);
    }
  });

  it('never writes over a page answered before, however many follow', () => {
    const pages = Array.from({ length: 400 }, (_, index) => `<main>${String(index).repeat(200)}</main>`);
    const answered = pages.map((text) => pageBytes(text));
    answered.forEach((bytes, index) => expect(bytes.toString('utf8')).toBe(pages[index]));
  });

  it('gives a large page bytes of its own', () => {
    const text = 'é'.repeat(100_000);
    const bytes = pageBytes(text);
    expect(bytes.toString('utf8')).toBe(text);
    expect(bytes.byteLength).toBe(200_000);
  });
});
