// node bench/weekly-reports.ts [--people 100000] [--organizations 1000] [--builder <module>#<export>] [--whole-app] [--profile]
// A week of weekly reports for 100 000 people in 1 000 organizations (100 members each, a project and
// 5 builds each in the week), generated and queued in the outbox by one run of the weekly reports job,
// in a process of its own pinned to one core; its time and peak resident memory against the goals
// (60 s, 200 MB). The data is written first by this process; the run is measured in a fresh one,
// with every service loaded, or with --whole-app the whole app as `npm start` serves it.
//
// The builder is named as `<module>#<export>` (a function of the database answering a
// WeeklyReportBuilder). By default, Dials' own (src/reports/weekly-builder.ts, createWeeklyReportBuilder)
// when it exists, else the tests' stand-in (test/support/weekly-builder.ts), whose figure is a lower bound.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const goalSeconds = 60;
const goalRssMb = 200;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
};
const people = Number(argument('people', '100000'));
const organizationCount = Number(argument('organizations', '1000'));
const realBuilder = 'src/reports/weekly-builder.ts#createWeeklyReportBuilder';
const standIn = 'test/support/weekly-builder.ts#createStandInBuilder';
const wholeApp = process.argv.includes('--whole-app');
const builderName = argument('builder', fs.existsSync(path.join(root, realBuilder.split('#')[0]!)) ? realBuilder : standIn);

/** Monday 7 December 2026 is in 2026-W50; the run is on Tuesday noon UTC, when every zone's Monday 09:00 has passed and W49's reports are due. */
const runAt = Date.parse('2026-12-08T12:00:00Z');
const weekDay = Date.parse('2026-12-02T12:00:00Z');
const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Kathmandu', 'UTC', 'Australia/Sydney', 'America/Los_Angeles', 'Asia/Tokyo', 'Europe/Paris'];

async function seed(dataDir: string): Promise<string> {
  const { loadConfig } = await import('../src/config.ts');
  const { openDatabase, closeDatabase, sqliteOf } = await import('../src/db/client.ts');
  const { applyMigrations } = await import('../src/db/migrate.ts');
  const config = loadConfig({ DATA_DIR: dataDir, SMTP_URL: '' });
  const db = openDatabase(config.databaseFile);
  applyMigrations(db);
  const sqlite = sqliteOf(db);
  const perOrganization = Math.ceil(people / organizationCount);
  sqlite.transaction(() => {
    const user = sqlite.prepare("insert into users (id, email, name, password_hash, created_at) values (?, ?, ?, 'x', 0)");
    const address = sqlite.prepare('insert into user_emails (user_id, address, verified_at, is_primary, created_at) values (?, ?, 0, 1, 0)');
    const account = sqlite.prepare("insert into account_settings (user_id, language, timezone) values (?, ?, ?)");
    for (let id = 1; id <= people; id++) {
      const email = `person${id}@bench.example`;
      user.run(id, email, `Person ${id}`);
      address.run(id, email);
      account.run(id, ['en', 'de', 'fr'][id % 3], zones[id % zones.length]);
    }
    const organization = sqlite.prepare('insert into organizations (id, name, slug, created_at) values (?, ?, ?, 0)');
    const member = sqlite.prepare("insert into organization_members (organization_id, user_id, role, joined_at) values (?, ?, 'member', 0)");
    const project = sqlite.prepare("insert into projects (id, organization_id, name, slug, created_at) values (?, ?, 'Web', 'web', 0)");
    const pipeline = sqlite.prepare("insert into pipelines (id, project_id, name, created_at) values (?, ?, 'main', 0)");
    const build = sqlite.prepare(
      "insert into builds (organization_id, pipeline_id, external_id, status, \"trigger\", started_at, finished_at, commit_sha, commit_message, commit_author_name, commit_author_email, updated_at) values (?, ?, ?, ?, 'push', ?, ?, 'abc', 'change', 'Ada', 'ada@example.com', 0)",
    );
    for (let id = 1; id <= organizationCount; id++) {
      organization.run(id, `Organization ${id}`, `org-${id}`);
      project.run(id, id);
      pipeline.run(id, id);
      for (let index = 0; index < 5; index++) build.run(id, id, `b${index}`, index === 3 ? 'failed' : 'success', weekDay + index * 3_600_000 - 120_000, weekDay + index * 3_600_000);
      for (let userId = (id - 1) * perOrganization + 1; userId <= Math.min(people, id * perOrganization); userId++) member.run(id, userId);
    }
  })();
  closeDatabase(db);
  return config.databaseFile;
}

