import { hashPassword, verifyPassword } from '../../auth/password-hashing.ts';
import { judgePasswordInWorker } from '../../auth/password-judge.ts';
import type { PasswordJudgement, PasswordProblem } from '../../auth/password-rules.ts';
import type { SecondFactor } from '../../auth/second-factor.ts';
import type { SecurityLog } from '../../auth/security-log.ts';
import type { SessionEndReason, SessionStore, SessionSummary } from '../../auth/sessions.ts';
import type { RecoveryCodeService } from '../../auth/two-factor/recovery-codes.ts';
import type { TotpService } from '../../auth/two-factor/totp.ts';
import type { UserDirectory } from '../../auth/users.ts';
import type { EmailAddressBook } from '../../auth/email-addresses.ts';
import type { EmailTokens } from '../../auth/email-tokens.ts';
import type { LoginLimiter } from '../../auth/login-limiter.ts';
import type { Db } from '../../db/client.ts';
import { createRateLimiter } from '../../db/rate-limiter.ts';
import { sessionIdOf, type Actor, type ClientDetails } from '../../lib/actor.ts';

export type SecurityService = ReturnType<typeof createSecurityService>;

const passwordChangesPerHour = 5;

export interface SecurityOverview {
  /** A second factor can be added only once the primary address is confirmed: it is the way back in if the factor is lost. */
  primaryEmailVerified: boolean;
  totpEnabledAt: Date | null;
  recoveryCodesRemaining: number;
  hasRecoveryCodes: boolean;
}

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  confirmPassword: string;
  code?: string | undefined;
  recoveryCode?: string | undefined;
}

export type ChangePasswordResult =
  | { ok: true }
  /** More changes in the last hour than allowed, right or wrong. */
  | { ok: false; reason: 'tooManyChanges'; retryAfterSeconds: number }
  /** The log-in limits (the current password is a guess like any other) or the second-factor limits. */
  | { ok: false; reason: 'tooManyAttempts'; retryAfterSeconds: number }
  /** Wrong, or changed (or this session ended) while it was being checked. */
  | { ok: false; reason: 'currentPasswordWrong' }
  /** The new password is weak or the same, or its confirmation differs; with the strength judgement to show. */
  | { ok: false; reason: 'newPasswordRefused'; newPassword: PasswordProblem | 'unchanged' | null; confirmationMismatch: boolean; judgement: PasswordJudgement }
  | { ok: false; reason: 'codeRequired' }
  | { ok: false; reason: 'wrongCode' }
  | { ok: false; reason: 'wrongRecoveryCode' };

export type StartTotpResult = { ok: true } | { ok: false; reason: 'primaryEmailUnconfirmed' };
/** `revokedKeys`: the names of the API keys made before the second factor, revoked with its enabling. */
export type ConfirmTotpResult = { ok: true; recoveryCodes: string[] | null; revokedKeys: string[] } | { ok: false; reason: 'wrongCode' | 'enrolmentExpired' };
export type RegenerateRecoveryCodesResult = { ok: true; codes: string[] } | { ok: false; reason: 'noSecondFactor' };
export type EndSessionResult = { ok: true; ended: SessionSummary } | { ok: false; reason: 'currentSession' | 'notFound' };

