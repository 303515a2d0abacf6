// npm run bench [-- --profile]
// How close the real Dials comes to bare Fastify on the same machine: the account page and
// its auto-saves against a one-line GET and POST; and build events accepted per second through the
// event API (a finished build with a fresh event id each time, the API key checked), against a
// goal of its own. Servers run in their own pinned processes;
// the scenarios are measured in turn, then again, and the better round of each counts.
// Then forgot-password's time to answer, for a known and an unknown address, side by side.
// Then start-up, memory and latency at a steady rate (bench/startup.ts); `-- --startup` runs only that part,
// `-- --events` only the build events, next to the plain API call; `-- --notifications` only the
// dispatcher's fan-out and the mail worker (bench/notifications.ts; add `--fan-out` or `--mail-worker` for one).
// Then a week of weekly reports for 100 000 people (bench/weekly-reports.ts); `-- --weekly-reports` runs only that.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeApiKey, setUpAdministrator, type SignedInBrowser } from './browser.ts';
import { measureForgotPasswordTiming, printForgotPasswordTiming } from './forgot-password-timing.ts';
import { runNotificationBench } from './notifications.ts';
import { bestOf, measure, type LoadSettings, type Measurement } from './load.ts';
import { summariseProfile } from './profile-summary.ts';
import { judge, printRateGoals, printReport, type Comparison, type RateGoal } from './report.ts';
import { autoSave, checkSample, formContentType, type Scenario } from './scenario.ts';
import { pinThisProcess, startServer, type ServerProcess } from './server-process.ts';
import { measureStartup, printStartupReport } from './startup.ts';

const goal = 0.15;
const knownAddress = 'ada@example.test';
const rounds = 2;
const settings: LoadSettings = { warmUpSeconds: 1, seconds: 4, connections: 10 };
const profile = process.argv.includes('--profile');
const startupOnly = process.argv.includes('--startup');
const eventsOnly = process.argv.includes('--events');
const notificationsOnly = process.argv.includes('--notifications');
const weeklyReportsOnly = process.argv.includes('--weekly-reports');

/** The weekly reports case, in processes of its own (it writes its data, then measures one run on one core). */
function measureWeeklyReports(): void {
  console.log('');
  const run = spawnSync(process.execPath, [path.join(path.dirname(new URL(import.meta.url).pathname), 'weekly-reports.ts')], { stdio: 'inherit' });
  if (run.status !== 0) process.exitCode = 1;
}

const changingSaveLabel = 'Dials auto-save preferences, stack order changed each time';
const freshPageLabel = 'Dials GET /settings/account, rendered afresh';
const issuePageLabel = 'Dials GET issue page (50-frame stack trace)';
const comparisons: Comparison[] = [
  { measured: 'Dials GET /settings/account', baseline: 'bare GET' },
  // The page as a first visit finds it: rendered, not given again as last sent (src/web/held-pages.ts).
  { measured: freshPageLabel, baseline: 'bare GET', goal: null },
  { measured: 'Dials GET /api/v1/user (API key)', baseline: 'bare GET', goal: 0.25 },
  { measured: 'Dials auto-save details', baseline: 'bare POST' },
  { measured: 'Dials auto-save preferences', baseline: 'bare POST' },
  // A choice changed each time: the row really written, and the part that shows it swapped in.
  { measured: changingSaveLabel, baseline: 'bare POST', goal: null },
  // Shown next to the bare route, with no goal of its own (the README says why).
  { measured: issuePageLabel, baseline: 'bare GET', goal: null },
];

const buildEventsLabel = 'Dials POST /api/v1/orgs/{org}/builds (build events)';
const rateGoals: RateGoal[] = [{ measured: buildEventsLabel, name: 'build events accepted', unit: 'events/s', goal: 2000 }];

function bareScenarios(url: string): Scenario[] {
  return [
    { label: 'bare GET', url, method: 'GET', headers: {}, expect: { status: 200, bodyIncludes: 'hello' } },
    {
      label: 'bare POST',
      url,
      method: 'POST',
      headers: { 'content-type': formContentType },
      body: new URLSearchParams({ name: 'Grace Hopper' }).toString(),
      expect: { status: 200, bodyIncludes: 'saved' },
    },
  ];
}

/**
 * A finished build reported to an organization through the event API, each with a fresh event
 * and build id (autocannon writes a new id wherever the body says `[<id>]`): the whole report,
 * key check, validation, idempotency record and notification work included.
 */
async function buildEventsScenario(baseUrl: string, apiKey: string): Promise<Scenario> {
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${baseUrl}/api/v1${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const answer = (await response.json()) as { id?: number };
    if (response.status !== 201) throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer;
  };
  await post('/orgs', { name: 'Bench', slug: 'bench' });
  await post('/orgs/bench/projects', { name: 'Web', slug: 'web' });
  const pipeline = await post('/orgs/bench/projects/web/pipelines', { name: 'main' });
  const finishedAt = Date.now() - 1000;
  return {
    label: buildEventsLabel,
    url: `${baseUrl}/api/v1/orgs/bench/builds`,
    method: 'POST',
    headers,
    body: JSON.stringify({
      eventId: '[<id>]',
      pipelineId: pipeline.id,
      buildId: '[<id>]',
      status: 'success',
      trigger: 'push',
      startedAt: new Date(finishedAt - 90_000).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
      commit: { sha: '9fceb02d0ae598e95dc970b74767f19372d61af8', message: 'Speed up the flux capacitor', authorName: 'Ada Lovelace', authorEmail: knownAddress },
    }),
    freshIds: true,
    expect: { status: 201, bodyIncludes: '"status":"success"' },
  };
}

