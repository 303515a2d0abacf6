import http from 'node:http';
import { formContentType } from './scenario.ts';

/**
 * SECURITY.md rule 5, measured: how long POST /forgot-password takes to answer for an address
 * with an account and for one without. Requests go one at a time, in a shuffled order, with a
 * short pause between them (so work done after one answer does not slow the next). The route
 * allows 10 requests an hour per client address, so every 10 requests come from another local
 * address (127.0.1.x). Prints; asserts nothing.
 */
export interface TimingSummary {
  label: string;
  samples: number;
  p10Ms: number;
  medianMs: number;
  p90Ms: number;
}

const perAddressLimit = 10;

function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

function summarise(label: string, times: number[]): TimingSummary {
  const sorted = [...times].sort((a, b) => a - b);
  return { label, samples: sorted.length, p10Ms: quantile(sorted, 0.1), medianMs: quantile(sorted, 0.5), p90Ms: quantile(sorted, 0.9) };
}

function request(
  agent: http.Agent,
  base: URL,
  options: { method: 'GET' | 'POST'; localAddress: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; ms: number; body: string; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const outgoing = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        path: '/forgot-password',
        method: options.method,
        localAddress: options.localAddress,
        headers: { ...options.headers, ...(options.body ? { 'content-length': String(Buffer.byteLength(options.body)) } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
            body: Buffer.concat(chunks).toString('utf8'),
            setCookie: response.headers['set-cookie'] ?? [],
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureForgotPasswordTiming(baseUrl: string, knownAddress: string, samplesEach = 150): Promise<TimingSummary[]> {
  const base = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    // A signed-out browser: the form's CSRF token and the pre-session cookie it is bound to.
    const form = await request(agent, base, { method: 'GET', localAddress: '127.0.1.1' });
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1];
    const cookie = form.setCookie.map((line) => line.split(';', 1)[0]).join('; ');
    if (form.status !== 200 || !token) throw new Error(`GET /forgot-password answered ${form.status} without a CSRF token`);

    const warmUp = 10;
    const order = Array.from({ length: samplesEach + warmUp }, () => (Math.random() < 0.5 ? ['known', 'unknown'] : ['unknown', 'known'])).flat();
    const times: Record<string, number[]> = { known: [], unknown: [] };
    for (const [index, kind] of order.entries()) {
      const localAddress = `127.0.${1 + Math.floor(index / perAddressLimit / 250)}.${1 + (Math.floor(index / perAddressLimit) % 250)}`;
      // A new client address opens a new connection; that first exchange is not measured.
      if (index % perAddressLimit === 0) await request(agent, base, { method: 'GET', localAddress, headers: { cookie } });
      const email = kind === 'known' ? knownAddress : `nobody-${index}@example.test`;
      const answer = await request(agent, base, {
        method: 'POST',
        localAddress,
        headers: { cookie, 'content-type': formContentType },
        body: new URLSearchParams({ _csrf: token, email }).toString(),
      });
      if (answer.status !== 303) throw new Error(`POST /forgot-password answered ${answer.status}, not 303:\n${answer.body.slice(0, 400)}`);
      if (index >= warmUp * 2) times[kind]!.push(answer.ms);
      await pause(3);
    }
    return [summarise('known address', times.known!), summarise('unknown address', times.unknown!)];
  } finally {
    agent.destroy();
  }
}

export function printForgotPasswordTiming(summaries: TimingSummary[]): void {
  const format = (ms: number) => ms.toFixed(3).padStart(7);
  console.log('\nForgot password: time to answer, one request at a time (SECURITY.md rule 5: about the same for every address).');
  console.log(`  ${'address'.padEnd(16)}  samples   p10 ms  median ms   p90 ms`);
  for (const summary of summaries) {
    console.log(`  ${summary.label.padEnd(16)}  ${String(summary.samples).padStart(7)}  ${format(summary.p10Ms)}  ${format(summary.medianMs).padStart(9)}  ${format(summary.p90Ms)}`);
  }
  const [known, unknown] = summaries;
  if (known && unknown) {
    const difference = known.medianMs - unknown.medianMs;
    console.log(`  medians differ by ${difference >= 0 ? '+' : ''}${difference.toFixed(3)} ms (known minus unknown; noise on a busy machine is of the same order).`);
  }
}
