import { describe, expect, it } from 'vitest';
import { generateKey, keyDigest, keyPattern, parseKey, sameDigest } from '../../src/settings/api-keys/key-format.ts';
import { allows, allScopes, firstBeyond, normaliseScopes, scopesFromText } from '../../src/settings/api-keys/scopes.ts';

describe('API key format', () => {
  it('is dials_<id>.<secret><checksum> with 160 random bits, and never repeats', () => {
    const keys = Array.from({ length: 1000 }, generateKey);
    expect(new Set(keys.map((made) => made.key)).size).toBe(1000);
    expect(new Set(keys.map((made) => made.id)).size).toBe(1000);
    for (const made of keys) {
      expect(made.key).toMatch(/^dials_[a-z2-7]{16}\.[a-z2-7]{39}$/);
      expect(made.key).toMatch(keyPattern);
      expect(made.key.startsWith(`dials_${made.id}.${made.preview}`)).toBe(true);
      expect(parseKey(made.key)).toEqual({ id: made.id, secret: made.key.slice(23, 55) });
    }
  });

  it('tells a typo from a key without a database: every changed, dropped or swapped character fails the checksum', () => {
    const { key } = generateKey();
    const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
    for (let index = 6; index < key.length; index++) {
      if (key[index] === '.') continue;
      const replacement = alphabet[(alphabet.indexOf(key[index]!) + 1) % alphabet.length]!;
      expect(parseKey(key.slice(0, index) + replacement + key.slice(index + 1))).toBeNull();
      if (key[index] !== key[index + 1] && index + 1 < key.length && key[index + 1] !== '.') {
        expect(parseKey(key.slice(0, index) + key[index + 1] + key[index] + key.slice(index + 2))).toBeNull();
      }
    }
    expect(parseKey(key.slice(0, -1))).toBeNull();
    expect(parseKey(`${key}a`)).toBeNull();
    expect(parseKey(key.toUpperCase())).toBeNull();
    expect(parseKey(key.replace('dials_', 'dialz_'))).toBeNull();
    expect(parseKey('')).toBeNull();
  });

  it('is stored as its SHA-256, compared in constant time', () => {
    const { key } = generateKey();
    expect(keyDigest(key)).toHaveLength(32);
    expect(sameDigest(keyDigest(key), keyDigest(key))).toBe(true);
    expect(sameDigest(keyDigest(key), keyDigest(`${key}x`))).toBe(false);
    expect(sameDigest(keyDigest(key), Buffer.alloc(3))).toBe(false);
  });
});

describe('API key scopes', () => {
  it('lists read and write per resource, e-mails read only', () => {
    expect(allScopes).toContain('user:write');
    expect(allScopes).toContain('emails:read');
    expect(allScopes).not.toContain('emails:write');
    expect(allScopes).toHaveLength(21);
  });

  it('write includes read; the normal form drops the implied read', () => {
    expect(allows(['user:write'], 'user:read')).toBe(true);
    expect(allows(['user:read'], 'user:write')).toBe(false);
    expect(allows(['keys:write'], 'user:read')).toBe(false);
    expect(normaliseScopes(['user:read', 'keys:write', 'user:write', 'keys:read'])).toEqual(['user:write', 'keys:write']);
    expect(scopesFromText('user:read nonsense emails:write emails:read')).toEqual(['user:read', 'emails:read']);
  });

  it('finds the first scope beyond what a key has', () => {
    expect(firstBeyond(['user:read'], ['user:write'])).toBeNull();
    expect(firstBeyond(['user:read', 'keys:write'], ['user:write', 'keys:read'])).toBe('keys:write');
  });
});
