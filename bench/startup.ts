// node bench/startup.ts (also the last part of `npm run bench`)
// Start-up, memory and latency under a steady load, measured on `node src/main.ts` as `npm start` runs it:
//     (with the Node options the start script gives; BENCH_START_FLAGS='' measures without them)
//  1. time from spawn to the first 200 answer (GET /login), on an empty and on an existing data folder,
//     the first start with an empty compile cache (as after `npm install`), then with the cache;
//  2. resident memory and V8 heap idle, and after 10 000 mixed requests (log-in page, account page, auto-saves);
//  3. auto-save latency at a steady 500 requests a second (open loop), in the first 15 s after start and
//     after, next to a bare Fastify route under the same load.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setUpAdministrator, type SignedInBrowser } from './browser.ts';
import { openLoop, summariseWindow, type LatencySummary } from './open-loop.ts';
import { autoSave, checkSample, formContentType, type Scenario } from './scenario.ts';
import { pinThisProcess, startServer, type Pinning } from './server-process.ts';

const projectRoot = fileURLToPath(new URL('../', import.meta.url));
const memoryProbe = fileURLToPath(new URL('servers/memory-probe.ts', import.meta.url));

export interface StartupSettings {
  /** Starts measured per case, after the one with an empty compile cache; the median counts. */
  starts: number;
  mixedRequests: number;
  mixedConnections: number;
  ratePerSecond: number;
  openLoopSeconds: number;
  /** Latencies of requests due before this many seconds (after the first answer) make the "first" window. */
  firstWindowSeconds: number;
  openLoopConnections: number;
}

export const defaultStartupSettings: StartupSettings = {
  starts: 5,
  mixedRequests: 10_000,
  mixedConnections: 10,
  ratePerSecond: 500,
  openLoopSeconds: 30,
  firstWindowSeconds: 15,
  openLoopConnections: 20,
};

interface Memory {
  rssMB: number;
  heapUsedMB: number;
  heapTotalMB: number;
}

export interface StartupReport {
  /** The machine's 1-minute load average before and after: other work on it shows in every figure here. */
  loadAverage: { before: number; after: number };
  firstAnswerMs: { emptyColdCache: number; empty: number[]; existing: number[] };
  memory: { idle: Memory; afterMixed: Memory; afterMixedIdle: Memory; mixedSeconds: number; mixedFailures: number };
  openLoop: Array<{ label: string; first: LatencySummary; after: LatencySummary }>;
}

interface RunningDials {
  child: ChildProcess;
  url: string;
  /** The path of the set-up link Dials prints while it has no administrator (waits for the line). */
  setupPath(): Promise<string>;
  /** From spawn to the first 200 answer to GET /login. */
  firstAnswerMs: number;
  memory(): Promise<Memory>;
  stop(): Promise<void>;
}

/** The options `npm start` gives Node (package.json: "node <options> src/main.ts"); BENCH_START_FLAGS overrides them, to compare. */
function startFlags(): string[] {
  const override = process.env.BENCH_START_FLAGS;
  if (override !== undefined) return override.split(' ').filter(Boolean);
  const { scripts } = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = scripts.start.split(' ').filter(Boolean);
  if (words[0] !== 'node' || words.at(-1) !== 'src/main.ts') throw new Error(`npm start runs "${scripts.start}", not "node … src/main.ts"`);
  return words.slice(1, -1);
}

