import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { closeDatabase, openDatabase, type Db } from '../../src/db/client.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import type { AfterReplyRunner } from '../../src/web/after-reply.ts';
import type { WeeklyReportBuilder } from '../../src/reports/weekly-types.ts';
import { Mailbox } from './mailbox.ts';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  config: Config;
  clock: { now: number; advance(ms: number): void };
  /** The real SMTP server this Dials delivers to. */
  mail: Mailbox;
  close(): Promise<void>;
}

const mailboxes = new WeakMap<FastifyInstance, Mailbox>();

/** The mailbox of a test app, for helpers that only get the app. */
export function mailboxOf(app: FastifyInstance): Mailbox {
  const mailbox = mailboxes.get(app);
  if (!mailbox) throw new Error('this app was not made by createTestApp');
  return mailbox;
}

/** A real Dials on a fresh SQLite file with the real migrations, and a clock the test can move. */
export async function createTestApp(
  environment: Record<string, string> = {},
  options: {
    logger?: unknown;
    afterReply?: AfterReplyRunner;
    dispatchInBackground?: boolean;
    /** What weekly reports say (test/support/weekly-builder.ts); none by default. */
    weeklyReportBuilder?: (db: Db) => WeeklyReportBuilder;
    /** True to start scheduled jobs as serving Dials does; tests run them themselves by default. */
    scheduleJobs?: boolean;
  } = {},
): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-test-'));
  const mail = new Mailbox();
  await mail.start();
  const config = loadConfig({ DATA_DIR: dataDir, SMTP_URL: mail.url, ...environment });
  const db = openDatabase(config.databaseFile, { exclusive: config.exclusiveDatabase });
  applyMigrations(db);
  const clock = {
    now: Date.parse('2026-03-10T14:05:00Z'),
    advance(ms: number) {
      clock.now += ms;
    },
  };
  // Notification work waits for the test to dispatch it (services.dispatcher.runOnce()), unless asked otherwise.
  const app = await buildApp(config, {
    db,
    now: () => clock.now,
    logger: options.logger as never,
    dispatchInBackground: options.dispatchInBackground ?? false,
    scheduleJobs: options.scheduleJobs ?? false,
    ...(options.weeklyReportBuilder ? { weeklyReportBuilder: options.weeklyReportBuilder(db) } : {}),
    ...(options.afterReply ? { afterReply: options.afterReply } : {}),
  });
  await app.ready();
  mailboxes.set(app, mail);
  return {
    mail,
    app,
    db,
    config,
    clock,
    async close() {
      await app.close();
      await mail.stop();
      closeDatabase(db);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
