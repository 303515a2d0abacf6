import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSessionToken, sessionIdFromToken } from '../../src/auth/session-token.ts';

describe('session tokens', () => {
  it('carry 160 random bits and never repeat', () => {
    const tokens = new Set(Array.from({ length: 2000 }, generateSessionToken));
    expect(tokens.size).toBe(2000);
    for (const token of tokens) expect(token).toMatch(/^[a-z2-7]{32}$/);
  });

  it('are stored as their SHA-256', () => {
    const token = generateSessionToken();
    expect(sessionIdFromToken(token)).toBe(createHash('sha256').update(token).digest('hex'));
  });
});
