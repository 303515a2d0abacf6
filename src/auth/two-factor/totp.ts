import { eq, sql } from 'drizzle-orm';
import { generateSecret, generateURI, verify } from 'otplib';
import type { Db } from '../../db/client.ts';
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
    isEnabled(userId: number): boolean {
      return Boolean(selectCredential.get({ userId })?.enabledAt);
    },

    enabledAt(userId: number): Date | null {
      return selectCredential.get({ userId })?.enabledAt ?? null;
    },

    /** Starts (or restarts) enrolment with a fresh secret; an enabled app keeps working until the new one is confirmed. */
    startEnrolment(userId: number, accountName: string): TotpEnrolment {
      const secret = generateSecret({ length: 20 });
      const sealed = options.box.seal(secret);
      const now = new Date(options.now());
      db.insert(totpCredentials)
        .values({ userId, pendingEncryptedSecret: sealed, pendingCreatedAt: now })
        .onConflictDoUpdate({ target: totpCredentials.userId, set: { pendingEncryptedSecret: sealed, pendingCreatedAt: now } })
        .run();
      return enrolmentFor(secret, accountName);
    },

    pendingEnrolment(userId: number, accountName: string): TotpEnrolment | null {
      const row = selectCredential.get({ userId });
      if (!row?.pendingEncryptedSecret || !row.pendingCreatedAt) return null;
      if (options.now() - row.pendingCreatedAt.getTime() > pendingLifetimeMs) return null;
      return enrolmentFor(options.box.open(row.pendingEncryptedSecret), accountName);
    },

    /** Turns the pending secret into the active one once a correct code proves the app has it. */
    async confirmEnrolment(userId: number, code: string): Promise<'enabled' | 'wrongCode' | 'noPending'> {
      const row = selectCredential.get({ userId });
      if (!row?.pendingEncryptedSecret || !row.pendingCreatedAt || options.now() - row.pendingCreatedAt.getTime() > pendingLifetimeMs) {
        return 'noPending';
      }
      const step = await check(options.box.open(row.pendingEncryptedSecret), code, 0);
      if (step === null) return 'wrongCode';
      db.update(totpCredentials)
        .set({
          encryptedSecret: row.pendingEncryptedSecret,
          enabledAt: new Date(options.now()),
          pendingEncryptedSecret: null,
          pendingCreatedAt: null,
          lastUsedStep: step,
        })
        .where(eq(totpCredentials.userId, userId))
        .run();
      return 'enabled';
    },

    /**
     * Accepts a code from the enabled app at most once: the step it belongs to, and every
     * older step, are refused from then on (Gitea CVE-2021-45331).
     */
    async verifyCode(userId: number, code: string): Promise<boolean> {
      const row = selectCredential.get({ userId });
      if (!row?.enabledAt || !row.encryptedSecret) return false;
      const step = await check(options.box.open(row.encryptedSecret), code, row.lastUsedStep);
      if (step === null) return false;
      // Conditional update: of two requests racing with the same code, only one wins.
      const claimed = db
        .update(totpCredentials)
        .set({ lastUsedStep: step })
        .where(sql`${totpCredentials.userId} = ${userId} and ${totpCredentials.lastUsedStep} < ${step}`)
        .run();
      return claimed.changes === 1;
    },

    remove(userId: number): void {
      db.delete(totpCredentials).where(eq(totpCredentials.userId, userId)).run();
    },
  };
}
