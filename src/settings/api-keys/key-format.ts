import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import crypto from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * An API key reads `dials_<id>.<secret><checksum>`, all in lower-case base32 (a–z, 2–7):
 * `<id>` 16 characters (80 random bits, the row to look up), `<secret>` 32 characters (160 random
 * bits), `<checksum>` 7 characters: the CRC-32 of everything before it. The prefix lets a secret
 * scanner find a leaked key; the checksum tells a key from a typo without asking the database.
 */
export const keyPrefix = 'dials_';
const idLength = 16;
const secretLength = 32;
const checksumLength = 7;
const base32 = '[a-z2-7]';

/** The pattern a scanner looks for (documented in the README). */
export const keyPattern = new RegExp(`^${keyPrefix}(${base32}{${idLength}})\\.(${base32}{${secretLength}})(${base32}{${checksumLength}})$`);

/** How many characters of the secret the list shows, to tell keys apart. */
export const previewLength = 4;

export interface ParsedKey {
  id: string;
  secret: string;
}

function checksumOf(body: string): string {
  const value = crc32(body);
  const bytes = new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
  return encodeBase32LowerCaseNoPadding(bytes);
}

function randomBase32(bytes: number): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** A new key: its id (stored), its full text (shown once) and the preview (stored). */
export function generateKey(): { id: string; key: string; preview: string } {
  const id = randomBase32(10);
  const secret = randomBase32(20);
  const body = `${keyPrefix}${id}.${secret}`;
  return { id, key: body + checksumOf(body), preview: secret.slice(0, previewLength) };
}

/** The key's parts when it has the shape and a right checksum; null for anything else. */
export function parseKey(key: string): ParsedKey | null {
  if (key.length !== keyPrefix.length + idLength + 1 + secretLength + checksumLength) return null;
  const [, id, secret, checksum] = keyPattern.exec(key) ?? [];
  if (id === undefined || secret === undefined) return null;
  if (checksumOf(key.slice(0, key.length - checksumLength)) !== checksum) return null;
  return { id, secret };
}

/** What the database keeps of a key: its SHA-256, never the key. */
export function keyDigest(key: string): Buffer {
  return crypto.hash('sha256', key, 'buffer');
}

/** Compares two digests in constant time. */
export function sameDigest(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}
