import type { Measurement } from './load.ts';

/** A Dials measurement set against the bare-Fastify one it is compared with. */
export interface Comparison {
  measured: string;
  baseline: string;
}

export interface Verdict {
  comparison: Comparison;
  ratio: number;
  met: boolean;
}

const number = (value: number, digits = 0) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export function judge(measurements: Measurement[], comparisons: Comparison[], goal: number): Verdict[] {
  const find = (label: string) => {
    const found = measurements.find((measurement) => measurement.label === label);
    if (!found) throw new Error(`no measurement called "${label}"`);
    return found;
  };
  return comparisons.map((comparison) => {
    const ratio = find(comparison.measured).requestsPerSecond / find(comparison.baseline).requestsPerSecond;
    return { comparison, ratio, met: ratio >= goal };
  });
}

export function printReport(measurements: Measurement[], verdicts: Verdict[], goal: number): void {
  const rows = measurements.map((measurement) => {
    const verdict = verdicts.find(({ comparison }) => comparison.measured === measurement.label);
    return [
      measurement.label,
      number(measurement.requestsPerSecond),
      number(measurement.p50Ms),
      number(measurement.p99Ms),
      verdict ? `${number(verdict.ratio * 100, 1)} % of ${verdict.comparison.baseline}` : 'baseline',
      measurement.failures > 0 ? `FAILED (${measurement.statusCodes})` : measurement.statusCodes,
    ];
  });
  const table = [['measurement', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'answers'], ...rows];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  const numeric = new Set([1, 2, 3]);
  const line = (row: string[]) =>
    row.map((cell, column) => (numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  console.log(`\n${line(table[0]!)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const row of rows) console.log(line(row));

  console.log(`\nGoal: every Dials measurement at ≥ ${number(goal * 100)} % of the requests/s of its bare-Fastify baseline.`);
  for (const { comparison, ratio, met } of verdicts) {
    console.log(`  ${met ? 'met    ' : 'NOT met'}  ${comparison.measured}: ${number(ratio * 100, 1)} % of ${comparison.baseline}`);
  }
  console.log(verdicts.every(({ met }) => met) ? 'Goal met.' : 'Goal not met.');
}
