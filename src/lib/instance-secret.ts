import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The instance's own secret (CSRF token keys, later the encryption key for TOTP secrets).
 * It lives in the data directory, outside the database, and is created on first start.
 */
export function loadOrCreateInstanceSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, 'secret.key');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    const existing = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (existing.length >= 32) return existing;
    throw new Error(`${file} is shorter than 32 bytes; remove it to have a new one made`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = crypto.randomBytes(32);
  fs.writeFileSync(file, `${secret.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}
