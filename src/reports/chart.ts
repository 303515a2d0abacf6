import type { ActivityChart } from './weekly-types.ts';

/**
 * The page's chart as an SVG drawn on the server: one bar per day, stacked by series, in a fixed
 * view box that scales with the page. Each segment's colour is a class (the page's CSS sets the
 * fill): the content security policy allows no inline style.
 */

export const chartBox = { width: 480, height: 240, top: 16, bottom: 36, left: 36, right: 4 } as const;

export interface ChartGeometry {
  width: number;
  height: number;
  baseline: number;
  /** Where the plot begins and ends, left to right. */
  left: number;
  right: number;
  /** Horizontal grid lines with their values. */
  ticks: Array<{ y: number; value: number }>;
  bars: Array<{ x: number; width: number; labelX: number; totalY: number; segments: Array<{ y: number; height: number; colour: number; value: number; series: number }> }>;
}

/** A round step for the value axis: 1, 2 or 5 times a power of ten, giving at most four lines. */
export function tickStep(max: number): number {
  if (max <= 0) return 1;
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= rough) return Math.max(1, factor * power);
  return Math.max(1, 10 * power);
}

export function chartGeometry(chart: ActivityChart): ChartGeometry {
  const plotHeight = chartBox.height - chartBox.top - chartBox.bottom;
  const plotWidth = chartBox.width - chartBox.left - chartBox.right;
  const baseline = chartBox.top + plotHeight;
  const step = tickStep(chart.max);
  const top = Math.max(step, Math.ceil(chart.max / step) * step);
  const scale = (value: number) => (value / top) * plotHeight;
  const ticks: ChartGeometry['ticks'] = [];
  for (let value = 0; value <= top; value += step) ticks.push({ y: round(baseline - scale(value)), value });
  const slot = plotWidth / chart.days.length;
  const barWidth = slot * 0.6;
  const bars = chart.days.map((day, index) => {
    const x = chartBox.left + index * slot + (slot - barWidth) / 2;
    let y = baseline;
    const segments: ChartGeometry['bars'][number]['segments'] = [];
    for (const [series, value] of day.values.entries()) {
      if (value <= 0) continue;
      const height = scale(value);
      y -= height;
      segments.push({ y: round(y), height: round(height), colour: chart.series[series]?.colour ?? series, value, series });
    }
    return { x: round(x), width: round(barWidth), labelX: round(x + barWidth / 2), totalY: round(y - 4), segments };
  });
  return { width: chartBox.width, height: chartBox.height, baseline, left: chartBox.left, right: chartBox.width - chartBox.right, ticks, bars };
}

const round = (value: number) => Math.round(value * 10) / 10;
