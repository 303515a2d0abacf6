import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** The raw List-Unsubscribe and List-Unsubscribe-Post header lines, when sent. */
  listUnsubscribe: string | null;
  listUnsubscribePost: string | null;
}

/** A real SMTP server on a random local port that keeps what it receives, for tests to read. */
export class Mailbox {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | null = null;
  port = 0;
  /** When set, the server refuses every message with this SMTP reply, as an outage would. */
  refuseWith: string | null = null;

  async start(port = 0): Promise<void> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, callback) => {
        if (this.refuseWith) {
          stream.resume();
          stream.on('end', () => callback(Object.assign(new Error(this.refuseWith ?? 'refused'), { responseCode: 451 })));
          return;
        }
        simpleParser(stream)
          .then((parsed: ParsedMail) => {
            const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? '');
            const header = (name: string) => parsed.headerLines.find((line) => line.key === name)?.line.replace(/^[^:]+:\s*/, '') ?? null;
            this.received.push({
              to,
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              messageId: parsed.messageId ?? '',
              listUnsubscribe: header('list-unsubscribe'),
              listUnsubscribePost: header('list-unsubscribe-post'),
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', () => resolve());
    });
    const address = this.server.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Waits (up to a few seconds) for a message to `to` whose subject matches, and returns it. */
  async waitFor(to: string, subject: RegExp | string = /./, timeoutMs = 8000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    const matches = (mail: ReceivedMail) =>
      mail.to.toLowerCase().includes(to.toLowerCase()) && (typeof subject === 'string' ? mail.subject.includes(subject) : subject.test(mail.subject));
    for (;;) {
      const found = this.received.find(matches);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`No mail to ${to} matching ${String(subject)}; received: ${JSON.stringify(this.received.map((m) => [m.to, m.subject]))}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  messagesTo(to: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to.toLowerCase().includes(to.toLowerCase()));
  }
}

/** The first link in a message that points at `path` (e.g. "/verify-email/"), as a path. */
export function linkIn(mail: ReceivedMail, path: string): string {
  const match = new RegExp(`https?://[^\\s"<>]+(${path.replace(/[/]/g, '\\/')}[^\\s"<>]*)`).exec(mail.text);
  if (!match?.[1]) throw new Error(`No ${path} link in: ${mail.text}`);
  return match[1];
}
