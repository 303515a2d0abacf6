import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { closeDatabase, openDatabase } from '../../src/db/client.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { Mailbox } from './mailbox.ts';

export interface E2eServer {
  /** Where the browser reaches this Dials, e.g. http://127.0.0.1:40123 (no trailing slash). */
  url: string;
  app: FastifyInstance;
  /** The real SMTP server this Dials delivers its mail to (verification links, notices). */
  mail: Mailbox;
  /** The database of this Dials, for a test to set up what no page can (an old sign-in time). */
  db: ReturnType<typeof openDatabase>;
  close(): Promise<void>;
}

const mailboxes = new Map<string, Mailbox>();

const apps = new Map<string, FastifyInstance>();

/** The path of the administrator set-up link the Dials at this origin prints at start; throws once it has an administrator. */
export async function setupPathAt(origin: string): Promise<string> {
  const link = await apps.get(origin)?.services.adminSetup.startLink();
  if (!link) throw new Error(`No set-up link for the Dials at ${origin}: was it started with startDials(), and is there no administrator yet?`);
  return new URL(link).pathname;
}

/** The Dials at this origin, for helpers that must make what no page makes (the platform's reported events). */
export function appAt(origin: string): FastifyInstance | undefined {
  return apps.get(origin);
}

/** The mailbox of the Dials at this origin (e.g. a page's), for helpers that only get a page. */
export function mailboxAt(origin: string): Mailbox | undefined {
  return mailboxes.get(origin);
}

/**
 * A real, listening Dials on a fresh data directory with the real migrations.
 *
 * Unlike test/support/test-app.ts this uses the real clock (no `now` is passed): session
 * cookies carry an Expires date from the app's clock, and a real browser drops a cookie
 * whose date is already past — with the fake 2026-03-10 clock the browser would be
 * logged out straight after signing up whenever the machine's clock is later than that.
 */
export async function startDials(environment: Record<string, string> = {}): Promise<E2eServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-e2e-'));
  const mail = new Mailbox();
  let db: ReturnType<typeof openDatabase> | undefined;
  let app: FastifyInstance | undefined;
  try {
    await mail.start();
    const config = loadConfig({ DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', SMTP_URL: mail.url, ...environment });
    db = openDatabase(config.databaseFile, { exclusive: config.exclusiveDatabase });
    applyMigrations(db);
    // Weekly reports say what the tests' stand-in builder says; the test runs the job when it wants one (from /admin/jobs).
    app = await buildApp(config, { db, logger: false, scheduleJobs: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
  } catch (error) {
    await app?.close();
    await mail.stop();
    if (db) closeDatabase(db);
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error(`Dials is not listening on a TCP port: ${String(address)}`);
  const openDb = db;
  const listening = app;
  const url = `http://127.0.0.1:${address.port}`;
  mailboxes.set(url, mail);
  apps.set(url, listening);
  return {
    url,
    app: listening,
    mail,
    db: openDb,
    async close() {
      mailboxes.delete(url);
      apps.delete(url);
      await listening.close();
      await mail.stop();
      closeDatabase(openDb);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
