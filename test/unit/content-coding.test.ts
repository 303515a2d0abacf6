import { describe, expect, it } from 'vitest';
import { chooseContentCoding } from '../../src/web/content-coding.ts';

describe('choosing brotli, gzip or neither from Accept-Encoding', () => {
  const both = ['br', 'gzip'] as const;

  it('prefers brotli when the browser takes both alike', () => {
    expect(chooseContentCoding('gzip, deflate, br, zstd', both)).toBe('br');
    expect(chooseContentCoding('*', both)).toBe('br');
  });

  it('follows the weights the browser gives', () => {
    expect(chooseContentCoding('br;q=0.5, gzip', both)).toBe('gzip');
    expect(chooseContentCoding('gzip;q=1.0, br;q=0.9', both)).toBe('gzip');
    expect(chooseContentCoding('*;q=0.1, gzip;q=0', both)).toBe('br');
  });

  it('sends the bytes as they are when nothing is accepted or nothing is at hand', () => {
    expect(chooseContentCoding(undefined, both)).toBeNull();
    expect(chooseContentCoding('', both)).toBeNull();
    expect(chooseContentCoding('identity', both)).toBeNull();
    expect(chooseContentCoding('br;q=0, gzip;q=0', both)).toBeNull();
    expect(chooseContentCoding('deflate', both)).toBeNull();
    expect(chooseContentCoding('gzip, br', [])).toBeNull();
    expect(chooseContentCoding('br;q=abc', both)).toBeNull();
  });

  it('is not fooled by case or spaces', () => {
    expect(chooseContentCoding(' GZIP ; Q=0.8 ', both)).toBe('gzip');
  });
});
