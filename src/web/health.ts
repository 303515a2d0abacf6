import type { FastifyInstance } from 'fastify';

/** One readiness check's answer: `off` is a part that is not configured, which does not make Dials unready. */
export type CheckState = 'ok' | 'failing' | 'off';

export interface HealthOptions {
  /** Each named check, asked at every /readyz; none may throw. */
  readiness: () => Record<string, CheckState>;
}

/**
 * `/healthz`: the process answers. `/readyz`: it can serve (database open, migrations applied,
 * mail worker running), 503 otherwise. Both answer without a session, never touch one, and say
 * nothing private: only the names of the checks and their states. Load balancers and process
 * supervisors poll them, so they are never cached.
 */
export function registerHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const checks = options.readiness();
    const ready = Object.values(checks).every((state) => state !== 'failing');
    return reply
      .code(ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: ready ? 'ready' : 'not-ready', checks });
  });
}
