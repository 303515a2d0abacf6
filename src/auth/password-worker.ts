// The helper process of password-judge.ts: it alone loads the strength estimator and its word lists.
import { enableModuleCompileCache } from '../module-hooks.ts';
import type { JudgeReply, JudgeRequest } from './password-judge.ts';

if (!process.send) throw new Error('password-worker.ts runs as the helper process of password-judge.ts');
const send = process.send.bind(process);

// Dials went away (or closed the channel): so does the helper.
process.on('disconnect', () => process.exit(0));

async function answerChecks(): Promise<void> {
  // Loaded after the compile cache is on, so that the word lists' modules compile from the cache after the first time.
  enableModuleCompileCache();
  const { judgePassword } = await import('./password-policy.ts');
  process.on('message', ({ id, password, owner }: JudgeRequest) => {
    let reply: JudgeReply;
    try {
      reply = { id, judgement: judgePassword(password, owner) };
    } catch (error) {
      reply = { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    send(reply);
  });
}

void answerChecks();
