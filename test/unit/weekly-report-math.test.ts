import { describe, expect, it } from 'vitest';
import { busiest, change, dayIndex, median, percentile, sortedDurations, successRate } from '../../src/reports/stats.ts';
import { activityChart, changeOf } from '../../src/reports/weekly-builder.ts';
import { dayBounds, isFutureWeek, lastFinishedWeek, parseWeek, shiftWeek, weekBounds, weekName, weekOf } from '../../src/reports/weeks.ts';
import { formatDuration } from '../../src/reports/present.ts';

const iso = (ms: number) => new Date(ms).toISOString();

describe('percentiles', () => {
  it('interpolate between the nearest ranks', () => {
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(median([5, 1, 3].sort((a, b) => a - b))).toBe(3);
    expect(percentile(Array.from({ length: 20 }, (_, index) => index + 1), 95)).toBeCloseTo(19.05, 10);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
    expect(percentile([10, 20], 0)).toBe(10);
    expect(percentile([10, 20], 100)).toBe(20);
  });

  it('sort durations numerically, not as text', () => {
    expect([...sortedDurations([900, 80_000, 100, 7000])]).toEqual([100, 900, 7000, 80_000]);
  });
});

describe('weeks in a zone', () => {
  it('read only ISO weeks that exist', () => {
    expect(parseWeek('2026-W47')).toEqual({ weekYear: 2026, weekNumber: 47 });
    expect(parseWeek('2026-W53')).toEqual({ weekYear: 2026, weekNumber: 53 });
    expect(parseWeek('2025-W53')).toBeNull();
    expect(parseWeek('2026-W00')).toBeNull();
    expect(parseWeek('2026-W7')).toBeNull();
    expect(parseWeek('2026-w07')).toBeNull();
    expect(parseWeek('latest')).toBeNull();
    expect(weekName({ weekYear: 2026, weekNumber: 7 })).toBe('2026-W07');
  });

  it('run from Monday 00:00 to Monday 00:00 on the local clock', () => {
    const week = { weekYear: 2026, weekNumber: 47 };
    expect(iso(weekBounds(week, 'UTC').start)).toBe('2026-11-16T00:00:00.000Z');
    expect(iso(weekBounds(week, 'Europe/Berlin').start)).toBe('2026-11-15T23:00:00.000Z');
    expect(iso(weekBounds(week, 'America/New_York').end)).toBe('2026-11-23T05:00:00.000Z');
    expect(iso(weekBounds(week, 'Asia/Kathmandu').start)).toBe('2026-11-15T18:15:00.000Z');
  });

  it('have a 23-hour day in the week clocks go forward, and a 25-hour one when they go back', () => {
    // Europe: forward on Sunday 29 March 2026 (week 13), back on Sunday 25 October 2026 (week 43).
    const spring = dayBounds({ weekYear: 2026, weekNumber: 13 }, 'Europe/Berlin');
    const autumn = dayBounds({ weekYear: 2026, weekNumber: 43 }, 'Europe/Berlin');
    const hours = (bounds: number[], day: number) => ((bounds[day + 1] ?? 0) - (bounds[day] ?? 0)) / 3_600_000;
    expect(hours(spring, 6)).toBe(23);
    expect(hours(spring, 0)).toBe(24);
    expect(hours(autumn, 6)).toBe(25);
    expect(((autumn[7] ?? 0) - (autumn[0] ?? 0)) / 3_600_000).toBe(169);
  });

  it('name the week an instant falls in, the last finished one, and their neighbours', () => {
    const sundayEvening = Date.parse('2026-11-22T23:30:00Z');
    expect(weekName(weekOf(sundayEvening, 'UTC'))).toBe('2026-W47');
    expect(weekName(weekOf(sundayEvening, 'Europe/Berlin'))).toBe('2026-W48');
    expect(weekName(lastFinishedWeek(sundayEvening, 'Europe/Berlin'))).toBe('2026-W47');
    expect(weekName(shiftWeek({ weekYear: 2026, weekNumber: 1 }, -1))).toBe('2025-W52');
    expect(weekName(shiftWeek({ weekYear: 2026, weekNumber: 53 }, 1))).toBe('2027-W01');
    expect(isFutureWeek({ weekYear: 2026, weekNumber: 48 }, sundayEvening, 'UTC')).toBe(true);
    expect(isFutureWeek({ weekYear: 2026, weekNumber: 48 }, sundayEvening, 'Europe/Berlin')).toBe(false);
  });
});

