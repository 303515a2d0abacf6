import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { askRunningDials } from '../../src/backups/control-client.ts';
import { openControlSocket } from '../../src/backups/control-server.ts';
import { dataDirsRemovedAfterEachTest, serveDials } from '../support/dials-process.ts';

const folder = dataDirsRemovedAfterEachTest();

function recordingLog() {
  const warnings: string[] = [];
  return { warnings, info: () => {}, warn: (_details: object, message: string) => warnings.push(message), error: () => {} };
}

/** Sends raw text on the socket and resolves with what comes back before it closes. */
function rawExchange(file: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const connection = net.connect(file, () => connection.write(text));
    let received = '';
    connection.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    connection.on('close', () => resolve(received));
    connection.on('error', reject);
  });
}

describe('the control socket', () => {
  it('answers a request, refuses what it does not understand, and is gone once closed', async () => {
    const dataDir = folder();
    const asked: unknown[] = [];
    const socket = await openControlSocket(
      dataDir,
      async (request) => {
        asked.push(request);
        return { ok: true, message: 'done' };
      },
      recordingLog(),
    );
    expect(socket.path).toBe(path.join(dataDir, 'dials.sock'));
    expect(fs.statSync(socket.path!).mode & 0o777).toBe(0o600);
    expect(await askRunningDials(dataDir, { command: 'backup', file: '/somewhere/b.dials-backup' })).toEqual({ answered: true, answer: { ok: true, message: 'done' } });
    expect(asked).toEqual([{ command: 'backup', file: '/somewhere/b.dials-backup' }]);
    for (const text of ['not json\n', '{"command":"backup","file":"relative/path"}\n', '{"command":"drop tables"}\n']) {
      expect(JSON.parse(await rawExchange(socket.path!, text))).toEqual({ ok: false, message: 'Dials did not understand the request.' });
    }
    expect(JSON.parse(await rawExchange(socket.path!, 'x'.repeat(20_000)))).toEqual({ ok: false, message: 'The request is too long.' });
    expect(asked).toHaveLength(1);

    // A connection that never asks does not hold up stopping.
    const silent = net.connect(socket.path!);
    await new Promise((resolve) => silent.once('connect', resolve));
    silent.on('error', () => {});
    await socket.close();
    expect(fs.existsSync(path.join(dataDir, 'dials.sock'))).toBe(false);
    expect(await askRunningDials(dataDir, { command: 'ping' })).toEqual({ answered: false });
  });

  it('leaves a file that is not a socket, and a socket another Dials answers on, alone (and says so)', async () => {
    const dataDir = folder();
    const first = await openControlSocket(dataDir, async () => ({ ok: true, message: 'first' }), recordingLog());
    const log = recordingLog();
    const second = await openControlSocket(dataDir, async () => ({ ok: true, message: 'second' }), log);
    expect(second.path).toBeNull();
    expect(log.warnings.join()).toContain('another Dials answers on it');
    expect(await askRunningDials(dataDir, { command: 'ping' })).toEqual({ answered: true, answer: { ok: true, message: 'first' } });
    await first.close();

    fs.writeFileSync(path.join(dataDir, 'dials.sock'), 'an operator file');
    const third = await openControlSocket(dataDir, async () => ({ ok: true, message: 'third' }), log);
    expect(third.path).toBeNull();
    expect(log.warnings.join()).toContain('exists and is not a socket');
    expect(fs.readFileSync(path.join(dataDir, 'dials.sock'), 'utf8')).toBe('an operator file');
  });

  it('a client that keeps its side open after the answer does not hold up stopping: SIGTERM still exits 0 promptly', async () => {
    const dataDir = folder();
    const dials = await serveDials(dataDir);
    try {
      const client = net.connect({ path: path.join(dataDir, 'dials.sock'), allowHalfOpen: true });
      client.on('error', () => {});
      let received = '';
      client.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
      const ended = new Promise((resolve) => client.once('end', resolve));
      client.write('{"command":"ping"}\n');
      await ended;
      expect(JSON.parse(received)).toMatchObject({ ok: true });
      const startedStopping = Date.now();
      dials.child.kill('SIGTERM');
      const exit = await Promise.race([dials.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 5_000))]);
      expect(exit).toBe(0);
      expect(Date.now() - startedStopping).toBeLessThan(5_000);
      client.destroy();
    } finally {
      dials.child.kill('SIGKILL');
    }
  });
});
