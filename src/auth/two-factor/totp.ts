import { eq, sql } from 'drizzle-orm';
import { generateSecret, generateURI, verify } from 'otplib';
import type { Db } from '../../db/client.ts';
import { inTransaction } from '../../db/transaction.ts';
import type { SecretBox } from '../../lib/instance-keys.ts';
import { totpCredentials } from '../tables.ts';

export const totpPeriodSeconds = 30;
/** One time step either side of now, for clocks that drift and codes typed slowly. */
const toleranceSeconds = totpPeriodSeconds;
/** An enrolment not confirmed within this time has to be started again. */
const pendingLifetimeMs = 30 * 60 * 1000;

export type TotpService = ReturnType<typeof createTotpService>;

export interface TotpEnrolment {
  secret: string;
  uri: string;
}

export function normaliseTotpCode(input: string): string {
  return input.replace(/[\s-]/g, '');
}

/** The authenticator app (RFC 6238): 160-bit secrets sealed at rest, codes never accepted twice. */
export function createTotpService(db: Db, options: { box: SecretBox; now: () => number; issuer: string }) {
  const selectCredential = db.select().from(totpCredentials).where(eq(totpCredentials.userId, sql.placeholder('userId'))).prepare();

  const credentialOf = async (userId: number) => (await selectCredential.execute({ userId }))[0];

  const enrolmentFor = (secret: string, accountName: string): TotpEnrolment => ({
    secret,
    uri: generateURI({ issuer: options.issuer, label: accountName, secret }),
  });

  /** Checks a code against a secret; returns the time step it belongs to, or null. */
  const check = async (secret: string, code: string, afterTimeStep: number): Promise<number | null> => {
    const token = normaliseTotpCode(code);
    if (!/^\d{6}$/.test(token)) return null;
    const result = await verify({
      secret,
      token,
      epoch: Math.floor(options.now() / 1000),
      epochTolerance: toleranceSeconds,
      ...(afterTimeStep > 0 ? { afterTimeStep } : {}),
    });
    // The period start the code matched, in whole steps: RFC 6238's T.
    return result.valid && 'epoch' in result ? Math.floor(result.epoch / totpPeriodSeconds) : null;
  };

  return {
    async isEnabled(userId: number): Promise<boolean> {
      return Boolean((await credentialOf(userId))?.enabledAt);
    },

    async enabledAt(userId: number): Promise<Date | null> {
      return (await credentialOf(userId))?.enabledAt ?? null;
    },

    /** Starts (or restarts) enrolment with a fresh secret; an enabled app keeps working until the new one is confirmed. */
    async startEnrolment(userId: number, accountName: string): Promise<TotpEnrolment> {
      const secret = generateSecret({ length: 20 });
      const sealed = options.box.seal(secret);
      const now = new Date(options.now());
      await db
        .insert(totpCredentials)
        .values({ userId, pendingEncryptedSecret: sealed, pendingCreatedAt: now })
        .onConflictDoUpdate({ target: totpCredentials.userId, set: { pendingEncryptedSecret: sealed, pendingCreatedAt: now } });
      return enrolmentFor(secret, accountName);
    },

    async pendingEnrolment(userId: number, accountName: string): Promise<TotpEnrolment | null> {
      const row = await credentialOf(userId);
      if (!row?.pendingEncryptedSecret || !row.pendingCreatedAt) return null;
      if (options.now() - row.pendingCreatedAt.getTime() > pendingLifetimeMs) return null;
      return enrolmentFor(options.box.open(row.pendingEncryptedSecret), accountName);
    },

    /**
     * Turns the pending secret into the active one once a correct code proves the app has it;
     * `alsoOnEnabling` runs in the same transaction (what a second factor ends must end with it).
     */
    async confirmEnrolment(userId: number, code: string, alsoOnEnabling?: (tx: Db) => Promise<void>): Promise<'enabled' | 'wrongCode' | 'noPending'> {
      const row = await credentialOf(userId);
      if (!row?.pendingEncryptedSecret || !row.pendingCreatedAt || options.now() - row.pendingCreatedAt.getTime() > pendingLifetimeMs) {
        return 'noPending';
      }
      const step = await check(options.box.open(row.pendingEncryptedSecret), code, 0);
      if (step === null) return 'wrongCode';
      const pendingSecret = row.pendingEncryptedSecret;
      await inTransaction(db, async (tx) => {
        await tx
          .update(totpCredentials)
          .set({
            encryptedSecret: pendingSecret,
            enabledAt: new Date(options.now()),
            pendingEncryptedSecret: null,
            pendingCreatedAt: null,
            lastUsedStep: step,
          })
          .where(eq(totpCredentials.userId, userId));
        await alsoOnEnabling?.(tx);
      });
      return 'enabled';
    },

    /**
     * Accepts a code from the enabled app at most once: the step it belongs to, and every
     * older step, are refused from then on (Gitea CVE-2021-45331).
     */
    async verifyCode(userId: number, code: string): Promise<boolean> {
      const row = await credentialOf(userId);
      if (!row?.enabledAt || !row.encryptedSecret) return false;
      const step = await check(options.box.open(row.encryptedSecret), code, row.lastUsedStep);
      if (step === null) return false;
      // Conditional update: of two requests racing with the same code, only one wins.
      const claimed = await db
        .update(totpCredentials)
        .set({ lastUsedStep: step })
        .where(sql`${totpCredentials.userId} = ${userId} and ${totpCredentials.lastUsedStep} < ${step}`)
        .returning({ userId: totpCredentials.userId });
      return claimed.length === 1;
    },

    /** Pass the transaction it belongs to, if any. */
    async remove(userId: number, tx: Db = db): Promise<void> {
      await tx.delete(totpCredentials).where(eq(totpCredentials.userId, userId));
    },
  };
}