/** Starts `node src/main.ts` with the options of `npm start` on `dataDir`, on the server core, and waits for its first 200 answer. */
export async function startDials(dataDir: string, pinning: Pinning, environment: Record<string, string> = {}): Promise<RunningDials> {
  const memoryFile = path.join(dataDir, `memory-${process.pid}-${Date.now()}.json`);
  const node = [process.execPath, ...startFlags(), '--import', memoryProbe, path.join(projectRoot, 'src/main.ts')];
  const command = pinning.serverCore === null ? node : ['taskset', '-c', String(pinning.serverCore), ...node];
  const started = performance.now();
  const child = spawn(command[0]!, command.slice(1), {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production', DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'error', BENCH_MEMORY_FILE: memoryFile, ...environment },
  });
  let setupLinkSeen: (path: string) => void = () => {};
  const setupLink = new Promise<string>((resolve) => (setupLinkSeen = resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const address = /running at (http:\/\/[^/\s]+)/.exec(line)?.[1];
      if (address) resolve(address.replace('localhost', '127.0.0.1'));
      // Printed after the address while the instance has no administrator.
      const setup = /https?:\/\/\S+(\/setup\/\S+)/.exec(line)?.[1];
      if (setup) setupLinkSeen(setup);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`Dials exited with code ${code} before listening`)));
  });
  const first = await get(`${url}/login`);
  if (first !== 200) throw new Error(`Dials answered GET /login with ${first}`);
  const firstAnswerMs = performance.now() - started;
  return {
    child,
    url,
    setupPath: () => Promise.race([setupLink, new Promise<string>((_, reject) => setTimeout(() => reject(new Error('Dials printed no set-up link')), 5000).unref())]),
    firstAnswerMs,
    memory: async () => {
      fs.rmSync(memoryFile, { force: true });
      child.kill('SIGUSR2');
      for (let waited = 0; !fs.existsSync(memoryFile); waited += 10) {
        if (waited > 5000) throw new Error('Dials did not report its memory');
        await sleep(10);
      }
      return JSON.parse(fs.readFileSync(memoryFile, 'utf8')) as Memory;
    },
    stop: () => stop(child),
  };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export function mixedScenarios(url: string, browser: SignedInBrowser): Scenario[] {
  return [
    { label: 'GET /login', url: `${url}/login`, method: 'GET', headers: {}, expect: { status: 200, bodyIncludes: '_csrf' } },
    { label: 'GET /settings/account', url: `${url}/settings/account`, method: 'GET', headers: { cookie: browser.cookie }, expect: { status: 200, bodyIncludes: 'id="account-details"' } },
    autoSave(url, browser, 'auto-save details', '/settings/account/details', { name: 'Grace Hopper' }),
    autoSave(url, browser, 'auto-save preferences', '/settings/account/preferences', {
      language: 'en',
      timezone: 'Europe/Berlin',
      clock24h: 'on',
      dateFormat: 'iso',
      theme: 'dark',
      stackTraceOrder: 'caller-last',
    }),
  ];
}

/** Sends `count` requests, cycling through the scenarios, `connections` at a time; resolves with the failures. */
export async function closedLoop(scenarios: Scenario[], count: number, connections: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let next = 0;
  let failures = 0;
  const one = (scenario: Scenario) =>
    new Promise<void>((resolve) => {
      const outgoing = http.request(scenario.url, { method: scenario.method, headers: scenario.headers, agent }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          if (response.statusCode !== scenario.expect.status || !text.includes(scenario.expect.bodyIncludes)) failures++;
          resolve();
        });
      });
      outgoing.on('error', () => {
        failures++;
        resolve();
      });
      outgoing.end(scenario.body);
    });
  const lane = async () => {
    while (next < count) await one(scenarios[next++ % scenarios.length]!);
  };
  await Promise.all(Array.from({ length: connections }, lane));
  agent.destroy();
  return failures;
}

