import type { Db } from '../db/client.ts';
import type { Language } from '../lib/languages.ts';
import type { CookieNames } from '../web/cookies.ts';
import type { Actor } from '../lib/actor.ts';
import type { AccountMail } from './account-mail.ts';
import type { AdminSetup } from './admin-setup.ts';
import type { AccessConfirmation } from './confirm-access.ts';
import type { EmailAddressBook } from './email-addresses.ts';
import type { EmailTokens } from './email-tokens.ts';
import type { LoginChallengeStore } from './login-challenges.ts';
import type { LoginLimiter } from './login-limiter.ts';
import type { SecondFactor } from './second-factor.ts';
import type { SecurityLog } from './security-log.ts';
import type { SessionStore } from './sessions.ts';
import type { SudoContinuations } from './sudo-continuation.ts';
import type { UserDirectory } from './users.ts';

/** What the sign-up, log-in, sudo, address-link and password-reset routes are given. */
export interface AuthRouteOptions {
  users: UserDirectory;
  sessions: SessionStore;
  loginLimiter: LoginLimiter;
  loginChallenges: LoginChallengeStore;
  secondFactor: SecondFactor;
  securityLog: SecurityLog;
  cookies: CookieNames;
  secure: boolean;
  sudoWindowMs: number;
  sudoContinuations: SudoContinuations;
  inSudoMode: (actor: Actor) => boolean;
  accessConfirmation: AccessConfirmation;
  emailAddresses: EmailAddressBook;
  emailTokens: EmailTokens;
  accountMail: AccountMail;
  adminSetup: AdminSetup;
  /** Sets up what other parts of Dials keep per person, inside the sign-up transaction. */
  onUserCreated: (tx: Db, userId: number, context: { language: Language; timeZone: string }) => Promise<void>;
}
