import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { registerApi } from './api/v1.ts';
import { registerDispatchTask } from './notify/dispatch-task.ts';
import { registerUnsubscribeRoutes } from './notify/unsubscribe-routes.ts';
import { dialsVersion } from './version.ts';
import { registerAuthRoutes } from './auth/routes.ts';
import { registerSessionSweeper } from './auth/session-sweeper.ts';
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import { createSecretBox, deriveKey } from './lib/instance-keys.ts';
import { createShownOnce } from './web/shown-once.ts';
import { createServices, type Services } from './services.ts';
import { loadOrCreateInstanceSecret } from './lib/instance-secret.ts';
import { registerAccountRoutes } from './settings/account/routes.ts';
import { newKeyPath, registerApiKeyRoutes } from './settings/api-keys/routes.ts';
import { registerApiKeySweeper } from './settings/api-keys/sweeper.ts';
import { registerOutboxRoutes } from './mail/outbox-routes.ts';
import { registerPlatformPages } from './platform/pages/routes.ts';
import { registerWeeklyReportRoutes } from './reports/routes.ts';
import { registerEmailRoutes } from './settings/emails/routes.ts';
import { registerNotificationRoutes } from './settings/notifications/routes.ts';
import { registerWhoGetsWhatRoutes } from './settings/notifications/who-gets-what-routes.ts';
import { recoveryCodesPath, registerSecurityRoutes } from './settings/security/routes.ts';
import { registerSessionHistoryRoutes } from './settings/security/sessions-routes.ts';
import { cookieNames } from './web/cookies.ts';
import { registerCsrfProtection } from './web/csrf.ts';
import { registerAfterReply, type AfterReplyRunner } from './web/after-reply.ts';
import { registerErrorPages } from './web/errors.ts';
import { registerHealthRoutes } from './web/health.ts';
import { databaseAnswers, pendingMigrations } from './db/migrate.ts';
import { registerFlash } from './web/flash.ts';
import { registerRendering } from './web/render.ts';
import { createHeldPages } from './web/held-pages.ts';
import { apiSecurityHeaders, registerSecurityHeaders, securityHeaders } from './web/security-headers.ts';
import { registerSessionLayer, sessionCookieAuthenticator } from './web/session.ts';
import { apiKeyAuthenticator } from './web/api-key-authenticator.ts';
import { isApiPath } from './web/api-paths.ts';
import { sendProblem } from './web/problem.ts';
import { assetVersion, registerStaticAssets } from './web/static-assets.ts';
import type { FastifyServerOptions } from 'fastify';
import './web/request-types.ts';
import { registerJobRoutes } from './jobs/routes.ts';
import type { WeeklyReportBuilder } from './reports/weekly-types.ts';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export interface AppDependencies {
  db: Db;
  /** The clock every expiry is measured with; tests move it forward. */
  now?: () => number;
  logger?: FastifyServerOptions['logger'];
  /** Runs work queued to happen after an answer is sent; tests may hold it back. */
  afterReply?: AfterReplyRunner;
  /** False to leave notification work for the test to dispatch (`services.dispatcher.runOnce()`). */
  dispatchInBackground?: boolean;
  /** What weekly reports say; without one, none are sent. */
  weeklyReportBuilder?: WeeklyReportBuilder;
  /** False to leave scheduled jobs (weekly reports) to the test (`services.weeklyReports.run('schedule')`). */
  scheduleJobs?: boolean;
}

type Compilers = (...args: unknown[]) => unknown;
let validators: Compilers | undefined;
let serializers: Compilers | undefined;

/**
 * Fastify's own dependencies, found from its folder. In the bundle (a CommonJS file, where `require`
 * exists) the literal `require` calls let the bundler carry them inside.
 */
const fastifyRequire = () => createRequire(createRequire(import.meta.url).resolve('fastify'));
/* eslint-disable @typescript-eslint/no-require-imports */
const loadValidators = (): (() => Compilers) =>
  typeof require === 'function' ? require('@fastify/ajv-compiler') : fastifyRequire()('@fastify/ajv-compiler');
