import { Worker } from 'node:worker_threads';
import type { PasswordJudgement, PasswordOwner } from './password-rules.ts';

/**
 * Judges new passwords (password-policy.ts) in a worker thread. The strength estimator's word
 * lists take about 90 MB and half a second of CPU to build, and one check up to ~50 ms; in a
 * worker none of that delays Dials' start or anyone's request. The worker starts at the first
 * check and ends after a quiet spell, giving its memory back; the next check starts it again.
 */
export interface PasswordJudge {
  judge(password: string, owner: PasswordOwner): Promise<PasswordJudgement>;
  /** Whether the worker is running (and holding the word lists). */
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

const workerFile = new URL('./password-worker.ts', import.meta.url);

export function createPasswordJudge(options: { idleMs?: number } = {}): PasswordJudge {
  const idleMs = options.idleMs ?? 10 * 60 * 1000;
  let current: { worker: Worker; pending: Map<number, Pending> } | null = null;
  let idleTimer: NodeJS.Timeout | undefined;
  let nextId = 1;

  const stop = async () => {
    clearTimeout(idleTimer);
    const ending = current;
    current = null;
    if (ending) await ending.worker.terminate();
  };

  const scheduleIdleStop = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (current && current.pending.size === 0) void stop();
    }, idleMs);
    idleTimer.unref();
  };

  const start = () => {
    const worker = new Worker(workerFile, { name: 'password-judge' });
    // The worker never keeps the process alive; a server is kept alive by its socket.
    worker.unref();
    const pending = new Map<number, Pending>();
    const started = { worker, pending };
    worker.on('message', (reply: JudgeReply) => {
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if ('error' in reply) waiting.reject(new Error(`The password check failed: ${reply.error}`));
      else waiting.resolve(reply.judgement);
      if (pending.size === 0 && current === started) scheduleIdleStop();
    });
    const ended = (error: Error) => {
      if (current === started) current = null;
      for (const { reject } of pending.values()) reject(error);
      pending.clear();
    };
    worker.on('error', ended);
    worker.on('exit', (code) => ended(new Error(`The password check's worker stopped (exit code ${code})`)));
    return started;
  };

  return {
    judge(password, owner) {
      clearTimeout(idleTimer);
      current ??= start();
      const { worker, pending } = current;
      const id = nextId++;
      const request: JudgeRequest = { id, password, owner: { email: owner.email, name: owner.name } };
      const judged = new Promise<PasswordJudgement>((resolve, reject) => pending.set(id, { resolve, reject }));
      worker.postMessage(request);
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
