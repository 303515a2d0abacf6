// npm run bench [-- --profile]
// How close the real Dials comes to bare Fastify on the same machine: the account page and
// its auto-saves against a one-line GET and POST. Servers run in their own pinned processes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signUp } from './browser.ts';
import { measure, type LoadSettings, type Measurement } from './load.ts';
import { summariseProfile } from './profile-summary.ts';
import { judge, printReport, type Comparison } from './report.ts';
import { checkSample, formContentType, type Scenario } from './scenario.ts';
import { pinThisProcess, startServer } from './server-process.ts';

const goal = 0.15;
const settings: LoadSettings = { warmUpSeconds: 1, seconds: 5, connections: 10 };
const profile = process.argv.includes('--profile');

const comparisons: Comparison[] = [
  { measured: 'Dials GET /settings/account', baseline: 'bare GET' },
  { measured: 'Dials auto-save details', baseline: 'bare POST' },
  { measured: 'Dials auto-save preferences', baseline: 'bare POST' },
];

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

async function dialsScenarios(baseUrl: string): Promise<Scenario[]> {
  const browser = await signUp(baseUrl, { name: 'Ada Lovelace', email: 'ada@example.test', password: 'correct horse battery staple' });
  // What htmx sends when a field changes: the whole form block (its hidden _csrf included), the token header from <body hx-headers>.
  const autoSave = (label: string, path: string, fields: Record<string, string>): Scenario => ({
    label,
    url: `${baseUrl}${path}`,
    method: 'POST',
    headers: {
      cookie: browser.cookie,
      'content-type': formContentType,
      'hx-request': 'true',
      'hx-current-url': `${baseUrl}/settings/account`,
      'x-csrf-token': browser.csrfToken,
    },
    body: new URLSearchParams({ _csrf: browser.csrfToken, ...fields }).toString(),
    expect: { status: 200, bodyIncludes: 'Saved' },
  });
  return [
    {
      label: 'Dials GET /settings/account',
      url: `${baseUrl}/settings/account`,
      method: 'GET',
      headers: { cookie: browser.cookie },
      expect: { status: 200, bodyIncludes: 'id="account-details"' },
    },
    autoSave('Dials auto-save details', '/settings/account/details', { name: 'Grace Hopper' }),
    autoSave('Dials auto-save preferences', '/settings/account/preferences', {
      language: 'en',
      timezone: 'Europe/Berlin',
      clock24h: 'on',
      dateFormat: 'iso',
      theme: 'dark',
      stackTraceOrder: 'caller-last',
    }),
  ];
}

/** Starts one server, checks a sample answer of each scenario, then measures them in turn. */
async function measureServer(
  file: string,
  scenariosFor: (url: string) => Scenario[] | Promise<Scenario[]>,
  environment: Record<string, string> = {},
): Promise<Measurement[]> {
  const server = await startServer(file, pinning, environment);
  try {
    const scenarios = await scenariosFor(server.url);
    for (const scenario of scenarios) await checkSample(scenario);
    const results: Measurement[] = [];
    for (const scenario of scenarios) {
      process.stdout.write(`  measuring ${scenario.label} …\n`);
      results.push(await measure(scenario, settings));
    }
    return results;
  } finally {
    await server.stop();
  }
}

const pinning = pinThisProcess();
try {
  console.log(`Dials bench: Node ${process.version}, ${pinning.cores} cores, ${pinning.note}.`);
  console.log(`Each measurement: ${settings.warmUpSeconds} s warm-up, then ${settings.seconds} s with ${settings.connections} connections.`);
  const profileFile = profile ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dials-bench-')), 'dials-server.cpuprofile') : null;
  if (profileFile) console.log(`Profiling the Dials server into ${profileFile} (the profiler slows it down).`);

  const measurements = [
    ...(await measureServer('bare.ts', bareScenarios)),
    ...(await measureServer('dials.ts', dialsScenarios, profileFile ? { BENCH_PROFILE_FILE: profileFile } : {})),
  ];
  printReport(measurements, judge(measurements, comparisons, goal), goal);
  if (profileFile) summariseProfile(profileFile);

  const spoiled = measurements.filter((measurement) => measurement.failures > 0);
  if (spoiled.length > 0) {
    console.error(`\nError: ${spoiled.map((measurement) => `${measurement.label} had ${measurement.failures} failed requests`).join('; ')}.`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error('\nThe bench could not run:', error);
  process.exitCode = 1;
}