/** What the security page does, always for the user the actor acts for. */
export function createSecurityService(
  db: Db,
  deps: {
    users: UserDirectory;
    sessions: SessionStore;
    totp: TotpService;
    recoveryCodes: RecoveryCodeService;
    securityLog: SecurityLog;
    emailTokens: EmailTokens;
    emailAddresses: EmailAddressBook;
    secondFactor: SecondFactor;
    loginLimiter: LoginLimiter;
    /** Revokes, in the given transaction, the API keys made without the second factor; answers their names. */
    revokeKeysWithoutSecondFactor: (userId: number, tx: Db) => Promise<string[]>;
    now: () => number;
  },
) {
  const passwordAttempts = createRateLimiter(db, { keyPrefix: 'password-change', points: passwordChangesPerHour, durationSeconds: 60 * 60 });

  /** Ends the user's sessions but the one the actor came with; an actor without a session (a job) ends them all. */
  const endOtherSessions = async (actor: Actor, reason: SessionEndReason) => {
    const keep = sessionIdOf(actor);
    if (keep === null) await deps.sessions.invalidateAllForUser(actor.userId, reason);
    else await deps.sessions.invalidateOthersForUser(actor.userId, keep, reason);
  };

  return {
    async overview(actor: Actor): Promise<SecurityOverview> {
      const userId = actor.userId;
      return {
        primaryEmailVerified: Boolean((await deps.emailAddresses.primaryOf(userId))?.verifiedAt),
        totpEnabledAt: await deps.totp.enabledAt(userId),
        recoveryCodesRemaining: await deps.recoveryCodes.remaining(userId),
        hasRecoveryCodes: await deps.recoveryCodes.exists(userId),
      };
    },

    /**
     * Needs the current password, which is itself the re-authentication, plus the second factor
     * when one is enrolled and access has not been confirmed lately. Ends every other session and
     * keeps the actor's. Attempts, right or wrong, are limited per hour.
     */
    async changePassword(actor: Actor, input: PasswordChange, client: ClientDetails, options: { secondFactorRequired: boolean }): Promise<ChangePasswordResult> {
      const userId = actor.userId;
      try {
        await passwordAttempts.consume(String(userId));
      } catch (limited) {
        const seconds = Math.ceil(((limited as { msBeforeNext?: number }).msBeforeNext ?? 3_600_000) / 1000);
        return { ok: false, reason: 'tooManyChanges', retryAfterSeconds: seconds };
      }
      const credentials = await deps.users.credentialsOf(userId);
      const profile = await deps.users.profile(userId);
      if (!credentials || !profile) return { ok: false, reason: 'currentPasswordWrong' };
      // The current password is a password guess like any other: it shares the log-in limits and is logged when wrong.
      const waitSeconds = await deps.loginLimiter.attempt(credentials.email, client.ipAddress);
      if (waitSeconds > 0) return { ok: false, reason: 'tooManyAttempts', retryAfterSeconds: waitSeconds };
      if (!(await verifyPassword(credentials.passwordHash, input.currentPassword))) {
        await deps.securityLog.record(userId, 'login.failed', client);
        return { ok: false, reason: 'currentPasswordWrong' };
      }
      await deps.loginLimiter.recordSuccess(credentials.email, client.ipAddress);
      const judgement = await judgePasswordInWorker(input.newPassword, { email: profile.email, name: profile.name });
      const newPassword = judgement.problem ?? (input.newPassword === input.currentPassword ? 'unchanged' : null);
      const confirmationMismatch = input.newPassword !== input.confirmPassword;
      if (newPassword !== null || confirmationMismatch) return { ok: false, reason: 'newPasswordRefused', newPassword, confirmationMismatch, judgement };
      // Checked last: a code is accepted only once, so it is not spent on a form refused for another reason.
      if (options.secondFactorRequired) {
        if (!input.code && !input.recoveryCode) return { ok: false, reason: 'codeRequired' };
        const outcome = await deps.secondFactor.verify(userId, input);
        if (!outcome.ok) {
          if (outcome.retryAfterSeconds > 0) return { ok: false, reason: 'tooManyAttempts', retryAfterSeconds: outcome.retryAfterSeconds };
          await deps.securityLog.record(userId, 'login.secondFactorFailed', client);
          return { ok: false, reason: input.recoveryCode && !input.code ? 'wrongRecoveryCode' : 'wrongCode' };
        }
        if (outcome.method === 'recoveryCode') await deps.securityLog.record(userId, 'recoveryCode.used', client);
      }

      const newHash = await hashPassword(input.newPassword);
      // The password or the actor's session may have changed (or ended) while the checks above awaited.
      const sessionId = sessionIdOf(actor);
      if (!(await deps.users.passwordUnchanged(userId, credentials.passwordHash)) || (sessionId !== null && !(await deps.sessions.exists(sessionId)))) {
        return { ok: false, reason: 'currentPasswordWrong' };
      }
      await deps.users.setPasswordHash(userId, newHash);
      await endOtherSessions(actor, 'password-changed');
      await deps.emailTokens.voidAll(userId, 'reset-password');
      await deps.securityLog.record(userId, 'password.changed', client);
      return { ok: true };
    },

    /** Starts adding the authenticator app, which needs a confirmed primary address (the way back in if the app is lost). */
    async startTotp(actor: Actor): Promise<StartTotpResult> {
      const primary = await deps.emailAddresses.primaryOf(actor.userId);
      if (!primary?.verifiedAt) return { ok: false, reason: 'primaryEmailUnconfirmed' };
      await deps.totp.startEnrolment(actor.userId, primary.address);
      return { ok: true };
    },

    /**
     * Confirms the authenticator app. Adding a second factor ends the other sessions, revokes the
     * API keys made without one (in the same transaction) and creates recovery codes when there
     * are none; those codes are returned to be shown once.
     */
    async confirmTotp(actor: Actor, code: string, client: ClientDetails): Promise<ConfirmTotpResult> {
      const userId = actor.userId;
      let revokedKeys: string[] = [];
      const outcome = await deps.totp.confirmEnrolment(userId, code, async (tx) => {
        revokedKeys = await deps.revokeKeysWithoutSecondFactor(userId, tx);
      });
      if (outcome === 'wrongCode') return { ok: false, reason: 'wrongCode' };
      if (outcome === 'noPending') return { ok: false, reason: 'enrolmentExpired' };
      const keysParagraph = revokedKeys.length > 0 ? ['keysRevoked'] : [];
      await deps.securityLog.record(userId, 'totp.enabled', client, { values: { names: revokedKeys.join(', ') }, paragraphs: keysParagraph });
      for (const _revoked of revokedKeys) await deps.securityLog.record(userId, 'apiKey.revoked', client);
      await endOtherSessions(actor, 'second-factor-added');
      if ((await deps.recoveryCodes.remaining(userId)) > 0) return { ok: true, recoveryCodes: null, revokedKeys };
      const codes = await deps.recoveryCodes.generate(userId);
      await deps.securityLog.record(userId, 'recoveryCodes.generated', client);
      return { ok: true, recoveryCodes: codes, revokedKeys };
    },

    /** Removing the last second factor also deletes the recovery codes, which would otherwise be a way in. */
    async removeTotp(actor: Actor, client: ClientDetails): Promise<{ ok: true }> {
      const userId = actor.userId;
      await deps.secondFactor.removeTotp(userId);
      await deps.securityLog.record(userId, 'totp.removed', client);
      return { ok: true };
    },

    /**
     * New codes on request, only while a second factor is enrolled: the old ones stop working, and
     * the person is told by mail (codes made with a new second factor are not).
     */
    async regenerateRecoveryCodes(actor: Actor, client: ClientDetails): Promise<RegenerateRecoveryCodesResult> {
      if (!(await deps.totp.isEnabled(actor.userId))) return { ok: false, reason: 'noSecondFactor' };
      const codes = await deps.recoveryCodes.generate(actor.userId);
      await deps.securityLog.record(actor.userId, 'recoveryCodes.generated', client, {});
      return { ok: true, codes };
    },

    async logOutEverywhere(actor: Actor, client: ClientDetails): Promise<{ ok: true }> {
      await deps.securityLog.record(actor.userId, 'sessions.revokedAll', client);
      await deps.sessions.invalidateAllForUser(actor.userId, 'logged-out-everywhere');
      return { ok: true };
    },

    /**
     * Ends one of the user's other sessions. Scoped by owner: another person's session id is
     * answered exactly like one that never existed. The actor's own session is ended by logging out.
     */
    async endSession(actor: Actor, sessionId: string, client: ClientDetails): Promise<EndSessionResult> {
      if (sessionId === sessionIdOf(actor)) return { ok: false, reason: 'currentSession' };
      const ended = (await deps.sessions.listForUser(actor.userId)).find((session) => session.id === sessionId);
      if (!ended || !(await deps.sessions.invalidateForUser(actor.userId, sessionId))) return { ok: false, reason: 'notFound' };
      await deps.securityLog.record(actor.userId, 'session.revoked', client);
      return { ok: true, ended };
    },
  };
}
