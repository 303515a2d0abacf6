import { RateLimiterSQLite } from 'rate-limiter-flexible';
import { hashPassword, verifyPassword } from '../../auth/password-hashing.ts';
import { judgePasswordInWorker } from '../../auth/password-judge.ts';
import type { PasswordJudgement } from '../../auth/password-rules.ts';
import type { SecondFactor } from '../../auth/second-factor.ts';
import type { SecurityLog } from '../../auth/security-log.ts';
import type { ClientDetails, SessionStore } from '../../auth/sessions.ts';
import type { RecoveryCodeService } from '../../auth/two-factor/recovery-codes.ts';
import type { TotpService } from '../../auth/two-factor/totp.ts';
import type { UserDirectory } from '../../auth/users.ts';
import type { EmailAddressBook } from '../../auth/email-addresses.ts';
import type { EmailTokens } from '../../auth/email-tokens.ts';
import type { LoginLimiter } from '../../auth/login-limiter.ts';
import type { Db } from '../../db/client.ts';
import { formLevel, type FieldErrors } from '../../web/form.ts';
import type { SecurityNotices } from '../../mail/security-notices.ts';
import type { Viewer } from '../../web/viewer.ts';

export type SecurityService = ReturnType<typeof createSecurityService>;

const passwordChangesPerHour = 5;

export interface SecurityOverview {
  /** A second factor can be added only once the primary address is confirmed: it is the way back in if the factor is lost. */
  primaryEmailVerified: boolean;
  totpEnabledAt: Date | null;
  recoveryCodesRemaining: number;
  hasRecoveryCodes: boolean;
}

