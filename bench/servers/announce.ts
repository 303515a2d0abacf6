import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { FastifyInstance } from 'fastify';

/**
 * The handshake between a bench server and bench/server-process.ts: listen on a free port
 * of 127.0.0.1, print it as one JSON line, and on SIGTERM run `cleanUp` and exit.
 * With BENCH_PROFILE_FILE set, the CPU is profiled from then on (start-up left out) and
 * the profile is written there on SIGTERM.
 */
export async function listenAndAnnounce(app: FastifyInstance, cleanUp: () => Promise<void> | void = () => {}, details: Record<string, unknown> = {}): Promise<void> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the server has no TCP address');
  const stopProfiling = await startProfiling(process.env.BENCH_PROFILE_FILE);
  process.once('SIGTERM', async () => {
    await stopProfiling();
    await app.close();
    await cleanUp();
    process.exit(0);
  });
  process.stdout.write(`${JSON.stringify({ ...details, port: address.port })}\n`);
}

async function startProfiling(file: string | undefined): Promise<() => Promise<void>> {
  if (!file) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    fs.writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}
