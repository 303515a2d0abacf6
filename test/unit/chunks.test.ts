import { describe, expect, it } from 'vitest';
import { chunksOf } from '../../src/lib/chunks.ts';

describe('chunksOf', () => {
  it('cuts a list into pieces of at most the size, in order, and nothing into nothing', () => {
    expect(chunksOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunksOf([], 2)).toEqual([]);
    expect(chunksOf(Array.from({ length: 25_000 }, (_, index) => index)).map((chunk) => chunk.length)).toEqual([10_000, 10_000, 5_000]);
  });
});
