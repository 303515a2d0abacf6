import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../support/browser-session.ts';
import { freshDataDir, removeDataDir, serveDials } from '../support/dials-process.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

describe('/healthz and /readyz', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('answer without a session, in JSON, never cached, with nothing private', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    expect(health.headers['cache-control']).toBe('no-store');
    expect(health.headers['set-cookie']).toBeUndefined();

    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', mail: 'ok' } });
    expect(ready.headers['cache-control']).toBe('no-store');
    expect(ready.headers['set-cookie']).toBeUndefined();
    expect(ready.body).not.toMatch(/smtp|127\.0\.0\.1|dials-test|secret|@/i);
  });

  it('answer the same to a logged-in person', async () => {
    const ada = await signUp(t.app, { email: 'ada@example.com' });
    const ready = await ada.get('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.body).not.toContain('ada@example.com');
  });

  it('/readyz answers 503 once the mail worker has stopped', async () => {
    const other = await createTestApp();
    try {
      await other.app.services.mailWorker?.stop();
      const ready = await other.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'not-ready', checks: { database: 'ok', migrations: 'ok', mail: 'failing' } });
      expect((await other.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('/readyz counts mail as off, not failing, without SMTP', async () => {
    const other = await createTestApp({ SMTP_URL: '' });
    try {
      const ready = await other.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', mail: 'off' } });
    } finally {
      await other.close();
    }
  });
});

/** Sends a POST whose body arrives in two parts; resolves with the raw answer once the server closes or answers. */
function slowPost(url: string) {
  const { hostname, port } = new URL(url);
  const body = 'email=ada%40example.com&padding=' + 'x'.repeat(64);
  const socket = net.connect(Number(port), hostname);
  let answer = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
  const closed = new Promise<string>((resolve) => socket.on('close', () => resolve(answer)));
  const connected = new Promise<void>((resolve) => socket.on('connect', () => resolve()));
  return {
    async sendFirstPart() {
      await connected;
      socket.write(
        `POST /forgot-password HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
      );
    },
    sendRest() {
      socket.write(body.slice(10));
    },
    answer: closed,
  };
}

describe('stopping on SIGTERM or SIGINT', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) removeDataDir(folder);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} during a request: the request is answered, new connections are refused, the WAL is checkpointed, exit 0`, async () => {
      const dataDir = freshDataDir();
      folders.push(dataDir);
      const dials = await serveDials(dataDir, { LOG_LEVEL: 'info' });
      const request = slowPost(dials.url);
      await request.sendFirstPart();
      // The server has the request's head and part of its body: it is in flight.
      await new Promise((resolve) => setTimeout(resolve, 200));
      dials.child.kill(signal);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(dials.child.exitCode).toBeNull();
      // No new connection is accepted while the request finishes.
      const refused = await new Promise<boolean>((resolve) => {
        const { hostname, port } = new URL(dials.url);
        const probe = net.connect(Number(port), hostname);
        probe.on('connect', () => {
          probe.destroy();
          resolve(false);
        });
        probe.on('error', () => resolve(true));
      });
      expect(refused).toBe(true);
      request.sendRest();
      const answer = await request.answer;
      // Without a CSRF token the form is refused: what matters is that it is answered at all.
      expect(answer).toMatch(/^HTTP\/1\.1 403 /);
      expect(await dials.exited).toBe(0);
      expect(dials.output()).toContain('stopped');
      const fs = await import('node:fs');
      const wal = `${dataDir}/dials.db-wal`;
      expect(!fs.existsSync(wal) || fs.statSync(wal).size === 0).toBe(true);
    });
  }

  it('a request that outlasts SHUTDOWN_TIMEOUT_SECONDS loses its connection, and Dials still exits 0', async () => {
    const dataDir = freshDataDir();
    folders.push(dataDir);
    const dials = await serveDials(dataDir, { SHUTDOWN_TIMEOUT_SECONDS: '0.5' });
    const request = slowPost(dials.url);
    await request.sendFirstPart();
    await new Promise((resolve) => setTimeout(resolve, 200));
    dials.child.kill('SIGTERM');
    expect(await dials.exited).toBe(0);
    expect(await request.answer).toBe('');
  });
});