/** An issue whose latest event has a 50-frame stack trace, reported through the API, and its page as its owner sees it. */
async function issuePageScenario(baseUrl: string, apiKey: string, cookie: string): Promise<Scenario> {
  const frames = Array.from({ length: 50 }, (_, index) => ({ file: `src/layer-${index}/module.ts`, function: `step${index}`, line: 10 + index, inApp: index % 3 !== 0 }));
  const response = await fetch(`${baseUrl}/api/v1/orgs/bench/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ eventId: 'bench-issue', project: 'web', level: 'error', occurredAt: new Date(Date.now() - 60_000).toISOString(), title: 'TypeError: the flux is undefined', message: 'while reading the flux', frames }),
  });
  const answer = (await response.json()) as { issue?: { id: number } };
  if (response.status !== 201 || !answer.issue) throw new Error(`POST /events answered ${response.status}: ${JSON.stringify(answer)}`);
  return { label: issuePageLabel, url: `${baseUrl}/orgs/bench/issues/${answer.issue.id}`, method: 'GET', headers: { cookie }, expect: { status: 200, bodyIncludes: 'step49' } };
}

/** Waits until the server has stopped working (the notifications of thousands of build events dispatched), so the next measurement is its own. */
async function settle(server: ServerProcess): Promise<void> {
  let before = server.cpuSeconds();
  for (let waited = 0; waited < 30_000; waited += 250) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = server.cpuSeconds();
    if (now === null || before === null || now - before < 0.01) return;
    before = now;
  }
}

/** Every field of the preferences block but the stack-trace order and what the block shows. */
const preferences = { shownLanguage: 'en', language: 'en', timezone: 'Europe/Berlin', clock24h: 'on', dateFormat: 'iso', theme: 'dark' };

/**
 * The stack-trace order switched back and forth, each save from a block that shows the other order
 * (as the page's block does after the save before): the row is written each time and the answer
 * swaps in the stack-trace preview and what the block now shows.
 */
function changingSave(baseUrl: string, browser: SignedInBrowser): Scenario {
  const [first, second] = (['caller-first', 'caller-last'] as const).map((order, index, both) =>
    autoSave(baseUrl, browser, changingSaveLabel, '/settings/account/preferences', { ...preferences, stackTraceOrder: order, shownState: `en|Europe/Berlin|24|iso|${both[1 - index]}` }),
  );
  return { ...first!, alternateBodies: [first!.body!, second!.body!] };
}

async function dialsScenarios(baseUrl: string, setupPath: string | null): Promise<Scenario[]> {
  const browser = await setUpAdministrator(baseUrl, setupPath, { name: 'Ada Lovelace', email: knownAddress, password: 'correct horse battery staple' });
  const apiKey = await makeApiKey(baseUrl, browser);
  const reportingKey = await makeApiKey(baseUrl, browser, { organizations: 'write', projects: 'write', pipelines: 'write', builds: 'write', issues: 'write' });
  const buildEvents = await buildEventsScenario(baseUrl, reportingKey);
  const issuePage = await issuePageScenario(baseUrl, reportingKey, browser.cookie);
  return [
    {
      label: 'Dials GET /settings/account',
      url: `${baseUrl}/settings/account`,
      method: 'GET',
      headers: { cookie: browser.cookie },
      expect: { status: 200, bodyIncludes: 'id="account-details"' },
    },
    {
      // Anything in the address makes the page rendered each time.
      label: freshPageLabel,
      url: `${baseUrl}/settings/account?afresh`,
      method: 'GET',
      headers: { cookie: browser.cookie },
      expect: { status: 200, bodyIncludes: 'id="account-details"' },
    },
    {
      label: 'Dials GET /api/v1/user (API key)',
      url: `${baseUrl}/api/v1/user`,
      method: 'GET',
      headers: { authorization: `Bearer ${apiKey}` },
      expect: { status: 200, bodyIncludes: '"name":"Ada Lovelace"' },
    },
    autoSave(baseUrl, browser, 'Dials auto-save details', '/settings/account/details', { name: 'Grace Hopper' }),
    // Every field the page's block sends once these choices are saved and shown (its shownState
    // says so), as when a person sends their choices again: the answer swaps in only the status.
    autoSave(baseUrl, browser, 'Dials auto-save preferences', '/settings/account/preferences', { ...preferences, stackTraceOrder: 'caller-last', shownState: 'en|Europe/Berlin|24|iso|caller-last' }),
    changingSave(baseUrl, browser),
    buildEvents,
    issuePage,
  ];
}

/** Checks a sample answer of every scenario, then measures them all, `rounds` times over, each Dials one next to its baseline. */
async function measureAll(bare: ServerProcess, dials: ServerProcess): Promise<Measurement[]> {
  const [bareGet, barePost] = bareScenarios(bare.url).map((scenario) => ({ scenario, server: bare }));
  const [page, freshPage, api, details, preferences, changing, buildEvents, issuePage] = (await dialsScenarios(dials.url, dials.setupPath)).map((scenario) => ({ scenario, server: dials }));
  const order = [bareGet!, page!, freshPage!, api!, issuePage!, barePost!, details!, preferences!, changing!, buildEvents!];
  for (const { scenario } of order) await checkSample(scenario);
  const results = order.map((): Measurement[] => []);
  for (let round = 1; round <= rounds; round++) {
    for (const [index, { scenario, server }] of order.entries()) {
      process.stdout.write(`  round ${round}/${rounds}: ${scenario.label} …\n`);
      results[index]!.push(await measure(scenario, settings, { warmUp: round === 1, serverCpuSeconds: server.cpuSeconds }));
      if (scenario === buildEvents!.scenario) await settle(dials);
    }
  }
  return results.map(bestOf);
}

async function measureThroughput(pinning: ReturnType<typeof pinThisProcess>, servers: ServerProcess[]): Promise<void> {
  console.log(
    `Each scenario: ${settings.warmUpSeconds} s warm-up, then ${rounds} rounds of ${settings.seconds} s with ${settings.connections} connections; the better round counts.`,
  );
  const [load = 0] = os.loadavg();
  if (load > 0.5) console.log(`The machine is busy (load average ${load.toFixed(1)}): req/s will wobble; the server-CPU ratios are steadier.`);
  const profileFile = profile ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dials-bench-')), 'dials-server.cpuprofile') : null;
  if (profileFile) console.log(`Profiling the Dials server into ${profileFile} (the profiler slows it down).`);

  const bare = await startServer('bare.ts', pinning);
  servers.push(bare);
  const dials = await startServer('dials.ts', pinning, profileFile ? { BENCH_PROFILE_FILE: profileFile } : {});
  servers.push(dials);
  const measurements = await measureAll(bare, dials);
  process.stdout.write('  forgot password, known and unknown addresses …\n');
  const forgotPassword = await measureForgotPasswordTiming(dials.url, knownAddress);
  await Promise.all(servers.map((server) => server.stop())); // a profile is written as its server stops

  printReport(measurements, judge(measurements, comparisons, goal), goal);
  printRateGoals(measurements, rateGoals);
  printForgotPasswordTiming(forgotPassword);
  if (profileFile) summariseProfile(profileFile);
  if (measurements.some((measurement) => measurement.failures > 0)) process.exitCode = 1;
}

/** Only the build events through the event API, against their goal, next to the plain API call (the same key check, nothing written). */
async function measureEvents(pinning: ReturnType<typeof pinThisProcess>, servers: ServerProcess[]): Promise<void> {
  const dials = await startServer('dials.ts', pinning);
  servers.push(dials);
  const all = await dialsScenarios(dials.url, dials.setupPath);
  const scenarios = all.filter((scenario) => scenario.label === buildEventsLabel || scenario.url.endsWith('/api/v1/user'));
  for (const scenario of scenarios) await checkSample(scenario);
  const results = scenarios.map((): Measurement[] => []);
  for (let round = 1; round <= rounds; round++) {
    for (const [index, scenario] of scenarios.entries()) {
      process.stdout.write(`  round ${round}/${rounds}: ${scenario.label} …\n`);
      results[index]!.push(await measure(scenario, settings, { warmUp: round === 1, serverCpuSeconds: dials.cpuSeconds }));
    }
  }
  const best = results.map(bestOf);
  printReport(best, [], goal);
  printRateGoals(best, rateGoals);
  if (best.some((measurement) => measurement.failures > 0)) process.exitCode = 1;
}

const pinning = pinThisProcess();
const servers: ServerProcess[] = [];
try {
  console.log(`Dials bench: Node ${process.version}, ${pinning.cores} cores, ${pinning.note}.`);
  if (notificationsOnly) {
    if (!(await runNotificationBench(process.argv.slice(2)))) process.exitCode = 1;
  } else if (eventsOnly) {
    await measureEvents(pinning, servers);
  } else if (weeklyReportsOnly) {
    measureWeeklyReports();
  } else {
    if (!startupOnly) await measureThroughput(pinning, servers);
    console.log('\nStart-up, memory, and latency at a steady rate …');
    const startup = await measureStartup(pinning);
    printStartupReport(startup);
    if (startup.memory.mixedFailures > 0 || startup.openLoop.some(({ first, after }) => first.failures + after.failures > 0)) process.exitCode = 1;
    if (!startupOnly) {
      measureWeeklyReports();
      if (!(await runNotificationBench([]))) process.exitCode = 1;
    }
  }
} catch (error) {
  console.error('\nThe bench could not run:', error);
  process.exitCode = 1;
} finally {
  await Promise.all(servers.map((server) => server.stop()));
}
