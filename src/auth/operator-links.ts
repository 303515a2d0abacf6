import type { SystemActor } from '../lib/actor.ts';
import type { EmailTokens } from './email-tokens.ts';
import type { SecurityLog } from './security-log.ts';

export type OperatorLinks = ReturnType<typeof createOperatorLinks>;

/** The client details an operator's command is logged with. */
export const commandClient = (command: string) => ({ ipAddress: '', userAgent: `Dials (${command} command)` });

/**
 * Links an operator makes from the command line, to pass on by hand: the same one-time links
 * the pages send by mail (stored as digests, single use, expiring), printed instead of mailed.
 */
export function createOperatorLinks(deps: { emailTokens: EmailTokens; securityLog: SecurityLog; publicUrl: URL }) {
  return {
    /**
     * A password-reset link for the account the actor acts for: it voids older reset links, lasts
     * an hour, and still asks for the second factor when the account has one. The person sees it
     * in their security log.
     */
    async passwordResetLink(actor: SystemActor): Promise<{ ok: true; url: string; expiresAt: Date }> {
      const token = await deps.emailTokens.issue({ userId: actor.userId, purpose: 'reset-password' });
      const grant = await deps.emailTokens.peek(token, 'reset-password');
      await deps.securityLog.record(actor.userId, 'password.resetLinkIssued', commandClient(actor.job));
      return { ok: true, url: new URL(`/reset-password/${token}`, deps.publicUrl).href, expiresAt: grant?.expiresAt ?? new Date() };
    },
  };
}
