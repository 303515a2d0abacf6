import type { FastifyInstance } from 'fastify';
import type { SessionStore } from './sessions.ts';

const sweepEveryMs = 60 * 60 * 1000;

/**
 * Moves expired sessions into the history and deletes history older than 90 days: once at
 * start, then every hour. A failed sweep is logged and tried again at the next one.
 */
export function registerSessionSweeper(app: FastifyInstance, sessions: SessionStore): void {
  let timer: NodeJS.Timeout | undefined;
  const sweep = () => {
    try {
      sessions.sweep();
    } catch (error) {
      app.log.error({ err: error }, 'sweeping ended sessions failed');
    }
  };
  app.addHook('onReady', async () => {
    sweep();
    timer = setInterval(sweep, sweepEveryMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
  });
}
