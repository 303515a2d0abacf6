import net from 'node:net';
import { controlSocketPath } from './socket-path.ts';
import type { ControlAnswer, ControlRequest } from './control-protocol.ts';

export type AskOutcome = { answered: false } | { answered: true; answer: ControlAnswer };

/**
 * Asks the Dials serving `dataDir` over its control socket. `answered: false` when none listens
 * there (no socket, or one left by a Dials that was killed).
 */
export function askRunningDials(dataDir: string, request: ControlRequest): Promise<AskOutcome> {
  const { file } = controlSocketPath(dataDir);
  return new Promise((resolve, reject) => {
    const connection = net.connect(file);
    let received = '';
    let connected = false;
    connection.setEncoding('utf8');
    connection.on('connect', () => {
      connected = true;
      connection.write(`${JSON.stringify(request)}\n`);
    });
    connection.on('data', (chunk: string) => (received += chunk));
    connection.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected && ['ENOENT', 'ECONNREFUSED', 'ENOTSOCK'].includes(error.code ?? '')) resolve({ answered: false });
      else reject(new Error(`The running Dials could not be asked (${file}): ${error.message}`));
    });
    connection.on('end', () => {
      try {
        resolve({ answered: true, answer: JSON.parse(received.trim()) as ControlAnswer });
      } catch {
        reject(new Error(`The running Dials ended the conversation without an answer (${file}).`));
      }
    });
  });
}
