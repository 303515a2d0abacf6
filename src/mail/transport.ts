import type { SendMailOptions, Transporter } from 'nodemailer';

/** What the mail worker needs of a transport: sending one message, resolving once the server accepted it. */
export interface MailTransport {
  sendMail(mail: SendMailOptions): Promise<unknown>;
  /** Ends the open connections, if any. */
  close(): void;
  /** Nothing more to send for now: the kept connections are closed, and the next message opens new ones. */
  idle?(): void;
}

/**
 * An SMTP transport from a URL such as smtp://user:password@host:587 (STARTTLS) or smtps://host:465.
 * nodemailer (about 0.1 s to load) is loaded when the first message goes out, not at start.
 */
export function createSmtpTransport(smtpUrl: string, timeouts: { socketMs?: number } = {}): MailTransport {
  const url = new URL(smtpUrl);
  const options = {
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: timeouts.socketMs ?? 30_000,
    // Connections are kept open and reused (one each for the worker's concurrent senders), rather
    // than one connection and greeting per message.
    pool: true,
    maxConnections: 4,
    maxMessages: 1000,
  };
  let transporter: Promise<Transporter> | null = null;
  return {
    async sendMail(mail) {
      transporter ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(options));
      return (await transporter).sendMail(mail);
    },
    close() {
      void transporter?.then((loaded) => loaded.close());
    },
    idle() {
      const open = transporter;
      transporter = null;
      void open?.then((loaded) => loaded.close());
    },
  };
}