/** The measured part: one run of the job over the seeded file. Prints its figures as one JSON line. */
async function measure(dataDir: string): Promise<void> {
  // As `npm start` does, before the database layer loads (src/module-hooks.ts).
  const { registerModuleHooks } = await import('../src/module-hooks.ts');
  registerModuleHooks();
  const { loadConfig } = await import('../src/config.ts');
  const { openDatabase, closeDatabase, sqliteOf } = await import('../src/db/client.ts');
  const { createServices } = await import('../src/services.ts');
  const { loadOrCreateInstanceSecret } = await import('../src/lib/instance-secret.ts');
  const [modulePath, exportName] = builderName.split('#') as [string, string];
  const builderModule = (await import(pathToFileURL(path.join(root, modulePath)).href)) as Record<string, (db: unknown) => never>;
  const makeBuilder = builderModule[exportName];
  if (typeof makeBuilder !== 'function') throw new Error(`${builderName}: no such export`);
  const config = loadConfig({ DATA_DIR: dataDir, SMTP_URL: '' });
  const db = openDatabase(config.databaseFile);
  const quiet = { info: () => {}, warn: (details: object, message: string) => console.error(message, details), error: (details: object, message: string) => console.error(message, details) };
  let services = createServices(config, db, () => runAt, loadOrCreateInstanceSecret(config.dataDir), quiet, makeBuilder(db));
  if (wholeApp) {
    // As `npm start` serves: every route and template loaded, and the write-ahead log checkpointed on its timer.
    const { buildApp } = await import('../src/app.ts');
    const { scheduleWalCheckpoints } = await import('../src/db/checkpoints.ts');
    const app = await buildApp(config, { db, now: () => runAt, weeklyReportBuilder: makeBuilder(db), scheduleJobs: false });
    await app.ready();
    scheduleWalCheckpoints(db);
    services = app.services;
  }
  let peakRss = process.memoryUsage().rss;
  const rssBefore = peakRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  const counts = await services.weeklyReports!.run('schedule');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const queued = (sqliteOf(db).prepare("select count(*) as n from mail_outbox where kind = 'weekly-report'").get() as { n: number }).n;
  closeDatabase(db);
  console.log(JSON.stringify({ seconds, cpuSeconds, heapMb: process.memoryUsage().heapUsed / 2 ** 20, rssBeforeMb: rssBefore / 2 ** 20, peakRssMb: peakRss / 2 ** 20, queued, ...counts }));
}

if (process.env.WEEKLY_BENCH_DATA_DIR) {
  await measure(process.env.WEEKLY_BENCH_DATA_DIR);
} else {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-weekly-bench-'));
  try {
    console.log(`Weekly reports: ${people} people in ${organizationCount} organizations, builder ${builderName}${wholeApp ? ', the whole app loaded' : ''} …`);
    const seedStarted = Date.now();
    await seed(dataDir);
    console.log(`  data written in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s; measuring one run on one core …`);
    const profileDir = process.argv.includes('--profile') ? fs.mkdtempSync(path.join(os.tmpdir(), 'dials-weekly-profile-')) : null;
    // The flags `npm start` gives Node (a small young generation).
    const extraFlags = (process.env.WEEKLY_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const node = [process.execPath, '--max-semi-space-size=1', ...extraFlags, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), fileURLToPath(import.meta.url), ...process.argv.slice(2)];
    const pinned = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
    const command = pinned ? ['taskset', '-c', '0', ...node] : node;
    const child = spawnSync(command[0]!, command.slice(1), { env: { ...process.env, NODE_ENV: 'production', WEEKLY_BENCH_DATA_DIR: dataDir }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const line = child.stdout.trim().split('\n').at(-1) ?? '';
    const result = JSON.parse(line) as { seconds: number; cpuSeconds: number; heapMb: number; rssBeforeMb: number; peakRssMb: number; queued: number; sent: number; skipped: number; failures: number };
    const ok = result.seconds < goalSeconds && result.peakRssMb < goalRssMb && result.queued === people && result.failures === 0;
    console.log(
      `  ${result.queued} reports queued (${result.sent} sent, ${result.skipped} skipped, ${result.failures} failures) in ${result.seconds.toFixed(1)} s (${result.cpuSeconds.toFixed(1)} s of CPU) ` +
        `(goal < ${goalSeconds} s), peak RSS ${result.peakRssMb.toFixed(0)} MB (at start ${result.rssBeforeMb.toFixed(0)} MB, heap at the end ${result.heapMb.toFixed(0)} MB; goal < ${goalRssMb} MB)${pinned ? ', pinned to core 0' : ''}: ${ok ? 'met' : 'NOT met'}`,
    );
    if (!ok) process.exitCode = 1;
    if (profileDir) {
      const { summariseProfile } = await import('./profile-summary.ts');
      for (const file of fs.readdirSync(profileDir)) summariseProfile(path.join(profileDir, file));
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