export async function measureStartup(pinning: Pinning, settings: StartupSettings = defaultStartupSettings, log = (line: string) => process.stdout.write(`  ${line}\n`)): Promise<StartupReport> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-bench-startup-'));
  const loadBefore = os.loadavg()[0]!;
  try {
    const emptyFolder = (name: string) => path.join(scratch, name);

    log('first start with an empty compile cache …');
    const cold = await startDials(emptyFolder('cold'), pinning, { NODE_COMPILE_CACHE: path.join(scratch, 'compile-cache') });
    await cold.stop();

    const empty: number[] = [];
    const existing: number[] = [];
    for (let round = 0; round < settings.starts; round++) {
      log(`start ${round + 1}/${settings.starts} on an empty data folder …`);
      const dials = await startDials(emptyFolder(`empty-${round}`), pinning);
      empty.push(dials.firstAnswerMs);
      await dials.stop();
    }

    // An existing folder: the administrator was set up, and the session they got lasts through restarts.
    const dataDir = emptyFolder('existing');
    const first = await startDials(dataDir, pinning);
    const browser = await setUpAdministrator(first.url, await first.setupPath(), { name: 'Ada Lovelace', email: 'ada@example.test', password: 'correct horse battery staple' });
    await first.stop();
    for (let round = 0; round < settings.starts; round++) {
      log(`start ${round + 1}/${settings.starts} on an existing data folder …`);
      const dials = await startDials(dataDir, pinning);
      existing.push(dials.firstAnswerMs);
      await dials.stop();
    }

    log(`memory: idle, then ${settings.mixedRequests.toLocaleString('en-US')} mixed requests …`);
    const measured = await startDials(dataDir, pinning);
    let memory: StartupReport['memory'];
    try {
      await sleep(5000);
      const idle = await measured.memory();
      const scenarios = mixedScenarios(measured.url, browser);
      for (const scenario of scenarios) await checkSample(scenario);
      const loadStarted = performance.now();
      const mixedFailures = await closedLoop(scenarios, settings.mixedRequests, settings.mixedConnections);
      const mixedSeconds = (performance.now() - loadStarted) / 1000;
      const afterMixed = await measured.memory();
      await sleep(5000);
      const afterMixedIdle = await measured.memory();
      memory = { idle, afterMixed, afterMixedIdle, mixedSeconds, mixedFailures };
    } finally {
      await measured.stop();
    }

    const openLoopSettings = { ratePerSecond: settings.ratePerSecond, seconds: settings.openLoopSeconds, connections: settings.openLoopConnections };
    const windows = (answers: Awaited<ReturnType<typeof openLoop>>) => ({
      first: summariseWindow(answers, 0, settings.firstWindowSeconds * 1000),
      after: summariseWindow(answers, settings.firstWindowSeconds * 1000, Infinity),
    });
    const openLoopResults: StartupReport['openLoop'] = [];

    log(`Dials auto-save at ${settings.ratePerSecond} req/s for ${settings.openLoopSeconds} s, from its first answer …`);
    const dials = await startDials(dataDir, pinning);
    try {
      const scenario = mixedScenarios(dials.url, browser)[2]!;
      openLoopResults.push({ label: 'Dials auto-save details', ...windows(await openLoop(scenario, openLoopSettings)) });
    } finally {
      await dials.stop();
    }

    log(`bare Fastify POST at ${settings.ratePerSecond} req/s for ${settings.openLoopSeconds} s, from its first answer …`);
    const bare = await startServer('bare.ts', pinning);
    try {
      const scenario: Scenario = {
        label: 'bare POST',
        url: bare.url,
        method: 'POST',
        headers: { 'content-type': formContentType },
        body: new URLSearchParams({ name: 'Grace Hopper' }).toString(),
        expect: { status: 200, bodyIncludes: 'saved' },
      };
      openLoopResults.push({ label: 'bare POST', ...windows(await openLoop(scenario, openLoopSettings)) });
    } finally {
      await bare.stop();
    }

    return {
      loadAverage: { before: loadBefore, after: os.loadavg()[0]! },
      firstAnswerMs: { emptyColdCache: cold.firstAnswerMs, empty, existing },
      memory,
      openLoop: openLoopResults,
    };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

const ms = (value: number) => `${Math.round(value)} ms`;
const oneDecimal = (value: number) => value.toFixed(1);
const mb = (memory: Memory) => `${Math.round(memory.rssMB)} MB resident, heap ${Math.round(memory.heapUsedMB)} MB used of ${Math.round(memory.heapTotalMB)} MB`;

export function printStartupReport(report: StartupReport, settings: StartupSettings = defaultStartupSettings): void {
  const { firstAnswerMs, memory, loadAverage } = report;
  const busy = Math.max(loadAverage.before, loadAverage.after) > 1;
  console.log(`\nLoad average ${loadAverage.before.toFixed(1)} before, ${loadAverage.after.toFixed(1)} after${busy ? ': other work on the machine slows every figure below; compare with the bare route' : ''}.`);
  console.log(`\nStart-up: spawn of \`node src/main.ts\` to the first 200 answer (median of ${settings.starts}; all: ms)`);
  console.log(`  empty data folder, empty compile cache   ${ms(firstAnswerMs.emptyColdCache)}`);
  console.log(`  empty data folder                        ${ms(median(firstAnswerMs.empty))}  (${firstAnswerMs.empty.map(Math.round).join(', ')})`);
  console.log(`  existing data folder                     ${ms(median(firstAnswerMs.existing))}  (${firstAnswerMs.existing.map(Math.round).join(', ')})`);
  console.log('\nMemory');
  console.log(`  idle, 5 s after start                    ${mb(memory.idle)}`);
  console.log(`  after ${settings.mixedRequests.toLocaleString('en-US')} mixed requests (${oneDecimal(memory.mixedSeconds)} s)    ${mb(memory.afterMixed)}`);
  console.log(`  … and 5 s later                          ${mb(memory.afterMixedIdle)}`);
  if (memory.mixedFailures > 0) console.log(`  FAILED: ${memory.mixedFailures} of the mixed requests failed.`);
  console.log(
    `\nLatency at a steady ${settings.ratePerSecond} req/s (open loop, up to ${settings.openLoopConnections} connections), from each server's first answer; ms`,
  );
  const header = ['measurement', `first ${settings.firstWindowSeconds} s p50`, 'p99', 'max', 'after p50', 'p99', 'max', 'failed'];
  const rows = report.openLoop.map(({ label, first, after }) => [
    label,
    oneDecimal(first.p50Ms),
    oneDecimal(first.p99Ms),
    oneDecimal(first.maxMs),
    oneDecimal(after.p50Ms),
    oneDecimal(after.p99Ms),
    oneDecimal(after.maxMs),
    String(first.failures + after.failures),
  ]);
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  console.log(`  ${line(header)}`);
  for (const row of rows) console.log(`  ${line(row)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const pinning = pinThisProcess();
  console.log(`Dials start-up bench: Node ${process.version}, ${pinning.cores} cores, ${pinning.note}.`);
  const report = await measureStartup(pinning);
  printStartupReport(report);
  if (report.memory.mixedFailures > 0 || report.openLoop.some(({ first, after }) => first.failures + after.failures > 0)) process.exitCode = 1;
}
