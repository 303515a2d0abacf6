import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id floor is m=19 MiB, t=2, p=1; Dials uses that memory with one more pass.
const argon2idOptions = { algorithm: 2, memoryCost: 19456, timeCost: 3, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2idOptions);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let decoyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real check when no account matches, so the answer's
 * timing does not tell whether an address is registered.
 */
export async function verifyAgainstDecoy(password: string): Promise<false> {
  decoyHash ??= hashPassword('decoy password that never matches anything');
  await verifyPassword(await decoyHash, password);
  return false;
}
