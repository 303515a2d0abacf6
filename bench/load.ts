import autocannon from 'autocannon';
import type { Scenario } from './scenario.ts';

export interface LoadSettings {
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
  /** Non-2xx answers, connection errors and timeouts, summed; any of them spoils the measurement. */
  failures: number;
  statusCodes: string;
}

/** Loads the scenario's URL for a warm-up (discarded), then for the measured period. */
export async function measure(scenario: Scenario, settings: LoadSettings): Promise<Measurement> {
  const options = {
    url: scenario.url,
    method: scenario.method,
    headers: scenario.headers,
    ...(scenario.body === undefined ? {} : { body: scenario.body }),
    connections: settings.connections,
    pipelining: 1,
    timeout: 10,
  };
  await autocannon({ ...options, duration: settings.warmUpSeconds });
  const result = await autocannon({ ...options, duration: settings.seconds });
  const requests = Object.values(result.statusCodeStats).reduce((sum, { count }) => sum + Number(count), 0);
  return {
    label: scenario.label,
    requestsPerSecond: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests,
    failures: result.non2xx + result.errors + result.timeouts,
    statusCodes: Object.entries(result.statusCodeStats)
      .map(([code, { count }]) => `${code}×${count}`)
      .join(' '),
  };
}
