import { createAccessConfirmation } from './auth/confirm-access.ts';
import { createAdminSetup } from './auth/admin-setup.ts';
import crypto from 'node:crypto';
import os from 'node:os';
import { createEmailAddressBook } from './auth/email-addresses.ts';
import { createEmailTokens } from './auth/email-tokens.ts';
import { createLoginChallengeStore } from './auth/login-challenges.ts';
import { createLoginLimiter } from './auth/login-limiter.ts';
import { createOperatorLinks } from './auth/operator-links.ts';
import { createSecondFactor } from './auth/second-factor.ts';
import { createSecurityLog } from './auth/security-log.ts';
import { createSessionStore } from './auth/sessions.ts';
import { createSudoGuard, isInSudoMode } from './auth/sudo.ts';
import { createSudoContinuations } from './auth/sudo-continuation.ts';
import { createSpentContinuations } from './auth/spent-continuations.ts';
import type { Actor } from './lib/actor.ts';
import { createRecoveryCodeService } from './auth/two-factor/recovery-codes.ts';
import { createTotpService } from './auth/two-factor/totp.ts';
import { createUserDirectory } from './auth/users.ts';
import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import { createSecretBox, deriveKey } from './lib/instance-keys.ts';
import { createOutbox } from './mail/outbox.ts';
import { createSmtpTransport } from './mail/transport.ts';
import { createMailWorker, type MailWorker, type MailWorkerLogger } from './mail/worker.ts';
import { createAccountMail } from './notify/account-mail.ts';
import { createApiKeyNotices } from './notify/api-key-notices.ts';
import { createRecipientLookup, createRecipientsLookup, routableAddresses } from './notify/recipients.ts';
import { createSecurityNotices } from './notify/security-notices.ts';
import { createDispatcher } from './notify/dispatcher.ts';
import { createNotificationSettings } from './notify/settings.ts';
import { createTestNotices } from './notify/test-notices.ts';
import { createUnsubscribeTokens } from './notify/unsubscribe-token.ts';
import { createWhoGetsWhat } from './notify/who-gets-what.ts';
import { createPlatformPageQueries } from './platform/pages-queries.ts';
import { createPlatformService } from './platform/service.ts';
import { createWeeklyReportBuilder } from './reports/weekly-builder.ts';
import { createAccountService } from './settings/account/service.ts';
import { createApiKeysService } from './settings/api-keys/service.ts';
import { createVerificationSendLog } from './settings/emails/send-log.ts';
import { createEmailsService } from './settings/emails/service.ts';
import { createSecurityService } from './settings/security/service.ts';
import { runScheduledBackup, scheduledBackups } from './backups/nightly.ts';
import { writeBackup } from './db/backup.ts';
import { createScheduler } from './jobs/scheduler.ts';
import { createWeeklyReports } from './jobs/weekly-reports.ts';
import { createReportAudience } from './platform/report-audience.ts';
import type { WeeklyReportBuilder } from './reports/weekly-types.ts';
import { createReportTimes } from './settings/notifications/report-time.ts';
import fs from 'node:fs';
import path from 'node:path';

export type Services = ReturnType<typeof createServices>;

