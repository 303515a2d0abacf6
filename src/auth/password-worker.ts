// The worker thread of password-judge.ts: it alone loads the strength estimator and its word lists.
import { parentPort } from 'node:worker_threads';
import { judgePassword } from './password-policy.ts';
import type { JudgeReply, JudgeRequest } from './password-judge.ts';

const port = parentPort;
if (!port) throw new Error('password-worker.ts runs as a worker thread of password-judge.ts');

port.on('message', ({ id, password, owner }: JudgeRequest) => {
  let reply: JudgeReply;
  try {
    reply = { id, judgement: judgePassword(password, owner) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply);
});
