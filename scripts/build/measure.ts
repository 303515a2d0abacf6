import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setUpAdministrator } from '../../bench/browser.ts';
import { checkSample } from '../../bench/scenario.ts';
import { closedLoop, mixedScenarios } from '../../bench/startup.ts';
import { residentMegabytes, startBinary } from '../../test/support/dials-binary.ts';

/** The goals the figures are held against (README, "Install the binary"). */
export const goals = { xzMB: 40, firstAnswerMs: 300, residentMB: 120 };

export interface BinaryFigures {
  sizeMB: number;
  /** null when xz is not installed. */
  xzMB: number | null;
  firstAnswerMs: { median: number; all: number[] };
  residentMB: number;
  mixedRequests: number;
  mixedFailures: number;
  loadAverage: number;
}

const megabytes = (bytes: number) => bytes / 1024 / 1024;

/** The binary's size with xz at its default level, counted from xz's output; null without xz. */
function xzBytes(file: string): Promise<number | null> {
  if (spawnSync('xz', ['--version'], { stdio: 'ignore' }).error) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const xz = spawn('xz', ['--threads=0', '--stdout', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    xz.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
    xz.on('error', reject);
    xz.on('close', (code) => (code === 0 ? resolve(bytes) : reject(new Error(`xz exited with ${code}`))));
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Size and speed of the binary: its size, its size with xz, the time from start to the first
 * answer on an existing data folder (median of `starts`), and its resident memory after
 * `mixedRequests` requests (log-in page, account page, both auto-saves, as `npm run bench` sends).
 */
export async function measureBinary(file: string, settings = { starts: 5, mixedRequests: 10_000, connections: 10 }, log = (line: string) => process.stdout.write(`  ${line}\n`)): Promise<BinaryFigures> {
  const sizeMB = megabytes(fs.statSync(file).size);
  log('compressing with xz …');
  const xz = await xzBytes(file);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-binary-measure-'));
  try {
    // An existing data folder: unpacked addons, migrated database, an administrator with a session that outlives restarts.
    const first = await startBinary(folder);
    const browser = await setUpAdministrator(first.url, first.setupPath(), { name: 'Ada Lovelace', email: 'ada@example.test', password: 'correct horse battery staple' });
    await first.stop();
    const starts: number[] = [];
    for (let round = 1; round <= settings.starts; round++) {
      log(`start ${round}/${settings.starts} on an existing data folder …`);
      const running = await startBinary(folder);
      starts.push(running.firstAnswerMs);
      await running.stop();
    }
    log(`${settings.mixedRequests.toLocaleString('en-US')} mixed requests …`);
    const measured = await startBinary(folder);
    try {
      const scenarios = mixedScenarios(measured.url, browser);
      for (const scenario of scenarios) await checkSample(scenario);
      const mixedFailures = await closedLoop(scenarios, settings.mixedRequests, settings.connections);
      return {
        sizeMB,
        xzMB: xz === null ? null : megabytes(xz),
        firstAnswerMs: { median: median(starts), all: starts },
        residentMB: residentMegabytes(measured.child.pid!),
        mixedRequests: settings.mixedRequests,
        mixedFailures,
        loadAverage: os.loadavg()[0]!,
      };
    } finally {
      await measured.stop();
    }
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** The figures as `npm run build` prints them, each next to its goal. */
export function describeFigures(figures: BinaryFigures): string {
  const verdict = (within: boolean) => (within ? 'within the goal' : 'OVER the goal');
  const mb = (value: number) => `${value.toFixed(1)} MB`;
  return [
    `size                      ${mb(figures.sizeMB)}`,
    figures.xzMB === null
      ? 'with xz                   not measured: xz is not installed (apt-get install xz-utils)'
      : `with xz                   ${mb(figures.xzMB)} (goal: at most ${goals.xzMB} MB, ${verdict(figures.xzMB <= goals.xzMB)})`,
    `first answer              ${Math.round(figures.firstAnswerMs.median)} ms after start on an existing data folder, median of ${figures.firstAnswerMs.all.map((ms) => Math.round(ms)).join(', ')} (goal: at most ${goals.firstAnswerMs} ms, ${verdict(figures.firstAnswerMs.median <= goals.firstAnswerMs)})`,
    `resident memory           ${mb(figures.residentMB)} after ${figures.mixedRequests.toLocaleString('en-US')} mixed requests, ${figures.mixedFailures} failed (goal: under ${goals.residentMB} MB, ${verdict(figures.residentMB < goals.residentMB)})`,
    `machine load (1 minute)   ${figures.loadAverage.toFixed(2)} on ${os.availableParallelism()} cores: other work on the machine slows the start`,
  ].join('\n');
}
