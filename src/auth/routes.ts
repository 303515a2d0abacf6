import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/client.ts';
import type { Language } from '../lib/languages.ts';
import type { CookieNames } from '../web/cookies.ts';
import { clientDetails, setSessionCookie } from '../web/session.ts';
import type { Outbox } from '../mail/outbox.ts';
import type { RecipientLookup } from '../mail/recipients.ts';
import type { EmailAddressBook } from './email-addresses.ts';
import type { EmailTokens } from './email-tokens.ts';
import { registerForgotPasswordRoutes } from './forgot-password-routes.ts';
import type { LoginChallengeStore } from './login-challenges.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { registerLoginRoutes } from './login-routes.ts';
import { registerPasswordCheckRoutes } from './password-check-routes.ts';
import type { SecondFactor } from './second-factor.ts';
import type { SecurityLog } from './security-log.ts';
import type { SessionStore } from './sessions.ts';
import { registerResetPasswordRoutes } from './reset-password-routes.ts';
import { registerSignupRoutes } from './signup-routes.ts';
import { registerSudoRoutes } from './sudo-routes.ts';
import type { UserDirectory } from './users.ts';
import { registerVerifyEmailRoutes } from './verify-email-routes.ts';
import type { SudoContinuations } from './sudo-continuation.ts';
import type { Viewer } from '../web/viewer.ts';

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
  inSudoMode: (viewer: Viewer) => boolean;
  emailAddresses: EmailAddressBook;
  emailTokens: EmailTokens;
  outbox: Outbox;
  recipientFor: RecipientLookup;
  publicUrl: URL;
  /** Sets up what other parts of Dials keep per person, inside the sign-up transaction. */
  onUserCreated: (tx: Db, userId: number, context: { language: Language; timeZone: string }) => void;
}

export const homePath = '/settings/account';

/** A new session id every time someone proves who they are: whatever session the browser had is ended. */
export function startSession(request: FastifyRequest, reply: FastifyReply, options: AuthRouteOptions, userId: number): void {
  if (request.viewer) options.sessions.invalidate(request.viewer.session.id, 'replaced');
  const { token, session } = options.sessions.create(userId, clientDetails(request));
  setSessionCookie(reply, options, token, session.expiresAt);
}

/** The text a person typed, to put back in the form; never a password or a code. */
export function pickStrings(body: unknown, fields: string[]): Record<string, string> {
  const values: Record<string, string> = {};
  if (!body || typeof body !== 'object') return values;
  for (const field of fields) {
    const value = (body as Record<string, unknown>)[field];
    if (typeof value === 'string') values[field] = value.slice(0, 300);
  }
  return values;
}

export async function registerAuthRoutes(app: FastifyInstance, options: AuthRouteOptions): Promise<void> {
  app.get('/', async (request, reply) => reply.redirect(request.viewer ? homePath : '/login'));
  registerSignupRoutes(app, options);
  registerLoginRoutes(app, options);
  registerSudoRoutes(app, options);
  registerPasswordCheckRoutes(app, options);
  registerVerifyEmailRoutes(app, options);
  registerForgotPasswordRoutes(app, options);
  registerResetPasswordRoutes(app, options);
}
