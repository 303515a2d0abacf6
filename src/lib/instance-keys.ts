import crypto from 'node:crypto';

export type KeyPurpose = 'admin-setup' | 'csrf' | 'totp-secrets' | 'recovery-codes' | 'mail-outbox' | 'sudo-continuation' | 'shown-once' | 'unsubscribe';

/** One key per purpose, derived from the instance secret, so no key is ever used for two jobs. */
export function deriveKey(instanceSecret: Buffer, purpose: KeyPurpose): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', instanceSecret, Buffer.alloc(0), `dials/${purpose}`, 32));
}

/** AES-256-GCM for secrets Dials must read back (TOTP secrets). The output is "v1.iv.tag.ciphertext", base64url. */
export function createSecretBox(key: Buffer) {
  // Made once: a raw key passed to every cipher is turned into a key object each time, which costs as much as the sealing.
  const keyObject = crypto.createSecretKey(key);
  return {
    seal(plaintext: string): string {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', keyObject, iv);
      const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join('.');
    },
    open(box: string): string {
      const [version, iv, tag, sealed] = box.split('.');
      if (version !== 'v1' || !iv || !tag || sealed === undefined) throw new Error('Unreadable sealed secret');
      const decipher = crypto.createDecipheriv('aes-256-gcm', keyObject, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
    },
  };
}
export type SecretBox = ReturnType<typeof createSecretBox>;
