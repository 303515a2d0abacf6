import autocannon from 'autocannon';
import type { Scenario } from './scenario.ts';

export interface LoadSettings {
  /** Seconds of load before the first measurement of a scenario, whose results are thrown away. */
  warmUpSeconds: number;
  seconds: number;
  connections: number;
}

export interface Measurement {
  label: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** The server's CPU time per request (µs), which other work on the machine barely changes; null when unknown. */
  cpuMicrosPerRequest: number | null;
  /** Non-2xx answers, connection errors and timeouts, summed; any of them spoils the measurement. */
  failures: number;
  statusCodes: string;
}

/**
 * Gives each request the next of `bodies`, counted over all connections (not for each), so that
 * requests arriving one after another carry different bodies: a save that changes its row each time.
 */
function inTurn(bodies: string[]): (request: { body?: string }) => { body?: string } {
  let sent = 0;
  return (request) => ({ ...request, body: bodies[sent++ % bodies.length] });
}

/** Loads the scenario's URL for `seconds` (after a warm-up when asked), reading the server's CPU clock around it. */
export async function measure(
  scenario: Scenario,
  settings: LoadSettings,
  options: { warmUp: boolean; serverCpuSeconds: () => number | null },
): Promise<Measurement> {
  const load = {
    url: scenario.url,
    method: scenario.method,
    headers: scenario.headers,
    ...(scenario.body === undefined ? {} : { body: scenario.body }),
    ...(scenario.alternateBodies === undefined ? {} : { requests: [{ setupRequest: inTurn(scenario.alternateBodies) }] }),
    ...(scenario.freshIds ? { idReplacement: true } : {}),
    connections: settings.connections,
    pipelining: 1,
    timeout: 10,
  };
  if (options.warmUp) await autocannon({ ...load, duration: settings.warmUpSeconds });
  const cpuBefore = options.serverCpuSeconds();
  const result = await autocannon({ ...load, duration: settings.seconds });
  const cpuAfter = options.serverCpuSeconds();
  const requests = Object.values(result.statusCodeStats).reduce((sum, { count }) => sum + Number(count), 0);
  return {
    label: scenario.label,
    requestsPerSecond: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests,
    cpuMicrosPerRequest: cpuBefore === null || cpuAfter === null || requests === 0 ? null : ((cpuAfter - cpuBefore) * 1e6) / requests,
    failures: result.non2xx + result.errors + result.timeouts,
    statusCodes: Object.entries(result.statusCodeStats)
      .map(([code, { count }]) => `${code}×${count}`)
      .join(' '),
  };
}

/**
 * The best of several rounds of one scenario: other work on the machine only ever slows a
 * round down, so the fastest round (and the lowest CPU per request) is the truest. Failures add up.
 */
export function bestOf(rounds: Measurement[]): Measurement {
  const fastest = rounds.reduce((best, round) => (round.requestsPerSecond > best.requestsPerSecond ? round : best));
  const cpu = rounds.map((round) => round.cpuMicrosPerRequest).filter((micros) => micros !== null);
  const failed = rounds.filter((round) => round.failures > 0);
  return {
    ...fastest,
    cpuMicrosPerRequest: cpu.length > 0 ? Math.min(...cpu) : null,
    failures: failed.reduce((sum, round) => sum + round.failures, 0),
    statusCodes: (failed[0] ?? fastest).statusCodes,
  };
}
