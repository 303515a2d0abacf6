import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The shortest secret Dials accepts, in bytes; it makes 32. */
const shortestSecretBytes = 32;
/** The longest secret.key text accepted from elsewhere (a backup): far more than Dials writes, so nothing huge is taken. */
const longestSecretText = 1024;

/** Whether a value is a secret.key's content as Dials writes it: base64 of at least 32 bytes, then a newline or not. */
export function isInstanceSecretText(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > longestSecretText) return false;
  const text = value.trim();
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text) && Buffer.from(text, 'base64').length >= shortestSecretBytes;
}

/**
 * The instance's own secret (CSRF token keys, later the encryption key for TOTP secrets).
 * It lives in the data directory, outside the database, and is created on first start.
 */
export function loadOrCreateInstanceSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, 'secret.key');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    const existing = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (existing.length >= shortestSecretBytes) return existing;
    throw new Error(`${file} is shorter than 32 bytes; remove it to have a new one made`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = crypto.randomBytes(32);
  fs.writeFileSync(file, `${secret.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}
