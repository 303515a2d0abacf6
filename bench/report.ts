import type { Measurement } from './load.ts';

/** A Dials measurement set against the bare-Fastify one it is compared with. */
export interface Comparison {
  measured: string;
  baseline: string;
  /** This measurement's own goal, when it is not the bench's; null for one shown only to compare. */
  goal?: number | null;
}

export interface Verdict {
  comparison: Comparison;
  /** Dials req/s as a share of the baseline's: what the goal is about. */
  ratio: number;
  /** The same share worked out from server CPU time per request, which other work on the machine barely disturbs. */
  cpuRatio: number | null;
  met: boolean;
}

const number = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const percent = (ratio: number) => `${number(ratio * 100, 1)} %`;

export function judge(measurements: Measurement[], comparisons: Comparison[], goal: number): Verdict[] {
  const find = (label: string) => {
    const found = measurements.find((measurement) => measurement.label === label);
    if (!found) throw new Error(`no measurement called "${label}"`);
    return found;
  };
  return comparisons.map((comparison) => {
    const measured = find(comparison.measured);
    const baseline = find(comparison.baseline);
    const ratio = measured.requestsPerSecond / baseline.requestsPerSecond;
    const cpuRatio = measured.cpuMicrosPerRequest && baseline.cpuMicrosPerRequest ? baseline.cpuMicrosPerRequest / measured.cpuMicrosPerRequest : null;
    return { comparison, ratio, cpuRatio, met: comparison.goal === null || ratio >= (comparison.goal ?? goal) };
  });
}

export function printReport(measurements: Measurement[], verdicts: Verdict[], goal: number): void {
  const header = ['measurement', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'server busy', 'ratio (req/s)', 'ratio (CPU)'];
  const rows = measurements.map((measurement) => {
    const verdict = verdicts.find(({ comparison }) => comparison.measured === measurement.label);
    return [
      measurement.label,
      number(measurement.requestsPerSecond),
      number(measurement.p50Ms),
      number(measurement.p99Ms),
      measurement.cpuMicrosPerRequest === null ? '?' : number(measurement.cpuMicrosPerRequest),
      measurement.cpuMicrosPerRequest === null ? '?' : percent((measurement.cpuMicrosPerRequest * measurement.requestsPerSecond) / 1e6),
      verdict ? `${percent(verdict.ratio)} of ${verdict.comparison.baseline}` : 'baseline',
      verdict?.cpuRatio ? percent(verdict.cpuRatio) : '',
    ];
  });
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)));
  const numeric = new Set([1, 2, 3, 4, 5, 7]);
  const line = (row: string[]) =>
    row.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  console.log(`\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const row of rows) console.log(line(row));
  console.log('(server busy: the share of a core the server used; well under 100 % means something else was the limit: the load generator, or other work on the machine.)');
  for (const { label, failures, statusCodes } of measurements) {
    if (failures > 0) console.log(`FAILED: ${label} had ${failures} failed requests (non-2xx, errors or timeouts); answers: ${statusCodes}.`);
  }

  if (verdicts.length === 0) return;
  console.log(`\nGoal: each Dials measurement at ≥ ${number(goal * 100)} % of the req/s of its bare-Fastify baseline, unless it names its own.`);
  for (const { comparison, ratio, cpuRatio, met } of verdicts) {
    const cpu = cpuRatio === null ? '' : ` (by server CPU per request: ${percent(cpuRatio)})`;
    if (comparison.goal === null) {
      console.log(`  shown    ${comparison.measured}: ${percent(ratio)} of ${comparison.baseline}${cpu} (no goal of its own)`);
      continue;
    }
    const own = comparison.goal === undefined ? '' : ` (its goal: ≥ ${number(comparison.goal * 100)} %)`;
    console.log(`  ${met ? 'met    ' : 'NOT met'}  ${comparison.measured}: ${percent(ratio)} of ${comparison.baseline}${cpu}${own}`);
  }
  console.log(verdicts.every(({ met }) => met) ? 'Goal met.' : 'Goal not met.');
}

/** A measurement with a goal of its own in requests per second, not a share of a baseline. */
export interface RateGoal {
  measured: string;
  /** What one request is, in words ("build events accepted"). */
  name: string;
  unit: string;
  goal: number;
}

export function printRateGoals(measurements: Measurement[], goals: RateGoal[]): void {
  for (const goal of goals) {
    const measured = measurements.find((measurement) => measurement.label === goal.measured);
    if (!measured) throw new Error(`no measurement called "${goal.measured}"`);
    const met = measured.requestsPerSecond >= goal.goal && measured.failures === 0;
    console.log(`\n${goal.name[0]!.toUpperCase()}${goal.name.slice(1)} per second: ${number(measured.requestsPerSecond)} ${goal.unit} (goal: ≥ ${number(goal.goal)} ${goal.unit}): ${met ? 'met' : 'NOT met'}.`);
  }
}