/** What the security page does, on behalf of the signed-in person only. */
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
    securityNotices: SecurityNotices;
    secondFactor: SecondFactor;
    loginLimiter: LoginLimiter;
  },
) {
  const passwordAttempts = new RateLimiterSQLite({
    storeClient: db.$client,
    storeType: 'better-sqlite3',
    tableName: 'rate_limits',
    tableCreated: true,
    keyPrefix: 'password-change',
    points: passwordChangesPerHour,
    duration: 60 * 60,
  });

  return {
    overview(userId: number): SecurityOverview {
      return {
        primaryEmailVerified: Boolean(deps.emailAddresses.primaryOf(userId)?.verifiedAt),
        totpEnabledAt: deps.totp.enabledAt(userId),
        recoveryCodesRemaining: deps.recoveryCodes.remaining(userId),
        hasRecoveryCodes: deps.recoveryCodes.exists(userId),
      };
    },

    /**
     * Needs the current password, which is itself the re-authentication, plus the second factor
     * when one is enrolled and access has not been confirmed lately. Ends every other session and
     * keeps this one. Attempts, right or wrong, are limited per hour. Returns the errors to show
     * (with the strength feedback on a refused new password), or null when changed.
     */
    async changePassword(
      viewer: Viewer,
      input: { currentPassword: string; newPassword: string; confirmPassword: string; code?: string | undefined; recoveryCode?: string | undefined },
      client: ClientDetails,
      options: { secondFactorRequired: boolean },
    ): Promise<{ errors: FieldErrors; retryAfterSeconds?: number; feedback?: PasswordJudgement } | null> {
      const userId = viewer.user.id;
      try {
        await passwordAttempts.consume(String(userId));
      } catch (limited) {
        const seconds = Math.ceil(((limited as { msBeforeNext?: number }).msBeforeNext ?? 3_600_000) / 1000);
        return { errors: { [formLevel]: { key: 'errors.password.tooManyChanges', values: { count: Math.ceil(seconds / 60) } } }, retryAfterSeconds: seconds };
      }
      const credentials = deps.users.credentialsOf(userId);
      if (!credentials) return { errors: { currentPassword: { key: 'errors.password.currentWrong' } } };
      // The current password is a password guess like any other: it shares the log-in limits and is logged when wrong.
      const waitSeconds = await deps.loginLimiter.attempt(credentials.email, client.ipAddress);
      if (waitSeconds > 0) {
        return { errors: { [formLevel]: { key: 'errors.login.tooManyAttempts', values: { count: Math.ceil(waitSeconds / 60) } } }, retryAfterSeconds: waitSeconds };
      }
      if (!(await verifyPassword(credentials.passwordHash, input.currentPassword))) {
        deps.securityLog.record(userId, 'login.failed', client);
        return { errors: { currentPassword: { key: 'errors.password.currentWrong' } } };
      }
      await deps.loginLimiter.recordSuccess(credentials.email, client.ipAddress);
      const judgement = await judgePasswordInWorker(input.newPassword, { email: viewer.user.email, name: viewer.user.name });
      const refused: FieldErrors = {};
      if (judgement.problem) refused.newPassword = { key: `errors.password.${judgement.problem}` };
      else if (input.newPassword === input.currentPassword) refused.newPassword = { key: 'errors.password.unchanged' };
      if (input.newPassword !== input.confirmPassword) refused.confirmPassword = { key: 'errors.password.mismatch' };
      if (Object.keys(refused).length > 0) return { errors: refused, feedback: judgement };
      // Checked last: a code is accepted only once, so it is not spent on a form refused for another reason.
      if (options.secondFactorRequired) {
        if (!input.code && !input.recoveryCode) return { errors: { code: { key: 'errors.twoFactor.codeRequired' } } };
        const outcome = await deps.secondFactor.verify(userId, input);
        if (!outcome.ok) {
          if (outcome.retryAfterSeconds > 0) {
            const count = Math.ceil(outcome.retryAfterSeconds / 60);
            return { errors: { [formLevel]: { key: 'errors.login.tooManyAttempts', values: { count } } }, retryAfterSeconds: outcome.retryAfterSeconds };
          }
          deps.securityLog.record(userId, 'login.secondFactorFailed', client);
          return { errors: input.recoveryCode && !input.code ? { recoveryCode: { key: 'errors.twoFactor.wrongRecoveryCode' } } : { code: { key: 'errors.twoFactor.wrongCode' } } };
        }
        if (outcome.method === 'recoveryCode') deps.securityLog.record(userId, 'recoveryCode.used', client);
      }

      const newHash = await hashPassword(input.newPassword);
      // The password or this session may have changed (or ended) while the checks above awaited.
      if (!deps.users.passwordUnchanged(userId, credentials.passwordHash) || !deps.sessions.exists(viewer.session.id)) {
        return { errors: { currentPassword: { key: 'errors.password.currentWrong' } } };
      }
      deps.users.setPasswordHash(userId, newHash);
      deps.sessions.invalidateOthersForUser(userId, viewer.session.id, 'password-changed');
      deps.emailTokens.voidAll(userId, 'reset-password');
      deps.securityLog.record(userId, 'password.changed', client);
      return null;
    },

    /**
     * Confirms the authenticator app. Adding a second factor ends the other sessions and
     * creates recovery codes when there are none; those codes are returned to be shown once.
     */
    async confirmTotp(viewer: Viewer, code: string, client: ClientDetails): Promise<{ error: string } | { recoveryCodes: string[] | null }> {
      const userId = viewer.user.id;
      const outcome = await deps.totp.confirmEnrolment(userId, code);
      if (outcome === 'wrongCode') return { error: 'errors.twoFactor.wrongCode' };
      if (outcome === 'noPending') return { error: 'errors.twoFactor.enrolmentExpired' };
      deps.securityLog.record(userId, 'totp.enabled', client);
      deps.sessions.invalidateOthersForUser(userId, viewer.session.id, 'second-factor-added');
      if (deps.recoveryCodes.remaining(userId) > 0) return { recoveryCodes: null };
      const codes = deps.recoveryCodes.generate(userId);
      deps.securityLog.record(userId, 'recoveryCodes.generated', client);
      return { recoveryCodes: codes };
    },

    /** Removing the last second factor also deletes the recovery codes, which would otherwise be a way in. */
    removeTotp(viewer: Viewer, client: ClientDetails): void {
      const userId = viewer.user.id;
      db.transaction(() => {
        deps.totp.remove(userId);
        deps.recoveryCodes.deleteAll(userId);
      });
      deps.securityLog.record(userId, 'totp.removed', client);
    },

    /** New codes on request: the old ones stop working, and the person is told by mail (codes made with a new second factor are not). */
    regenerateRecoveryCodes(viewer: Viewer, client: ClientDetails, now: Date): string[] {
      const codes = deps.recoveryCodes.generate(viewer.user.id);
      deps.securityLog.record(viewer.user.id, 'recoveryCodes.generated', client);
      deps.securityNotices.send(viewer.user.id, 'recoveryCodes.generated', client, now);
      return codes;
    },

    logOutEverywhere(viewer: Viewer, client: ClientDetails): void {
      deps.securityLog.record(viewer.user.id, 'sessions.revokedAll', client);
      deps.sessions.invalidateAllForUser(viewer.user.id, 'logged-out-everywhere');
    },
  };
}
