import http from 'node:http';
import type { Scenario } from './scenario.ts';

/**
 * Open-loop load: requests are due at a fixed rate whatever the server does, as real visitors
 * arrive, and each one's latency counts from the moment it was due, not from when a connection
 * was free to send it. A closed-loop tool (each connection waits for its answer before sending
 * again) sends less while the server stalls, and so hides the stall ("coordinated omission").
 * Up to `connections` requests are in flight at once (keep-alive), like `hey -c 20 -q …`.
 */
export interface OpenLoopSettings {
  ratePerSecond: number;
  seconds: number;
  connections: number;
}

export interface TimedAnswer {
  /** When the request was due, in ms after the run started. */
  dueMs: number;
  /** From due to the last byte of the answer. */
  latencyMs: number;
  ok: boolean;
}

export interface LatencySummary {
  requests: number;
  failures: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Fires the scenario's request `ratePerSecond` times a second for `seconds`; resolves with every answer's timing. */
export async function openLoop(scenario: Scenario, settings: OpenLoopSettings): Promise<TimedAnswer[]> {
  const url = new URL(scenario.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: settings.connections });
  const body = scenario.body === undefined ? undefined : Buffer.from(scenario.body);
  const headers = { ...scenario.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
  const total = Math.round(settings.ratePerSecond * settings.seconds);
  const intervalMs = 1000 / settings.ratePerSecond;
  const answers: Promise<TimedAnswer>[] = [];
  const start = performance.now();

  const fire = (dueMs: number) =>
    new Promise<TimedAnswer>((resolve) => {
      const done = (ok: boolean) => resolve({ dueMs, latencyMs: performance.now() - start - dueMs, ok });
      const outgoing = http.request(url, { method: scenario.method, headers, agent }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => done(response.statusCode === scenario.expect.status && text.includes(scenario.expect.bodyIncludes)));
        response.on('error', () => done(false));
      });
      outgoing.setTimeout(10_000, () => outgoing.destroy(new Error('timeout')));
      outgoing.on('error', () => done(false));
      outgoing.end(body);
    });

  await new Promise<void>((finished) => {
    let sent = 0;
    const tick = () => {
      const elapsed = performance.now() - start;
      while (sent < total && sent * intervalMs <= elapsed) answers.push(fire(sent++ * intervalMs));
      if (sent < total) setTimeout(tick, Math.max(0, Math.min(1, sent * intervalMs - elapsed)));
      else finished();
    };
    tick();
  });
  const timed = await Promise.all(answers);
  agent.destroy();
  return timed;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** p50, p99 and the maximum of the answers due in [fromMs, toMs). */
export function summariseWindow(answers: TimedAnswer[], fromMs: number, toMs: number): LatencySummary {
  const inWindow = answers.filter(({ dueMs }) => dueMs >= fromMs && dueMs < toMs);
  const sorted = inWindow.map(({ latencyMs }) => latencyMs).sort((a, b) => a - b);
  return {
    requests: inWindow.length,
    failures: inWindow.filter(({ ok }) => !ok).length,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
  };
}
