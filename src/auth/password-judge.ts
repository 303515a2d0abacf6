import type { ChildProcess } from 'node:child_process';
import { forkHelper } from '../runtime/helper-process.ts';
import type { PasswordJudgement, PasswordOwner } from './password-rules.ts';

/**
 * Judges new passwords (password-policy.ts) in a helper process. The strength estimator's word
 * lists take about 100 MB and half a second of CPU to build, and one check up to ~50 ms; in a
 * process of its own none of that delays Dials' start or anyone's request. The helper starts at
 * the first check and exits after a quiet spell, which gives all of its memory back (a worker
 * thread's would partly stay with Dials' process); the next check starts it again.
 */
export interface PasswordJudge {
  judge(password: string, owner: PasswordOwner): Promise<PasswordJudgement>;
  /** Whether the helper is running (and holding the word lists). */
  running(): boolean;
  close(): Promise<void>;
}

export interface JudgeRequest {
  id: number;
  password: string;
  owner: PasswordOwner;
}

export type JudgeReply = { id: number; judgement: PasswordJudgement } | { id: number; error: string };

interface Pending {
  resolve: (judgement: PasswordJudgement) => void;
  reject: (error: Error) => void;
}

interface Helper {
  process: ChildProcess;
  pending: Map<number, Pending>;
  /** Whether the helper keeps Dials' process alive: only while a check is pending. */
  holdOpen(hold: boolean): void;
}

export function createPasswordJudge(options: { idleMs?: number } = {}): PasswordJudge {
  const idleMs = options.idleMs ?? 10 * 60 * 1000;
  let current: Helper | null = null;
  let idleTimer: NodeJS.Timeout | undefined;
  let nextId = 1;

  const stop = async () => {
    clearTimeout(idleTimer);
    const ending = current;
    current = null;
    if (!ending || ending.process.exitCode !== null || ending.process.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      ending.process.once('exit', () => resolve());
      ending.process.kill();
    });
  };

  const scheduleIdleStop = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (current && current.pending.size === 0) void stop();
    }, idleMs);
    idleTimer.unref();
  };

  const start = (): Helper => {
    // Only the young-generation size is passed on: test runners' and profilers' options stay with Dials.
    const helper = forkHelper('password-worker', { execArgv: ['--max-semi-space-size=1'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const pending = new Map<number, Pending>();
    // The helper never keeps Dials running when idle; a server is kept alive by its socket.
    const holdOpen = (hold: boolean) => {
      const channel = helper.channel as { ref(): void; unref(): void } | null | undefined;
      if (hold) {
        helper.ref();
        channel?.ref();
      } else {
        helper.unref();
        channel?.unref();
      }
    };
    const started: Helper = { process: helper, pending, holdOpen };
    holdOpen(false);
    helper.on('message', (reply: JudgeReply) => {
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if ('error' in reply) waiting.reject(new Error(`The password check failed: ${reply.error}`));
      else waiting.resolve(reply.judgement);
      if (pending.size === 0) {
        holdOpen(false);
        if (current === started) scheduleIdleStop();
      }
    });
    const ended = (error: Error) => {
      if (current === started) current = null;
      for (const { reject } of pending.values()) reject(error);
      pending.clear();
    };
    helper.on('error', ended);
    helper.on('exit', (code, signal) => ended(new Error(`The password check's helper stopped (${signal ?? `exit code ${code}`})`)));
    return started;
  };

  return {
    judge(password, owner) {
      clearTimeout(idleTimer);
      current ??= start();
      const { process: helper, pending, holdOpen } = current;
      const id = nextId++;
      const request: JudgeRequest = { id, password, owner: { email: owner.email, name: owner.name } };
      const judged = new Promise<PasswordJudgement>((resolve, reject) => pending.set(id, { resolve, reject }));
      // While a check is pending, the helper holds the process open, so that a script awaiting it sees the answer.
      holdOpen(true);
      helper.send(request);
      return judged;
    },
    running: () => current !== null,
    close: stop,
  };
}

const shared = createPasswordJudge();

/** Judges a new password (see judgePassword in password-policy.ts) without blocking the event loop. */
export function judgePasswordInWorker(password: string, owner: PasswordOwner): Promise<PasswordJudgement> {
  return shared.judge(password, owner);
}
