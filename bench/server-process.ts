import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/**
 * CPU pinning on the 2-core machines the bench is meant for: servers on core 0, the load
 * generator (this process) on core 1, so they never compete for the measured core.
 */
export interface Pinning {
  /** Cores this process could use before pinning (afterwards the OS reports one). */
  cores: number;
  serverCore: number | null;
  loadCore: number | null;
  note: string;
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** Moves every thread of this process to the load-generator core, when it can. */
export function pinThisProcess(): Pinning {
  const cores = os.availableParallelism();
  if (cores < 2) return { cores, serverCore: null, loadCore: null, note: `only ${cores} core: server and load generator share it` };
  if (!hasTaskset()) return { cores, serverCore: null, loadCore: null, note: 'taskset not found: processes are not pinned' };
  const pinned = spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  if (pinned.status !== 0) return { cores, serverCore: null, loadCore: null, note: 'taskset could not pin this process: processes are not pinned' };
  return { cores, serverCore: 0, loadCore: 1, note: 'server on core 0, load generator on core 1' };
}

export interface ServerProcess {
  url: string;
  /** The path of the link that makes the first (administrator) account, when the server gave one. */
  setupPath: string | null;
  /** CPU seconds the server has used so far, all its threads (null without Linux's /proc). */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

/** Starts bench/servers/<file> in its own Node (pinned when `pinning` says so, with extra environment variables) and waits for its port. */
export async function startServer(file: string, pinning: Pinning, environment: Record<string, string> = {}): Promise<ServerProcess> {
  const node = [process.execPath, fileURLToPath(new URL(`servers/${file}`, import.meta.url))];
  const command = pinning.serverCore === null ? node : ['taskset', '-c', String(pinning.serverCore), ...node];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_ENV: 'production', ...environment } });
  const { port, setupPath } = await new Promise<{ port: number; setupPath?: string | null }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      try {
        resolve(JSON.parse(line) as { port: number; setupPath?: string | null });
      } catch {
        reject(new Error(`${file} printed "${line}" instead of its port`));
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${file} exited with code ${code} before listening`)));
  });
  const pid = child.pid!;
  return { url: `http://127.0.0.1:${port}`, setupPath: setupPath ?? null, cpuSeconds: () => cpuSecondsOf(pid), stop: () => stopChild(child) };
}

const clockTicksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (command) " come the fields from the 3rd on; utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  } catch {
    return null;
  }
}

function stopChild(child: ChildProcess): Promise<void> {
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
