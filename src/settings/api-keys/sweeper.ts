import type { FastifyInstance } from 'fastify';
import { registerPeriodicTask } from '../../web/periodic-task.ts';
import type { ApiKeysService } from './service.ts';

/**
 * Tells owners of keys that expire within 7 days (once per key) and forgets calls older than 30
 * days: shortly after start, then every hour. Each key's notice is marked sent with its mail, so
 * the hourly run is a daily job that cannot send twice, and catches up after downtime. A failed
 * sweep is logged and tried again at the next one.
 */
export function registerApiKeySweeper(app: FastifyInstance, apiKeys: ApiKeysService): void {
  registerPeriodicTask(app, {
    failure: 'sweeping API keys failed',
    firstAfterMs: 15_000,
    everyMs: 60 * 60 * 1000,
    work: async () => {
      await apiKeys.sendExpiryNotices();
      await apiKeys.sweepUses();
    },
    // Calls noted in the last second are written before the database closes.
    atClose: () => apiKeys.flushUses(),
  });
}
