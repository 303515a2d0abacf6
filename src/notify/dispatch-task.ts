import type { FastifyInstance } from 'fastify';
import { registerPeriodicTask } from '../web/periodic-task.ts';
import type { Dispatcher } from './dispatcher.ts';

/** How often waiting notification work is looked for: an event reaches its readers within about this long. */
export const dispatchEveryMs = 1000;

/**
 * Dispatches waiting notification work every second, batch after batch until none is left. Runs
 * that overlap are harmless: each claims different work.
 */
export function registerDispatchTask(app: FastifyInstance, dispatcher: Dispatcher, everyMs = dispatchEveryMs): void {
  registerPeriodicTask(app, {
    failure: 'dispatching notifications failed',
    firstAfterMs: everyMs,
    everyMs,
    work: async () => {
      while ((await dispatcher.runOnce()).processed > 0);
    },
  });
}
