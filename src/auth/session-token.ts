import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import crypto from 'node:crypto';

/** 160 random bits, base32: the value that goes in the cookie and nowhere else. */
export function generateSessionToken(): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(20)));
}

/**
 * What the database keeps: the SHA-256 of the token, so a leaked table cannot be replayed.
 * (The Lucia guide hashes with @oslojs/crypto; Node's native SHA-256 gives the same digest in a tenth of the time.)
 */
export function sessionIdFromToken(token: string): string {
  return crypto.hash('sha256', token, 'hex');
}
