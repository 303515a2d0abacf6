// node bench/notifications.ts [--fan-out] [--mail-worker] [--profile]   (npm run bench -- --notifications)
// The notification dispatcher's and the mail worker's figures, measured in this process on a fresh
// data directory with the real migrations and services:
// - fan-out: one finished build to an organization of 10 000 members who all want build e-mails,
//   from the dispatcher's runOnce() start to its outbox rows committed (goal: under 1 s on one core);
// - the mail worker: messages handed to a local SMTP server (smtp-server, in a child process so the
//   two do not share one core's event loop) per second (goal: at least 200).
// With --profile, the fan-out runs under the inspector's CPU profiler and its hottest functions are listed.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { closeDatabase, openDatabase, sqliteOf } from '../src/db/client.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { systemActor } from '../src/lib/actor.ts';
import { summariseProfile } from './profile-summary.ts';

export const fanOutMembers = 10_000;
export const fanOutGoalMs = 1000;
export const workerMessages = 1000;
export const workerGoalPerSecond = 200;

/** A Dials' services on a fresh data directory; `smtpUrl` gives it a mail worker (stopped until asked). */
async function freshDials(environment: Record<string, string> = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-bench-notify-'));
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...environment });
  const db = openDatabase(config.databaseFile, { exclusive: config.exclusiveDatabase });
  applyMigrations(db);
  const app = await buildApp(config, { db, logger: false, dispatchInBackground: false });
  await app.ready();
  return {
    app,
    db,
    async close() {
      await app.close();
      closeDatabase(db);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * An organization of `members` people (and its owner), each with a confirmed address and build e-mails
 * on for successful and failed builds; a third read German, a third French, in their own zones.
 * Written straight into the tables, in one transaction: making 10 000 accounts through sign-up is not what is measured.
 */
async function organizationOf(dials: Awaited<ReturnType<typeof freshDials>>, members: number) {
  const { services } = dials.app;
  const owner = await services.users.create({ email: 'owner@bench.test', name: 'Owner', passwordHash: 'not a hash', activated: true }, async () => undefined);
  const actor = systemActor(owner.id, 'bench');
  const organization = await services.platform.organizations.create(actor, { name: 'Bench', slug: 'bench' });
  if (!organization.ok) throw new Error(organization.reason);
  const project = await services.platform.organizations.createProject(actor, 'bench', { name: 'Web', slug: 'web' });
  const pipeline = await services.platform.organizations.createPipeline(actor, 'bench', 'web', { name: 'main' });
  if (!project.ok || !pipeline.ok) throw new Error('no project or pipeline');
  const sqlite = sqliteOf(dials.db);
  const now = Date.now();
  const addUser = sqlite.prepare('insert into users (email, name, password_hash, created_at) values (?, ?, ?, ?)');
  const addEmail = sqlite.prepare('insert into user_emails (user_id, address, verified_at, is_primary, created_at) values (?, ?, ?, 1, ?)');
  const addMember = sqlite.prepare("insert into organization_members (organization_id, user_id, role, joined_at) values (?, ?, 'member', ?)");
  const addSetting = sqlite.prepare("insert into notification_settings (user_id, type, scope, scope_id, value, updated_at) values (?, 'buildEmails', 'user', 0, 'both', ?)");
  const addPreferences = sqlite.prepare('insert into account_settings (user_id, language, timezone, clock_24h, date_format) values (?, ?, ?, ?, ?)');
  sqlite.transaction(() => {
    for (let i = 0; i < members; i++) {
      const email = `member${i}@bench.test`;
      const userId = Number(addUser.run(email, `Member ${i}`, 'not a hash', now).lastInsertRowid);
      addEmail.run(userId, email, now, now);
      addMember.run(organization.organization.id, userId, now);
      addSetting.run(userId, now);
      if (i % 3 === 1) addPreferences.run(userId, 'de', 'Europe/Berlin', 1, 'iso');
      if (i % 3 === 2) addPreferences.run(userId, 'fr', 'Europe/Paris', 1, 'iso');
    }
  })();
  return { actor, pipelineId: pipeline.pipeline.id };
}

/** One finished build reported to the organization, its notification work waiting. */
async function reportBuild(dials: Awaited<ReturnType<typeof freshDials>>, organization: Awaited<ReturnType<typeof organizationOf>>, buildId: string) {
  const at = Date.now() - 1000;
  const reported = await dials.app.services.platform.reports.build(
    organization.actor,
    'bench',
    {
      pipelineId: organization.pipelineId,
      buildId,
      status: 'failed',
      trigger: 'push',
      startedAt: new Date(at - 60_000),
      finishedAt: new Date(at),
      commit: { sha: '9fceb02d0ae598e95dc970b74767f19372d61af8', message: 'Speed up the flux capacitor', authorName: 'Ada Lovelace', authorEmail: 'ada@bench.test' },
      startedBy: null,
    },
    { eventId: `bench-${buildId}`, idempotencyKey: null, digest: buildId, answer: () => ({ status: 201, body: '{}' }) },
  );
  if (!reported.ok) throw new Error('the build was not reported');
}

export interface FanOutResult {
  members: number;
  queued: number;
  /** Each run's time, from runOnce() start to its outbox rows committed. */
  runsMs: number[];
  bestMs: number;
  /** The CPU time this process spent in each run (on a shared machine, wall time also counts others' work). */
  cpuMs: number[];
  bestCpuMs: number;
}

/** Fan-out of one build to `members` members, measured `runs` times (a fresh build each time, on the same organization); the best run counts. */
export async function measureFanOut(options: { members?: number; runs?: number; profileFile?: string | null } = {}): Promise<FanOutResult> {
  const members = options.members ?? fanOutMembers;
  const dials = await freshDials();
  try {
    const organization = await organizationOf(dials, members);
    const runsMs: number[] = [];
    const cpuMs: number[] = [];
    let queued = 0;
    const session = options.profileFile ? new inspector.Session() : null;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    for (let run = 0; run < (options.runs ?? 3); run++) {
      await reportBuild(dials, organization, `build-${run}`);
      const started = performance.now();
      const cpu = process.cpuUsage();
      const result = await dials.app.services.dispatcher.runOnce();
      runsMs.push(performance.now() - started);
      const used = process.cpuUsage(cpu);
      cpuMs.push((used.user + used.system) / 1000);
      queued = result.queued;
      if (result.queued !== members + 0) throw new Error(`expected ${members} messages queued, got ${result.queued}`);
    }
    if (session && options.profileFile) {
      const { profile } = await session.post('Profiler.stop');
      fs.writeFileSync(options.profileFile, JSON.stringify(profile));
      session.disconnect();
    }
    const outbox = Number((sqliteOf(dials.db).prepare("select count(*) as n from mail_outbox where kind = 'build-email'").get() as { n: number }).n);
    if (outbox !== members * runsMs.length) throw new Error(`expected ${members * runsMs.length} build e-mails in the outbox, found ${outbox}`);
    return { members, queued, runsMs, bestMs: Math.min(...runsMs), cpuMs, bestCpuMs: Math.min(...cpuMs) };
  } finally {
    await dials.close();
  }
}

/** A local SMTP server in a child process (bench/smtp-sink.ts) that accepts and counts every message. */
async function startSink(delayMs = 0): Promise<{ url: string; received(): Promise<number>; stop(): Promise<void>; child: ChildProcess }> {
  const child = fork(new URL('./smtp-sink.ts', import.meta.url), [String(delayMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the SMTP sink stopped (${code})`)));
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    child,
    received: () =>
      new Promise<number>((resolve) => {
        child.once('message', (message) => resolve((message as { received: number }).received));
        child.send('count');
      }),
    stop: async () => {
      child.kill();
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

export interface WorkerResult {
  messages: number;
  seconds: number;
  perSecond: number;
  received: number;
}

/** The mail worker sending `messages` queued notifications to a local SMTP server: messages per second, from start to the last marked sent. */
export async function measureMailWorker(options: { messages?: number } = {}): Promise<WorkerResult> {
  const messages = options.messages ?? workerMessages;
  const sink = await startSink();
  const dials = await freshDials({ SMTP_URL: sink.url });
  try {
    const worker = dials.app.services.mailWorker;
    if (!worker) throw new Error('no mail worker');
    await worker.stop();
    const { outbox } = dials.app.services;
    for (let i = 0; i < messages; i++) {
      await outbox.enqueue({ to: `member${i}@bench.test`, subject: `Build failed: main in Web (${i})`, kind: 'build-email', text: 'The build 4711 failed.\n'.repeat(20), html: '<p>The build 4711 failed.</p>'.repeat(20), unsubscribeUrl: `http://localhost/unsubscribe/${i}` });
    }
    const sqlite = sqliteOf(dials.db);
    const sent = () => Number((sqlite.prepare("select count(*) as n from mail_outbox where status = 'sent'").get() as { n: number }).n);
    const started = performance.now();
    worker.start();
    while (sent() < messages) {
      if (performance.now() - started > 120_000) throw new Error(`only ${sent()} of ${messages} sent in two minutes`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    await worker.stop();
    return { messages, seconds, perSecond: messages / seconds, received: await sink.received() };
  } finally {
    await dials.close();
    await sink.stop();
  }
}

export function printFanOut(result: FanOutResult): void {
  const verdict = result.bestMs < fanOutGoalMs ? 'meets' : 'MISSES';
  console.log(
    `Fan-out: one finished build to ${result.members.toLocaleString('en')} members who all want build e-mails: ` +
      `${result.bestMs.toFixed(0)} ms from runOnce() to ${result.queued.toLocaleString('en')} outbox rows committed (runs: ${result.runsMs.map((ms) => ms.toFixed(0)).join(', ')} ms; ` +
      `CPU time ${result.cpuMs.map((ms) => ms.toFixed(0)).join(', ')} ms); ` +
      `${verdict} the goal of under ${fanOutGoalMs} ms.`,
  );
}

export function printMailWorker(result: WorkerResult): void {
  const verdict = result.perSecond >= workerGoalPerSecond ? 'meets' : 'MISSES';
  console.log(
    `Mail worker: ${result.messages.toLocaleString('en')} messages to a local SMTP server in ${result.seconds.toFixed(2)} s: ` +
      `${result.perSecond.toFixed(0)} messages/s (the server received ${result.received}); ${verdict} the goal of ${workerGoalPerSecond}/s.`,
  );
}

/** Both figures, or the one asked for; from bench/run.ts (--notifications) or on its own. */
export async function runNotificationBench(argv: readonly string[]): Promise<boolean> {
  const fanOutOnly = argv.includes('--fan-out');
  const workerOnly = argv.includes('--mail-worker');
  const profileFile = argv.includes('--profile') ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dials-bench-')), 'fan-out.cpuprofile') : null;
  let ok = true;
  if (!workerOnly) {
    const fanOut = await measureFanOut({ profileFile });
    printFanOut(fanOut);
    if (profileFile) {
      console.log(`Profile of the fan-out runs: ${profileFile}`);
      summariseProfile(profileFile);
    }
    ok &&= fanOut.bestMs < fanOutGoalMs;
  }
  if (!fanOutOnly) {
    const worker = await measureMailWorker();
    printMailWorker(worker);
    ok &&= worker.perSecond >= workerGoalPerSecond && worker.received === worker.messages;
  }
  return ok;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(`Dials notification bench: Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores.`);
  process.exitCode = (await runNotificationBench(process.argv.slice(2))) ? 0 : 1;
}