describe('days in a zone', () => {
  it('a build at 23:30 UTC on Sunday is on Sunday in London and on Monday in Berlin', () => {
    const at = Date.parse('2026-11-22T23:30:00Z');
    expect(dayIndex(dayBounds({ weekYear: 2026, weekNumber: 47 }, 'Europe/London'), at)).toBe(6);
    expect(dayIndex(dayBounds({ weekYear: 2026, weekNumber: 47 }, 'Europe/Berlin'), at)).toBe(-1);
    expect(dayIndex(dayBounds({ weekYear: 2026, weekNumber: 48 }, 'Europe/Berlin'), at)).toBe(0);
    expect(dayIndex(dayBounds({ weekYear: 2026, weekNumber: 47 }, 'America/Los_Angeles'), at)).toBe(6);
    // 13:30 on Monday at UTC+14.
    expect(dayIndex(dayBounds({ weekYear: 2026, weekNumber: 48 }, 'Pacific/Kiritimati'), at)).toBe(0);
  });
});

describe('the busiest five and the others', () => {
  it('keeps five by total, the first given on ties, and adds up the rest', () => {
    const entries = [3, 9, 0, 9, 1, 4, 2, 7].map((total, index) => ({ key: `p${index}`, total }));
    const { top, rest, restTotal } = busiest(entries, 5);
    expect(top.map((entry) => entry.key)).toEqual(['p1', 'p3', 'p7', 'p5', 'p0']);
    expect(rest.map((entry) => entry.key)).toEqual(['p6', 'p4']);
    expect(restTotal).toBe(3);
  });

  it('stacks each day by the five busiest projects, then others', () => {
    const projects = [1, 2, 3, 4, 5, 6, 7].map((id) => ({ id, name: `P${id}`, events: 0 }));
    const days = new Map<number, number[]>();
    for (const project of projects) {
      const perDay = [0, 0, 0, 0, 0, 0, 0].map((_, day) => (day === project.id % 7 ? project.id * 10 : 1));
      days.set(project.id, perDay);
      project.events = perDay.reduce((sum, value) => sum + value, 0);
    }
    const week = { weekYear: 2026, weekNumber: 47 };
    const chart = activityChart({ week }, { bounds: dayBounds(week, 'UTC') }, [...projects].sort((a, b) => b.events - a.events), days);
    expect(chart.series.map((series) => series.name)).toEqual(['P7', 'P6', 'P5', 'P4', 'P3', null]);
    expect(chart.series.map((series) => series.colour)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(chart.series.at(-1)?.total).toBe((20 + 6) + (10 + 6));
    expect(chart.days.map((day) => day.date)).toEqual(['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22']);
    // Monday (day 0) holds P7's seventy; the others one each.
    expect(chart.days[0]?.values).toEqual([70, 1, 1, 1, 1, 2]);
    expect(chart.days[0]?.total).toBe(76);
    expect(chart.max).toBe(76);
  });

  it('has no "others" when five projects or fewer had events', () => {
    const week = { weekYear: 2026, weekNumber: 47 };
    const chart = activityChart({ week }, { bounds: dayBounds(week, 'UTC') }, [{ id: 1, name: 'Web', events: 2 }], new Map([[1, [1, 0, 0, 0, 0, 0, 1]]]));
    expect(chart.series).toEqual([{ projectId: 1, name: 'Web', colour: 0, total: 2 }]);
    expect(chart.days.map((day) => day.total)).toEqual([1, 0, 0, 0, 0, 0, 1]);
  });
});

describe('the change from the week before', () => {
  const figures = (runs: number, rate: number | null, medianMs: number | null) => ({ runs, finished: runs, succeeded: 0, failed: 0, terminated: 0, running: 0, successRate: rate, medianMs, p95Ms: null });
  it('is this week minus the one before, or nothing when either has no value', () => {
    expect(changeOf(figures(12, 0.75, 90_000), figures(10, 0.5, 120_000))).toEqual({ runs: 2, successRate: 0.25, medianMs: -30_000 });
    expect(changeOf(figures(3, 1, 60_000), figures(0, null, null))).toEqual({ runs: 3, successRate: null, medianMs: null });
    expect(change(null, 4)).toBeNull();
    expect(successRate(3, 4)).toBe(0.75);
    expect(successRate(0, 0)).toBeNull();
  });
});

describe('durations', () => {
  it('read in the language', () => {
    // A no-break space between a number and its unit, a plain one between the parts.
    expect(formatDuration(45_000, 'en')).toBe('45\u00a0sec');
    expect(formatDuration(200_000, 'en')).toBe('3\u00a0min 20\u00a0sec');
    expect(formatDuration(3_900_000, 'en')).toBe('1\u00a0hr 5\u00a0min');
    expect(formatDuration(200_000, 'de')).toBe('3\u00a0Min. 20\u00a0Sek.');
  });
});
