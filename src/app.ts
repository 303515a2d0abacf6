import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLoginChallengeStore } from './auth/login-challenges.ts';
import { createLoginLimiter } from './auth/login-limiter.ts';
import { createSecondFactor } from './auth/second-factor.ts';
import { createSudoGuard } from './auth/sudo.ts';
import { createRecoveryCodeService } from './auth/two-factor/recovery-codes.ts';
import { createTotpService } from './auth/two-factor/totp.ts';
import { registerAuthRoutes } from './auth/routes.ts';
import { createSecurityLog } from './auth/security-log.ts';
import { createSessionStore } from './auth/sessions.ts';
import { createUserDirectory } from './auth/users.ts';
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import { createSecretBox, deriveKey } from './lib/instance-keys.ts';
import { loadOrCreateInstanceSecret } from './lib/instance-secret.ts';
import { registerAccountRoutes } from './settings/account/routes.ts';
import { createAccountService } from './settings/account/service.ts';
import { registerSecurityRoutes } from './settings/security/routes.ts';
import { createSecurityService } from './settings/security/service.ts';
import { registerSessionHistoryRoutes } from './settings/security/sessions-routes.ts';
import { cookieNames } from './web/cookies.ts';
import { registerCsrfProtection } from './web/csrf.ts';
import { registerErrorPages } from './web/errors.ts';
import { registerRendering } from './web/render.ts';
import { registerSecurityHeaders } from './web/security-headers.ts';
import { registerSessionLayer } from './web/session.ts';
import { assetVersion, registerStaticAssets } from './web/static-assets.ts';
import type { FastifyServerOptions } from 'fastify';
import './web/request-types.ts';

export interface AppDependencies {
  db: Db;
  /** The clock every expiry is measured with; tests move it forward. */
  now?: () => number;
  logger?: FastifyServerOptions['logger'];
}

export async function buildApp(config: Config, dependencies: AppDependencies): Promise<FastifyInstance> {
  const { db } = dependencies;
  const now = dependencies.now ?? Date.now;
  const app = Fastify({
    logger: dependencies.logger ?? false,
    trustProxy: config.trustProxy,
    bodyLimit: 64 * 1024,
  });

  const secure = config.secureCookies;
  const cookies = cookieNames(secure);
  const secret = loadOrCreateInstanceSecret(config.dataDir);

  const users = createUserDirectory(db, now);
  const sessions = createSessionStore(db, { lifetimeMs: config.sessionLifetimeMs, idleMs: config.sessionIdleMs, now });
  const loginLimiter = createLoginLimiter(db, config.loginLimits);
  const account = createAccountService(db);
  const securityLog = createSecurityLog(db, now);
  const totp = createTotpService(db, { box: createSecretBox(deriveKey(secret, 'totp-secrets')), now, issuer: config.publicUrl.host });
  const recoveryCodes = createRecoveryCodeService(db, { key: deriveKey(secret, 'recovery-codes'), now });
  const secondFactor = createSecondFactor(db, { totp, recoveryCodes });
  const loginChallenges = createLoginChallengeStore(db, now);
  const requireSudo = createSudoGuard({ windowMs: config.sudoWindowMs, now });

  await registerSecurityHeaders(app, { https: secure });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(rateLimit, { global: false });
  await registerStaticAssets(app);

  registerSessionLayer(app, {
    cookies,
    secure,
    validate: (token, client) => sessions.validate(token, client),
    loadPreferences: (userId) => account.preferences(userId),
  });
  const csrf = registerCsrfProtection(app, { secret: deriveKey(secret, 'csrf'), cookies, secure, trustedOrigins: [config.publicUrl.origin] });
  registerRendering(app, { cookies, secure, csrfTokenFor: csrf.tokenFor, assetVersion });
  registerErrorPages(app);

  await registerAuthRoutes(app, {
    users,
    sessions,
    loginLimiter,
    loginChallenges,
    secondFactor,
    securityLog,
    cookies,
    secure,
    sudoWindowMs: config.sudoWindowMs,
    onUserCreated: (tx, userId, context) => account.initialise(tx, userId, context),
  });
  await registerAccountRoutes(app, { account, users, cookies, secure });
  await registerSessionHistoryRoutes(app, { sessions, securityLog, cookies, secure });
  const security = createSecurityService(db, { users, sessions, totp, recoveryCodes, securityLog });
  await registerSecurityRoutes(app, { security, totp, securityLog, requireSudo, cookies, secure });

  return app;
}

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
