import type { Outbox } from './outbox.ts';
import type { MailTransport } from './transport.ts';

export interface MailWorkerLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

export type MailWorker = ReturnType<typeof createMailWorker>;

/** Longest sleep between looks at the outbox, so a clock that jumps does not strand mail. */
const maximumIdleMs = 30_000;

/** How many messages are sent at once, each over its own pooled SMTP connection (transport.ts). */
export const sendingConcurrency = 4;

/**
 * Sends what the outbox holds, in the same process, `concurrency` messages at a time: each sender
 * claims its own message (claimNext: a claim is a row's state, so no two senders, in this process or
 * another, hold the same one) and marks it sent only after the server accepted it. A failure puts
 * the message back with a growing delay.
 */
export function createMailWorker(options: { outbox: Outbox; transport: MailTransport; from: string; now: () => number; log: MailWorkerLogger; concurrency?: number }) {
  const concurrency = Math.max(1, options.concurrency ?? sendingConcurrency);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;

  const schedule = (delayMs: number) => {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => (stopped ? undefined : void runDue()), Math.max(0, Math.min(delayMs, maximumIdleMs)));
    timer.unref();
  };

  const sendOne = async (): Promise<boolean> => {
    const mail = await options.outbox.claimNext();
    if (!mail) return false;
    // However slow the server, the claim outlasts the conversation: no other sender takes the message meanwhile.
    const renewing = setInterval(() => void options.outbox.renewClaim(mail.id, mail.attempts).catch(() => undefined), Math.max(10, options.outbox.claimMs / 3));
    renewing.unref();
    try {
      await options.transport.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        // One click in the mail program turns the notification off (RFC 8058): a POST to the link, no log-in.
        ...(mail.unsubscribeUrl ? { headers: { 'List-Unsubscribe': `<${mail.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } } : {}),
      });
      await options.outbox.markSent(mail.id);
      options.log.info({ mailId: mail.id, kind: mail.kind }, 'mail sent');
    } catch (error) {
      // Only the error's code and message are kept: never the message body, which may hold a link.
      const reason = error instanceof Error ? `${(error as { code?: string }).code ?? 'error'}: ${error.message}` : 'error';
      await options.outbox.markFailed(mail.id, mail.attempts, reason);
      options.log.warn({ mailId: mail.id, kind: mail.kind, attempts: mail.attempts, reason }, 'mail not sent; will retry');
    } finally {
      clearInterval(renewing);
    }
    return true;
  };

  /** Sends everything that is due now; resolves when done. Safe to call at any time. */
  const runDue = async (): Promise<void> => {
    if (running) return running;
    running = (async () => {
      try {
        // Once stopped, the messages being sent are finished and no other is started.
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (!stopped && (await sendOne())) {
              // keep going while messages are due
            }
          }),
        );
      } finally {
        running = null;
        // Pooled connections are not kept open while there is nothing to send.
        options.transport.idle?.();
        // Once stopped, the database may already be closed: look no further.
        if (!stopped) {
          const next = await options.outbox.nextDueAt();
          schedule(next ? next.getTime() - options.now() : maximumIdleMs);
        }
      }
    })();
    return running;
  };

  return {
    start(): void {
      stopped = false;
      schedule(0);
    },
    /** Called when a message is queued, so it goes out at once. */
    wake(): void {
      if (!stopped) setImmediate(() => (stopped ? undefined : void runDue()));
    },
    runDue,
    /** Whether it is started and not stopped: what /readyz reports. */
    isRunning(): boolean {
      return !stopped;
    },
    /** Stops looking at the outbox; resolves once the message being sent, if any, is finished. */
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (running) await running;
      options.transport.close();
    },
  };
}
