// A local SMTP server that accepts every message and counts them, for the mail worker's bench
// (bench/notifications.ts runs it as a child process). argv[2]: a delay in ms before each answer.
import { SMTPServer } from 'smtp-server';

const delayMs = Number(process.argv[2] ?? 0);
let received = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  maxClients: 100,
  // A local bench: no reverse DNS lookup of each connecting client (smtp-server's default).
  disableReverseLookup: true,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      received++;
      if (delayMs > 0) setTimeout(() => callback(), delayMs);
      else callback();
    });
  },
});
server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', () => process.send?.({ received }));
