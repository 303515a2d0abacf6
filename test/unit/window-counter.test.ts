import { describe, expect, it } from 'vitest';
import { createMemoryWindowCounter } from '../../src/lib/window-counter.ts';

describe('the in-memory window counter', () => {
  it('allows the quota in a window, refuses past it, and starts over when the window ends', () => {
    let now = 1_000_000;
    const counter = createMemoryWindowCounter({ points: 3, durationMs: 60_000, now: () => now });
    expect([1, 2, 3, 4].map(() => counter.consume('a').allowed)).toEqual([true, true, true, false]);
    expect(counter.consume('a')).toEqual({ allowed: false, remaining: 0, msBeforeNext: 60_000 });
    now += 59_999;
    expect(counter.consume('a')).toMatchObject({ allowed: false, msBeforeNext: 1 });
    now += 1;
    expect(counter.consume('a')).toEqual({ allowed: true, remaining: 2, msBeforeNext: 60_000 });
  });

  it('counts each key apart', () => {
    const counter = createMemoryWindowCounter({ points: 1, durationMs: 1000, now: () => 0 });
    expect(counter.consume('a').allowed).toBe(true);
    expect(counter.consume('a').allowed).toBe(false);
    expect(counter.consume('b').allowed).toBe(true);
  });
});
