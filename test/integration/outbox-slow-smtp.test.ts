import crypto from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteOf } from '../../src/db/client.ts';
import { createSecretBox } from '../../src/lib/instance-keys.ts';
import { createOutbox } from '../../src/mail/outbox.ts';
import { createSmtpTransport } from '../../src/mail/transport.ts';
import { createMailWorker } from '../../src/mail/worker.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The outbox stays correct when SMTP is slow. A server slower than the claim: every message
 * arrives once, since a sender renews its claim while it waits. A server slower than the socket
 * timeout, that accepts the message after the sender gave up: the sender cannot know it arrived,
 * so it sends it again once its retry is due. That is the one duplicate SMTP allows (the server
 * accepted, the answer never came back); nothing is ever lost.
 */

let t: TestApp;
let server: SMTPServer | null = null;
afterEach(async () => {
  const running = server;
  server = null;
  if (running) await new Promise<void>((resolve) => running.close(() => resolve()));
  await t.close();
});

/** A local SMTP server that answers each message `delayMs` after receiving it, and keeps the Message-IDs it accepted. */
async function slowServer(delayMs: number): Promise<{ url: string; accepted: string[] }> {
  const accepted: string[] = [];
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        setTimeout(() => {
          accepted.push(/^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1] ?? '?');
          callback();
        }, delayMs);
      });
    },
  });
  const running = server;
  await new Promise<void>((resolve) => running.listen(0, '127.0.0.1', () => resolve()));
  const address = running.server.address();
  return { url: `smtp://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, accepted };
}

const quiet = { info: () => {}, warn: () => {} };

async function queue(outbox: ReturnType<typeof createOutbox>, count: number) {
  for (let index = 0; index < count; index++) {
    await outbox.enqueue({ to: `reader${index}@example.com`, subject: `Message ${index}`, kind: 'build-email', text: `Text ${index}`, html: `<p>${index}</p>` });
  }
}

const statuses = (tt: TestApp) => (sqliteOf(tt.db).prepare('select status, attempts, message_id from mail_outbox order by id').all() as Array<{ status: string; attempts: number; message_id: string }>);

async function until(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the outbox with a slow SMTP server', () => {
  it('a server slower than the claim: two workers, every message arrives exactly once', async () => {
    t = await createTestApp();
    const smtp = await slowServer(700);
    const box = createSecretBox(crypto.randomBytes(32));
    // Each worker its own outbox handle, as two processes would have; claims last 200 ms, the server takes 700 ms a message.
    const outboxes = [0, 1].map(() => createOutbox(t.db, { box, now: Date.now, messageIdDomain: 'dials.test', claimMs: 200 }));
    await queue(outboxes[0]!, 8);
    const workers = outboxes.map((outbox) => createMailWorker({ outbox, transport: createSmtpTransport(smtp.url), from: 'Dials <dials@example.com>', now: Date.now, log: quiet, concurrency: 2 }));
    for (const worker of workers) worker.start();
    await until(() => statuses(t).every((row) => row.status === 'sent'), 20_000);
    await Promise.all(workers.map((worker) => worker.stop()));
    const rows = statuses(t);
    expect(rows).toHaveLength(8);
    expect(smtp.accepted.sort()).toEqual(rows.map((row) => row.message_id).sort());
    expect(rows.every((row) => row.attempts === 1)).toBe(true);
  });

  it('a server slower than the socket timeout: the message is tried again and arrives; at most one duplicate, none lost', async () => {
    t = await createTestApp();
    const smtp = await slowServer(900);
    const box = createSecretBox(crypto.randomBytes(32));
    let now = Date.now();
    const outbox = createOutbox(t.db, { box, now: () => now, messageIdDomain: 'dials.test', claimMs: 60_000 });
    await queue(outbox, 2);
    const warnings: string[] = [];
    const worker = createMailWorker({ outbox, transport: createSmtpTransport(smtp.url, { socketMs: 300 }), from: 'Dials <dials@example.com>', now: () => now, log: { info: () => {}, warn: (object) => warnings.push(String((object as { reason?: string }).reason)) }, concurrency: 2 });
    worker.start();
    await until(() => warnings.length >= 2, 10_000);
    await worker.stop();
    expect(statuses(t).map((row) => row.status)).toEqual(['queued', 'queued']);
    expect(warnings.join(' ')).toMatch(/timeout/i);
    // The server did take them, after the sender had given up.
    await until(() => smtp.accepted.length === 2, 5000);

    // Their retry is due a minute later; this time the server is quick enough.
    now += 61_000;
    const quick = createMailWorker({ outbox, transport: createSmtpTransport(smtp.url, { socketMs: 5000 }), from: 'Dials <dials@example.com>', now: () => now, log: quiet, concurrency: 2 });
    quick.start();
    await until(() => statuses(t).every((row) => row.status === 'sent'), 10_000);
    await quick.stop();
    const rows = statuses(t);
    expect(rows.map((row) => [row.status, row.attempts])).toEqual([
      ['sent', 2],
      ['sent', 2],
    ]);
    // Each message arrived, each at most twice: once per attempt the server accepted.
    for (const row of rows) {
      const copies = smtp.accepted.filter((id) => id === row.message_id).length;
      expect(copies).toBeGreaterThanOrEqual(1);
      expect(copies).toBeLessThanOrEqual(2);
    }
  });
});
