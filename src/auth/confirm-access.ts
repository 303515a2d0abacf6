import { sessionIdOf, type Actor, type ClientDetails } from '../lib/actor.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { verifyPassword } from './password-hashing.ts';
import type { SecondFactor } from './second-factor.ts';
import type { SecurityLog } from './security-log.ts';
import type { SessionStore } from './sessions.ts';
import type { UserDirectory } from './users.ts';

export type AccessConfirmation = ReturnType<typeof createAccessConfirmation>;

export type ConfirmAccessResult =
  | { ok: true }
  /** The log-in limits (the password is a guess like any other) or the second-factor limits. */
  | { ok: false; reason: 'tooManyAttempts'; retryAfterSeconds: number }
  | { ok: false; reason: 'wrongPassword' | 'codeRequired' | 'wrongCode' | 'wrongRecoveryCode' }
  /**
   * Nothing to confirm: the account, its password or the actor's session changed or went while
   * the password was checked, or the actor is not a person in their own session (keys, jobs and
   * support staff never pass re-authentication).
   */
  | { ok: false; reason: 'stale' };

/**
 * "Confirm access" (SECURITY.md rule 12): the password again, and the second factor when one is
 * enrolled. Starting the new session that carries the confirmation is the route's part.
 */
export function createAccessConfirmation(deps: {
  users: UserDirectory;
  sessions: SessionStore;
  loginLimiter: LoginLimiter;
  secondFactor: SecondFactor;
  securityLog: SecurityLog;
}) {
  return {
    async confirm(actor: Actor, input: { password: string; code?: string | undefined; recoveryCode?: string | undefined }, client: ClientDetails): Promise<ConfirmAccessResult> {
      const userId = actor.userId;
      const sessionId = sessionIdOf(actor);
      if (actor.via !== 'session' || sessionId === null) return { ok: false, reason: 'stale' };
      const credentials = await deps.users.credentialsOf(userId);
      if (!credentials) return { ok: false, reason: 'stale' };
      const waitSeconds = await deps.loginLimiter.attempt(credentials.email, client.ipAddress);
      if (waitSeconds > 0) return { ok: false, reason: 'tooManyAttempts', retryAfterSeconds: waitSeconds };
      if (!(await verifyPassword(credentials.passwordHash, input.password))) {
        await deps.securityLog.record(userId, 'login.failed', client);
        return { ok: false, reason: 'wrongPassword' };
      }
      if (await deps.secondFactor.isEnrolled(userId)) {
        if (!input.code && !input.recoveryCode) return { ok: false, reason: 'codeRequired' };
        const outcome = await deps.secondFactor.verify(userId, input);
        if (!outcome.ok) {
          if (outcome.retryAfterSeconds > 0) return { ok: false, reason: 'tooManyAttempts', retryAfterSeconds: outcome.retryAfterSeconds };
          await deps.securityLog.record(userId, 'login.secondFactorFailed', client);
          return { ok: false, reason: input.recoveryCode ? 'wrongRecoveryCode' : 'wrongCode' };
        }
        if (outcome.method === 'recoveryCode') await deps.securityLog.record(userId, 'recoveryCode.used', client);
      }
      await deps.loginLimiter.recordSuccess(credentials.email, client.ipAddress);
      // The password or the session may have changed while the password was being checked.
      if (!(await deps.users.passwordUnchanged(userId, credentials.passwordHash)) || !(await deps.sessions.exists(sessionId))) return { ok: false, reason: 'stale' };
      await deps.securityLog.record(userId, 'sudo.confirmed', client);
      return { ok: true };
    },
  };
}
