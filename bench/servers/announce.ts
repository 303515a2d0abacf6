import type { FastifyInstance } from 'fastify';

/**
 * The handshake between a bench server and bench/server-process.ts: listen on a free port
 * of 127.0.0.1, print it as one JSON line, and on SIGTERM run `cleanUp` and exit (exiting,
 * rather than dying of the signal, lets `--cpu-prof` write its profile).
 */
export async function listenAndAnnounce(app: FastifyInstance, cleanUp: () => Promise<void> | void = () => {}): Promise<void> {
  process.once('SIGTERM', async () => {
    await app.close();
    await cleanUp();
    process.exit(0);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the server has no TCP address');
  process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);
}
