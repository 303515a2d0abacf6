import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const mainFile = path.join(root, 'src', 'main.ts');

/** For a test file: a function that makes a fresh data folder, each removed after the test that made it. */
export function dataDirsRemovedAfterEachTest(): () => string {
  const folders: string[] = [];
  afterEach(() => {
    for (const made of folders.splice(0)) removeDataDir(made);
  });
  return () => {
    const made = freshDataDir();
    folders.push(made);
    return made;
  };
}

/** A fresh, empty data folder, removed by `removeDataDir`. */
export function freshDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'dials-process-'));
}

export function removeDataDir(dataDir: string): void {
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** The environment a Dials process of a test runs with: only what it is given, no .env from the project folder. */
function environmentFor(dataDir: string, environment: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...environment };
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node src/main.ts ...args` (what `npm start -- ...args` runs) to its end, from a folder without a .env. */
export function runDials(args: string[], dataDir: string, environment: Record<string, string> = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [mainFile, ...args], { cwd: dataDir, env: environmentFor(dataDir, environment), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServingDials {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far. */
  output(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** Starts Dials serving on a free port and resolves once it says where it runs. */
export function serveDials(dataDir: string, environment: Record<string, string> = {}): Promise<ServingDials> {
  const child = spawn(process.execPath, [mainFile], { cwd: dataDir, env: environmentFor(dataDir, environment), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Dials did not start in time:\n${output}`)), 30_000);
    const onData = (chunk: string) => {
      output += chunk;
      const match = /Dials is running at (http:\/\/\S+?)\/? /.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ url: match[1], child, output: () => output, exited });
      }
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.stderr?.setEncoding('utf8').on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Dials exited with ${code} before it was ready:\n${output}`));
    });
  });
}
