import { describe, expect, it } from 'vitest';
import { sameReading } from '../../src/db/change-watch.ts';

describe('change readings', () => {
  it('differ when either count moved, however large the other is', () => {
    const big = 2 ** 22;
    expect(sameReading({ changes: 1000, commitsElsewhere: big }, { changes: 1001, commitsElsewhere: big })).toBe(false);
    expect(sameReading({ changes: 2 ** 52, commitsElsewhere: 1 }, { changes: 2 ** 52, commitsElsewhere: 2 })).toBe(false);
    expect(sameReading({ changes: 7, commitsElsewhere: 3 }, { changes: 7, commitsElsewhere: 3 })).toBe(true);
  });
});
