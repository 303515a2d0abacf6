import type { FastifyInstance } from 'fastify';
import type { ApiKeysService } from './service.ts';

const sweepEveryMs = 60 * 60 * 1000;
/** The first sweep waits this long after start, so that start (and the first answers) never wait for it. */
const firstSweepAfterMs = 15 * 1000;

/**
 * Tells owners of keys that expire within 7 days (once per key) and forgets calls older than 30
 * days: shortly after start, then every hour. Each key's notice is marked sent with its mail, so
 * the hourly run is a daily job that cannot send twice, and catches up after downtime. A failed
 * sweep is logged and tried again at the next one.
 */
export function registerApiKeySweeper(app: FastifyInstance, apiKeys: ApiKeysService): void {
  let timer: NodeJS.Timeout | undefined;
  const sweep = () => {
    apiKeys
      .sendExpiryNotices()
      .then(() => apiKeys.sweepUses())
      .catch((error: unknown) => app.log.error({ err: error }, 'sweeping API keys failed'));
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
    // Calls noted in the last second are written before the database closes.
    await apiKeys.flushUses();
  });
}
