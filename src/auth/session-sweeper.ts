import type { FastifyInstance } from 'fastify';
import { registerPeriodicTask } from '../web/periodic-task.ts';
import type { SessionStore } from './sessions.ts';

/**
 * Moves expired sessions into the history and deletes history older than 90 days: shortly
 * after start, then every hour. A failed sweep is logged and tried again at the next one.
 * Expired sessions are refused when used whether or not they were swept yet.
 */
export function registerSessionSweeper(app: FastifyInstance, sessions: SessionStore): void {
  registerPeriodicTask(app, { failure: 'sweeping ended sessions failed', firstAfterMs: 10_000, everyMs: 60 * 60 * 1000, work: () => sessions.sweep() });
}