const loadSerializers = (): (() => Compilers) =>
  typeof require === 'function' ? require('@fastify/fast-json-stringify-compiler') : fastifyRequire()('@fastify/fast-json-stringify-compiler');
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Fastify loads Ajv and fast-json-stringify when it is made, for routes with JSON schemas; they cost
 * a tenth of the start-up time and no route uses them (the API's schemas are zod, with compilers of
 * their own). These load them on first use.
 */
const schemaCompilers = {
  buildValidator: (...args: unknown[]) => (validators ??= loadValidators()())(...args),
  buildSerializer: (...args: unknown[]) => (serializers ??= loadSerializers()())(...args),
};

function trustHops(hops: number): (address: string, hop: number) => boolean {
  return (_address, hop) => hop < hops;
}

export async function buildApp(config: Config, dependencies: AppDependencies): Promise<FastifyInstance> {
  const { db } = dependencies;
  const now = dependencies.now ?? Date.now;
  const app = Fastify({
    logger: dependencies.logger ?? false,
    // A number of hops becomes a function: proxy-addr then trusts that many addresses from the right.
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    bodyLimit: 64 * 1024,
    schemaController: { compilersFactory: schemaCompilers as never },
    // A URL Fastify cannot decode: the API answers it as problem+json like every other refusal. No
    // onRequest hook runs for it, so it is given its security headers here.
    frameworkErrors: (error, request, reply) => {
      const answer = reply as unknown as FastifyReply;
      const https = config.secureCookies;
      if (isApiPath(request.url)) return sendProblem(answer.headers(apiSecurityHeaders({ https })), 'invalidRequest', error.message);
      return answer.headers(securityHeaders({ https })).code(400).send({ error: 'Bad Request', code: error.code, message: error.message, statusCode: 400 });
    },
  });

  const secure = config.secureCookies;
  const cookies = cookieNames(secure);
  const secret = loadOrCreateInstanceSecret(config.dataDir);

  const services = createServices(config, db, now, secret, app.log, dependencies.weeklyReportBuilder ?? null);
  const { account, sessions, securityLog, totp, security, requireSudo } = services;
  app.decorate('services', services);
  if (services.mailWorker) {
    const worker = services.mailWorker;
    app.addHook('onReady', async () => worker.start());
    app.addHook('onClose', async () => worker.stop());
  } else {
    app.log.warn('SMTP_URL is not set: mail is not being delivered. The administrator can read it on /admin/outbox.');
  }

  registerSessionSweeper(app, sessions);
  registerApiKeySweeper(app, services.apiKeys);
  if (dependencies.dispatchInBackground !== false) registerDispatchTask(app, services.dispatcher);
  if (dependencies.scheduleJobs !== false) {
    // Started once Dials has answered its first request (or half a second after it listens, when none comes):
    // loading node-cron and working out the next run (its time-zone formatter, 25 ms) is no part of the time to the first answer.
    let starting: Promise<() => Promise<void>> | null = null;
    let closed = false;
    let fallback: NodeJS.Timeout | undefined;
    const startSchedule = () => {
      clearTimeout(fallback);
      if (starting || closed) return;
      starting = services.scheduler.start();
      starting.catch((error: unknown) => app.log.error({ err: error }, 'the scheduled jobs could not start'));
    };
    app.addHook('onListen', async () => {
      app.server.once('request', (_request, response: ServerResponse) => response.once('close', startSchedule));
      fallback = setTimeout(startSchedule, 500);
      fallback.unref();
    });
    app.addHook('onClose', async () => {
      closed = true;
      clearTimeout(fallback);
      const stop = await starting?.catch(() => null);
      await stop?.();
    });
  }
  registerHealthRoutes(app, {
    readiness: () => {
      const database = databaseAnswers(db);
      return {
        database: database ? 'ok' : 'failing',
        migrations: database && pendingMigrations(db) === 0 ? 'ok' : 'failing',
        mail: services.mailWorker ? (services.mailWorker.isRunning() ? 'ok' : 'failing') : 'off',
      };
    },
  });

  registerSecurityHeaders(app, { https: secure });
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(rateLimit, { global: false });
  await registerStaticAssets(app);

  const heldPages = createHeldPages(db, now);
  heldPages.register(app);
  registerSessionLayer(app, {
    authenticators: [
      apiKeyAuthenticator({ check: (key) => services.apiKeys.authenticate(key) }),
      sessionCookieAuthenticator({ cookies, secure, validate: (token, client) => sessions.validate(token, client) }),
    ],
    loadPreferences: (userId) => account.preferences(userId),
  });
  registerFlash(app, { cookies, secure });
  const csrf = registerCsrfProtection(app, { secret: deriveKey(secret, 'csrf'), cookies, secure, trustedOrigins: [config.publicUrl.origin] });
  await registerRendering(app, { cookies, secure, csrfTokenFor: csrf.tokenFor, assetVersion, heldPages });
  registerErrorPages(app);
  registerAfterReply(app, dependencies.afterReply);

  await registerAuthRoutes(app, {
    ...services,
    cookies,
    secure,
    sudoWindowMs: config.sudoWindowMs,
    onUserCreated: (tx, userId, context) => account.initialise(tx, userId, context),
  });
  await registerAccountRoutes(app, { account, unconfirmedPrimary: (userId) => services.emails.unconfirmedPrimary(userId) });
  await registerSessionHistoryRoutes(app, { sessions, security });
  const shownOnce = createShownOnce({ box: createSecretBox(deriveKey(secret, 'shown-once')), secure, now, path: recoveryCodesPath });
  await registerSecurityRoutes(app, { security, totp, securityLog, requireSudo, inSudoMode: services.inSudoMode, cookies, secure, shownOnce });
  await registerEmailRoutes(app, { emails: services.emails, requireSudo });
  await registerNotificationRoutes(app, {
    settings: services.notificationSettings,
    reportTimes: services.reportTimes,
    testNotices: services.testNotices,
    organizationsOf: (userId) => services.platform.places.of(userId),
    addressesOf: async (actor) => {
      const addresses = await services.emails.list(actor);
      return { primary: addresses.find((address) => address.isPrimary)?.address ?? '', verified: addresses.filter((address) => address.verifiedAt).map((address) => address.address) };
    },
  });
  await registerWhoGetsWhatRoutes(app, { whoGetsWhat: services.whoGetsWhat, organizationsOf: (userId) => services.platform.places.of(userId) });
  const newKeyShownOnce = createShownOnce({ box: createSecretBox(deriveKey(secret, 'shown-once')), secure, now, path: newKeyPath });
  await registerApiKeyRoutes(app, { apiKeys: services.apiKeys, requireSudo, shownOnce: newKeyShownOnce, now });
  await registerOutboxRoutes(app, { outbox: services.outbox, deliveryConfigured: services.mailWorker !== null });
  await registerJobRoutes(app, { scheduler: services.scheduler });
  await registerUnsubscribeRoutes(app, {
    tokens: services.unsubscribeTokens,
    settings: services.notificationSettings,
    placeName: (scope, id) => services.platform.places.nameOf(scope, id),
  });
  await registerPlatformPages(app, {
    platform: services.platform,
    queries: services.platformPages,
    stackTraceOrderOf: async (userId) => (await account.preferences(userId)).stackTraceOrder,
  });
  await registerWeeklyReportRoutes(app, {
    builder: services.weeklyReportBuilder,
    organizationOf: (actor, slug) => services.platform.places.organizationOfMember(actor.userId, slug),
    excludedProjectsOf: async (actor) =>
      (await services.notificationSettings.rows(actor)).filter((row) => row.type === 'weeklyReports' && row.scope === 'project' && row.value === 'off' && row.scopeId !== null).map((row) => row.scopeId ?? 0),
    now,
  });
  await registerApi(app, {
    db,
    version: dialsVersion(),
    rateLimitPerMinute: config.apiRateLimitPerMinute,
    account,
    emails: services.emails,
    security,
    sessions,
    apiKeys: services.apiKeys,
    platform: services.platform,
  });

  return app;
}

