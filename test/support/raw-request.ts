import net from 'node:net';
import type { FastifyInstance } from 'fastify';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends a request written out byte for byte (a request line inject would rewrite, such as the
 * absolute form `GET http://host/path HTTP/1.1`) to the app listening on a loopback port.
 */
export async function rawRequest(app: FastifyInstance, head: string[], body = ''): Promise<RawAnswer> {
  if (!app.server.listening) await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the app listens on no port');
  const socket = net.connect(address.port, '127.0.0.1');
  let answer = '';
  socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
  const closed = new Promise<void>((resolve, reject) => {
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  const lines = [...head, 'Connection: close', ...(body ? [`Content-Length: ${Buffer.byteLength(body)}`] : [])];
  socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
  await closed;
  const [top = '', ...rest] = answer.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = top.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
}
