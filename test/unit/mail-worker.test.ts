import { describe, expect, it } from 'vitest';
import type { Outbox } from '../../src/mail/outbox.ts';
import type { MailTransport } from '../../src/mail/transport.ts';
import { createMailWorker } from '../../src/mail/worker.ts';

describe('the mail worker, stopped while sending', () => {
  it('finishes the message in hand, starts no other, and reports itself stopped', async () => {
    const waiting = [1, 2, 3];
    const sent: number[] = [];
    let release: () => void = () => {};
    const outbox = {
      claimNext: async () => {
        const id = waiting.shift();
        return id === undefined ? null : { id, to: 'a@example.com', subject: 's', text: 't', html: 'h', messageId: `<${id}@x>`, kind: 'k', attempts: 0 };
      },
      markSent: async (id: number) => void sent.push(id),
      markFailed: async () => {},
      nextDueAt: async () => null,
      renewClaim: async () => true,
      claimMs: 60_000,
    } as unknown as Outbox;
    let closed = false;
    const transport = {
      sendMail: () => new Promise<void>((resolve) => (release = resolve)),
      close: () => void (closed = true),
    } as unknown as MailTransport;
    const worker = createMailWorker({ outbox, transport, from: 'Dials <d@example.com>', now: Date.now, log: { info: () => {}, warn: () => {} }, concurrency: 1 });
    worker.start();
    expect(worker.isRunning()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const stopped = worker.stop();
    expect(worker.isRunning()).toBe(false);
    release();
    await stopped;
    expect(sent).toEqual([1]);
    expect(waiting).toEqual([2, 3]);
    expect(closed).toBe(true);
  });
});

describe('the mail worker, sending several at once', () => {
  it('has as many messages in flight as its concurrency, and sends each claimed message once', async () => {
    const waiting = Array.from({ length: 10 }, (_, index) => index + 1);
    const sent: number[] = [];
    let inFlight = 0;
    let most = 0;
    const outbox = {
      claimNext: async () => {
        const id = waiting.shift();
        return id === undefined ? null : { id, to: 'a@example.com', subject: 's', text: 't', html: 'h', messageId: `<${id}@x>`, kind: 'k', attempts: 1 };
      },
      markSent: async (id: number) => void sent.push(id),
      markFailed: async () => {},
      nextDueAt: async () => null,
      renewClaim: async () => true,
      claimMs: 60_000,
    } as unknown as Outbox;
    const transport = {
      sendMail: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 15));
        inFlight--;
      },
      close: () => {},
    } as unknown as MailTransport;
    const worker = createMailWorker({ outbox, transport, from: 'Dials <d@example.com>', now: Date.now, log: { info: () => {}, warn: () => {} }, concurrency: 3 });
    worker.start();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await worker.runDue();
    await worker.stop();
    expect(most).toBe(3);
    expect([...sent].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});
