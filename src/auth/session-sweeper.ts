import type { FastifyInstance } from 'fastify';
import type { SessionStore } from './sessions.ts';

const sweepEveryMs = 60 * 60 * 1000;
/** The first sweep waits this long after start, so that start (and the first answers) never wait for it. */
const firstSweepAfterMs = 10 * 1000;

/**
 * Moves expired sessions into the history and deletes history older than 90 days: shortly
 * after start, then every hour. A failed sweep is logged and tried again at the next one.
 * Expired sessions are refused when used whether or not they were swept yet.
 */
export function registerSessionSweeper(app: FastifyInstance, sessions: SessionStore): void {
  let timer: NodeJS.Timeout | undefined;
  const sweep = () => {
    sessions.sweep().catch((error: unknown) => app.log.error({ err: error }, 'sweeping ended sessions failed'));
  };
  app.addHook('onReady', async () => {
    timer = setTimeout(() => {
      sweep();
      timer = setInterval(sweep, sweepEveryMs);
      timer.unref();
    }, firstSweepAfterMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearTimeout(timer);
    clearInterval(timer);
  });
}
