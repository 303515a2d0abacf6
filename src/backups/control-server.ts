import fs from 'node:fs';
import net from 'node:net';
import { controlSocketPath, socketPathFits } from './socket-path.ts';
import { longestRequest, parseControlRequest, type ControlAnswer, type ControlRequest } from './control-protocol.ts';

export interface ControlLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface ControlSocket {
  /** The socket's path, or null when Dials could not listen on one. */
  path: string | null;
  close(): Promise<void>;
}

/** Whether something answers on a socket path: a Dials that is still running. */
function answers(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect(file);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** The fallback's folder under the temporary folder: made 0700, and used only when it is this user's own and private. */
function ensurePrivateFolder(folder: string): string | null {
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  const stat = fs.lstatSync(folder);
  if (!stat.isDirectory() || stat.uid !== process.getuid?.() || (stat.mode & 0o077) !== 0) {
    return `${folder} is not a private folder of this user (it must be a folder with mode 0700)`;
  }
  return null;
}

function listen(server: net.Server, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // Made with mode 0600 from the start: only this user may ask for a backup.
    const umask = process.umask(0o177);
    try {
      server.once('error', reject);
      server.listen(file, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      process.umask(umask);
    }
  });
}

/**
 * Listens on the control socket (see socket-path.ts) for `dials backup` and `dials restore`. A
 * socket left by a Dials that was killed is replaced; one a running Dials answers on is left
 * alone. Failing to listen is logged and does not stop Dials: the commands then say they found
 * no running Dials. Closing removes the socket.
 */
export async function openControlSocket(
  dataDir: string,
  handle: (request: ControlRequest) => Promise<ControlAnswer>,
  log: ControlLog,
): Promise<ControlSocket> {
  const { file, privateFolder } = controlSocketPath(dataDir);
  const none: ControlSocket = { path: null, close: async () => {} };
  const cannot = (reason: string) => {
    log.warn({ socket: file }, `no control socket, so "dials backup" cannot reach this Dials: ${reason}`);
    return none;
  };
  if (!socketPathFits(file)) return cannot('its path is longer than a Unix socket path may be; use a shorter DATA_DIR or TMPDIR');
  try {
    if (privateFolder) {
      const problem = ensurePrivateFolder(privateFolder);
      if (problem) return cannot(problem);
    }
    const existing = fs.lstatSync(file, { throwIfNoEntry: false });
    if (existing) {
      if (!existing.isSocket()) return cannot(`${file} exists and is not a socket`);
      if (await answers(file)) return cannot('another Dials answers on it');
      fs.rmSync(file);
    }
    const waiting = new Set<net.Socket>();
    const answered = new Set<net.Socket>();
    const server = net.createServer((connection) => serveConnection(connection, handle, log, { waiting, answered }));
    await listen(server, file);
    fs.chmodSync(file, 0o600);
    return {
      path: file,
      // A backup being written is finished and answered; a connection that has asked nothing yet, or was answered already, is closed.
      close: () =>
        new Promise((resolve) => {
          server.close(() => resolve());
          for (const connection of [...waiting, ...answered]) connection.destroy();
        }),
    };
  } catch (error) {
    return cannot((error as Error).message);
  }
}

/** How long a connection may take to send its whole request, from the moment it connects. */
const requestDeadlineMs = 10_000;

/** The connections of the socket: those that have not sent their request yet, and those answered but not yet closed. */
interface Connections {
  waiting: Set<net.Socket>;
  answered: Set<net.Socket>;
}

function serveConnection(connection: net.Socket, handle: (request: ControlRequest) => Promise<ControlAnswer>, log: ControlLog, { waiting, answered }: Connections): void {
  let received = '';
  let handled = false;
  // Closed once the answer is flushed: a client that keeps its side open must not hold up stopping.
  const reply = (answer: ControlAnswer) => {
    answered.add(connection);
    connection.end(`${JSON.stringify(answer)}\n`, () => connection.destroy());
  };
  waiting.add(connection);
  connection.setEncoding('utf8');
  const deadline = setTimeout(() => {
    if (!handled) connection.destroy();
  }, requestDeadlineMs);
  deadline.unref();
  connection.on('close', () => {
    clearTimeout(deadline);
    waiting.delete(connection);
    answered.delete(connection);
  });
  connection.on('error', () => connection.destroy());
  connection.on('data', (chunk: string) => {
    if (handled) return;
    received += chunk;
    const newline = received.indexOf('\n');
    if (newline < 0) {
      if (received.length > longestRequest) {
        handled = true;
        waiting.delete(connection);
        reply({ ok: false, message: 'The request is too long.' });
      }
      return;
    }
    handled = true;
    waiting.delete(connection);
    const request = parseControlRequest(received.slice(0, newline));
    if (!request) {
      reply({ ok: false, message: 'Dials did not understand the request.' });
      return;
    }
    handle(request).then(reply, (error: unknown) => {
      log.error({ err: error, command: request.command }, 'a control request failed');
      reply({ ok: false, message: 'The running Dials failed to do it; its log says why.' });
    });
  });
}
