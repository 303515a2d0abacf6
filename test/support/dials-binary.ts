import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The single binary `npm run build` makes. */
export const binaryFile = fileURLToPath(new URL('../../dist/dials', import.meta.url));

/**
 * The environment of a machine without Node: like `env -i`, only a PATH of system folders in which
 * no `node` is found (checked), and what the caller adds.
 */
export function environmentWithoutNode(environment: Record<string, string> = {}): Record<string, string> {
  const systemPath = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin'].filter((folder) => !fs.existsSync(path.join(folder, 'node'))).join(':');
  return { PATH: systemPath, ...environment };
}

/** An empty folder to start the binary in, as an operator would. */
export function emptyFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dials-binary-'));
}

export interface RunningBinary {
  child: ChildProcess;
  url: string;
  /** From spawn to the first 200 answer to GET /login. */
  firstAnswerMs: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The path of the set-up link it printed (`/setup/…`), or null when it printed none. */
  setupPath(): string | null;
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the binary serving on a free port of 127.0.0.1 in `cwd` and waits for its first answer. */
export async function startBinary(cwd: string, environment: Record<string, string> = {}): Promise<RunningBinary> {
  const started = performance.now();
  const child = spawn(binaryFile, [], {
    cwd,
    env: environmentWithoutNode({ HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...environment }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The binary did not start in time:\n${output}`)), 30_000);
    const onData = (chunk: string) => {
      output += chunk;
      const address = /Dials is running at (http:\/\/[^/\s]+)/.exec(output)?.[1];
      if (address) {
        clearTimeout(timer);
        resolve(address.replace('localhost', '127.0.0.1'));
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('error', reject);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`The binary exited (${signal ?? code}) before it listened:\n${output}`));
    });
  });
  const status = await statusOf(`${url}/login`);
  if (status !== 200) throw new Error(`The binary answered GET /login with ${status}`);
  const firstAnswerMs = performance.now() - started;
  return {
    child,
    url,
    firstAnswerMs,
    output: () => output,
    setupPath: () => /https?:\/\/\S+(\/setup\/\S+)/.exec(output)?.[1] ?? null,
    exited,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

function statusOf(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

/** The resident memory of a process, in MB (Linux). */
export function residentMegabytes(pid: number): number {
  const kilobytes = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kilobytes) throw new Error(`No resident memory for process ${pid}`);
  return Number(kilobytes) / 1024;
}

export interface BinaryResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `dials ...args` in `cwd` to its end, in an environment without Node. */
export function runBinary(args: string[], cwd: string, environment: Record<string, string> = {}): Promise<BinaryResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(binaryFile, args, { cwd, env: environmentWithoutNode(environment), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