/** Builds every service once, at start, wired to each other; routes only receive what they need. */
export function createServices(
  config: Config,
  db: Db,
  now: () => number,
  instanceSecret: Buffer,
  log: MailWorkerLogger & { error?(details: object, message: string): void },
  weeklyReportBuilder: WeeklyReportBuilder | null = null,
) {
  const users = createUserDirectory(db, now);
  const account = createAccountService(db, { users });
  const emailAddresses = createEmailAddressBook(db, now);
  const platform = createPlatformService(db, { now, users });
  const unsubscribeTokens = createUnsubscribeTokens(deriveKey(instanceSecret, 'unsubscribe'));
  const notificationSettings = createNotificationSettings(db, {
    now,
    canSee: (userId, scope, id) => platform.places.canSee(userId, scope, id),
    addressesOf: async (userId) => routableAddresses(await emailAddresses.list(userId)),
  });
  const emailTokens = createEmailTokens(db, now);

  let worker: MailWorker | null = null;
  const outbox = createOutbox(db, {
    box: createSecretBox(deriveKey(instanceSecret, 'mail-outbox')),
    now,
    messageIdDomain: config.publicUrl.hostname,
    onEnqueued: () => worker?.wake(),
  });
  if (config.smtpUrl) {
    worker = createMailWorker({ outbox, transport: createSmtpTransport(config.smtpUrl), from: config.mailFrom, now, log });
  }

  const recipientFor = createRecipientLookup({ users, account, emailAddresses });
  const accountMail = createAccountMail({ outbox, recipientFor, publicUrl: config.publicUrl });

  const securityNotices = createSecurityNotices({ outbox, recipientFor, publicUrl: config.publicUrl });
  const securityLog = createSecurityLog(db, now, securityNotices.prepare);
  const sessions = createSessionStore(db, { lifetimeMs: config.sessionLifetimeMs, idleMs: config.sessionIdleMs, now });
  const totp = createTotpService(db, { box: createSecretBox(deriveKey(instanceSecret, 'totp-secrets')), now, issuer: config.publicUrl.host });
  const recoveryCodes = createRecoveryCodeService(db, { key: deriveKey(instanceSecret, 'recovery-codes'), now });
  const secondFactor = createSecondFactor(db, { totp, recoveryCodes });
  const loginLimiter = createLoginLimiter(db, config.loginLimits);
  const apiKeys = createApiKeysService(db, {
    now,
    securityLog,
    secondFactor,
    apiKeyNotices: createApiKeyNotices({ outbox, recipientFor, publicUrl: config.publicUrl }),
    log,
  });
  const reportTimes = createReportTimes(db, { now });
  const processName = `${os.hostname()}:${process.pid}:${crypto.randomUUID()}`;
  // Tests may hand in a builder of their own; Dials uses the real one.
  const builder = weeklyReportBuilder ?? createWeeklyReportBuilder(db);
  const weeklyReports = createWeeklyReports(db, {
    owner: processName,
    now,
    builder,
    audience: createReportAudience(db),
    reportTimes,
    preferencesOfEach: (userIds) => account.preferencesOfEach(userIds),
    settings: notificationSettings,
    profiles: (userIds) => users.profiles(userIds),
    addressesOfEach: async (userIds) => new Map([...(await emailAddresses.listOfEach(userIds))].map(([userId, addresses]) => [userId, routableAddresses(addresses)])),
    outbox,
    publicUrl: config.publicUrl,
    unsubscribeTokens,
    log,
  });
  const scheduler = createScheduler(db, {
    now,
    weeklyReports,
    backups: {
      schedule: config.backups.schedule,
      lastBackupAt: () => lastScheduledBackup(config.backups.dir),
      take: () =>
        runScheduledBackup({
          dir: config.backups.dir,
          keep: config.backups.keep,
          dataDir: config.dataDir,
          write: (target, details) => writeBackup(db, target, details),
          now: new Date(now()),
          log: { info: (details, message) => log.info(details, message), error: (details, message) => (log.error ?? log.warn).call(log, details, message) },
        }),
    },
    log: { info: (details, message) => log.info(details, message), warn: (details, message) => log.warn(details, message), error: (details, message) => (log.error ?? log.warn).call(log, details, message) },
  });
  const sudoContinuations = createSudoContinuations({ box: createSecretBox(deriveKey(instanceSecret, 'sudo-continuation')), now, spent: createSpentContinuations(db) });

  return {
    users,
    account,
    emailAddresses,
    emailTokens,
    outbox,
    mailWorker: worker,
    recipientFor,
    accountMail,
    securityNotices,
    securityLog,
    sessions,
    totp,
    recoveryCodes,
    secondFactor,
    loginLimiter,
    apiKeys,
    platform,
    platformPages: createPlatformPageQueries(db),
    /** What a weekly report says: an organization's week read once, each reader's report, its mail. */
    weeklyReportBuilder: builder,
    notificationSettings,
    dispatcher: createDispatcher(db, {
      now,
      owner: `${os.hostname()}:${process.pid}:${crypto.randomUUID()}`,
      events: platform.noticeEvents,
      namesOf: async (userIds) => new Map([...(await users.profiles(userIds))].map(([userId, profile]) => [userId, profile.name])),
      settings: notificationSettings,
      recipientsOf: createRecipientsLookup({ users, account, emailAddresses }),
      outbox,
      publicUrl: config.publicUrl,
      unsubscribeTokens,
      log,
    }),
    unsubscribeTokens,
    // The dispatcher's inputs (settings.rowsOfEach, each person's routable addresses), for an event described by hand.
    whoGetsWhat: createWhoGetsWhat({
      organization: (actor, slug, members) => platform.organizations.forQuestion(actor, slug, members),
      settings: notificationSettings,
      addressesOfEach: async (userIds) => new Map([...(await emailAddresses.listOfEach(userIds))].map(([userId, addresses]) => [userId, routableAddresses(addresses)])),
    }),
    reportTimes,
    weeklyReports,
    scheduler,
    testNotices: createTestNotices(db, {
      now,
      outbox,
      recipientFor,
      addressFor: (userId, place) => notificationSettings.addressFor(userId, place),
      addressesOf: async (userId) => (await emailAddresses.list(userId)).map((address) => address.address),
      placesOf: (userId) => platform.places.of(userId),
      publicUrl: config.publicUrl,
    }),
    loginChallenges: createLoginChallengeStore(db, now),
    adminSetup: createAdminSetup(db, { key: deriveKey(instanceSecret, 'admin-setup'), now, publicUrl: config.publicUrl }),
    operatorLinks: createOperatorLinks({ emailTokens, securityLog, publicUrl: config.publicUrl }),
    sudoContinuations,
    requireSudo: createSudoGuard({ windowMs: config.sudoWindowMs, now, continuations: sudoContinuations }),
    accessConfirmation: createAccessConfirmation({ users, sessions, loginLimiter, secondFactor, securityLog }),
    inSudoMode: (actor: Actor) => isInSudoMode(actor, { windowMs: config.sudoWindowMs, now }),
    security: createSecurityService(db, {
      users,
      sessions,
      totp,
      recoveryCodes,
      securityLog,
      emailTokens,
      emailAddresses,
      secondFactor,
      loginLimiter,
      revokeKeysWithoutSecondFactor: apiKeys.revokeMadeWithoutSecondFactor,
      now,
    }),
    emails: createEmailsService({
      emailAddresses,
      emailTokens,
      accountMail,
      securityLog,
      sessions,
      sendLog: createVerificationSendLog(db, now),
      db,
      now,
    }),
  };
}

/** When the newest scheduled backup was written, or null when there is none (or no folder yet). */
function lastScheduledBackup(dir: string): Date | null {
  try {
    const newest = scheduledBackups(dir).at(-1);
    return newest ? fs.statSync(path.join(dir, newest)).mtime : null;
  } catch {
    return null;
  }
}
