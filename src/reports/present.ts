import type { TFunction } from 'i18next';
import { formatDate, type TimestampPreferences } from '../lib/datetime-format.ts';
import type { ActivityChart, BuildFigures, IssueBadge, WeeklyReport } from './weekly-types.ts';
import { issueBadges } from './weekly-types.ts';

/**
 * A report as a reader reads it: every number, duration, date and label written out in their
 * language and formats. The page and both parts of the mail print this, so they say the same.
 */

/** The chart's colours, one per series (the five busiest projects, then "others"); the page's CSS has the same. */
export const seriesColours = ['#2f4fc7', '#c2410c', '#047857', '#a21caf', '#b45309', '#64748b'] as const;

// Building an Intl formatter costs far more than using one: each is built once per language (and zone).
const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(language: string, name: string, options: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = `${language}|${name}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(language, options);
    numberFormats.set(key, format);
  }
  return format;
}

const weekdayFormats = new Map<string, Intl.DateTimeFormat>();
function weekdayFormat(language: string, timeZone: string, weekday: 'short' | 'long'): Intl.DateTimeFormat {
  const key = `${language}|${timeZone}|${weekday}`;
  let format = weekdayFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(language, { weekday, timeZone });
    weekdayFormats.set(key, format);
  }
  return format;
}

/** A day's date and weekday names in a reader's format, remembered: a weekly run shows the same seven days to everyone. */
const dayLabels = new Map<string, { weekday: string; weekdayLong: string; date: string }>();
function dayLabel(start: Date, preferences: TimestampPreferences): { weekday: string; weekdayLong: string; date: string } {
  const key = `${start.getTime()}|${preferences.language}|${preferences.timeZone}|${preferences.dateFormat}`;
  let label = dayLabels.get(key);
  if (!label) {
    label = {
      weekday: weekdayFormat(preferences.language, preferences.timeZone, 'short').format(start),
      weekdayLong: weekdayFormat(preferences.language, preferences.timeZone, 'long').format(start),
      date: formatDate(start, preferences),
    };
    if (dayLabels.size >= 5000) dayLabels.clear();
    dayLabels.set(key, label);
  }
  return label;
}

/** Small counts written out once per language: a report holds a hundred of them, most below a thousand. */
const smallCounts = new Map<string, string[]>();
const smallCountLimit = 1000;

export function formatCount(value: number, language: string): string {
  if (!Number.isInteger(value) || value < 0 || value >= smallCountLimit) return numberFormat(language, 'count').format(value);
  let written = smallCounts.get(language);
  if (!written) {
    const format = numberFormat(language, 'count');
    written = Array.from({ length: smallCountLimit }, (_, count) => format.format(count));
    smallCounts.set(language, written);
  }
  return written[value] ?? numberFormat(language, 'count').format(value);
}

export function formatRate(rate: number | null, language: string): string | null {
  return rate === null ? null : numberFormat(language, 'percent', { style: 'percent', maximumFractionDigits: 1 }).format(rate);
}

/**
 * "45 s", "3 min 20 s", "1 h 5 min", in the language's own unit words. A number and its unit are
 * joined by a no-break space, so a narrow column never parts them ("11 / min").
 */
export function formatDuration(ms: number, language: string): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  const unit = (value: number, name: 'hour' | 'minute' | 'second') =>
    numberFormat(language, name, { style: 'unit', unit: name, unitDisplay: 'short' }).format(value).replace(/[ \u202f]/g, '\u00a0');
  if (seconds < 60) return unit(seconds, 'second');
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? unit(minutes, 'minute') : `${unit(minutes, 'minute')} ${unit(seconds % 60, 'second')}`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? unit(hours, 'hour') : `${unit(hours, 'hour')} ${unit(minutes % 60, 'minute')}`;
}

/** A change with its sign: "+3", "−2", "±0". */
function signed(text: string, value: number): string {
  if (value > 0) return `+${text}`;
  if (value < 0) return `\u2212${text}`;
  return `\u00b10`;
}

export interface ShownChange {
  text: string;
  direction: 'up' | 'down' | 'same';
}

const directionOf = (value: number): ShownChange['direction'] => (value > 0 ? 'up' : value < 0 ? 'down' : 'same');

function buildRows(figures: BuildFigures, previous: BuildFigures, t: TFunction, language: string) {
  const none = t('reports.none');
  const runsChange = figures.runs - previous.runs;
  const rateChange = figures.successRate !== null && previous.successRate !== null ? figures.successRate - previous.successRate : null;
  const medianChange = figures.medianMs !== null && previous.medianMs !== null ? figures.medianMs - previous.medianMs : null;
  return {
    runs: formatCount(figures.runs, language),
    finished: formatCount(figures.finished, language),
    failed: formatCount(figures.failed, language),
    terminated: formatCount(figures.terminated, language),
    running: formatCount(figures.running, language),
    successRate: formatRate(figures.successRate, language) ?? none,
    median: figures.medianMs === null ? none : formatDuration(figures.medianMs, language),
    p95: figures.p95Ms === null ? none : formatDuration(figures.p95Ms, language),
    change: {
      runs: { text: signed(formatCount(Math.abs(runsChange), language), runsChange), direction: directionOf(runsChange) } as ShownChange,
      successRate:
        rateChange === null
          ? null
          : ({ text: t('reports.builds.points', { value: signed(numberFormat(language, 'decimal', { maximumFractionDigits: 1 }).format(Math.abs(rateChange * 100)), Math.round(rateChange * 1000)) }), direction: directionOf(Math.round(rateChange * 1000)) } as ShownChange),
      median: medianChange === null ? null : ({ text: signed(formatDuration(medianChange, language), Math.round(medianChange / 1000)), direction: directionOf(Math.round(medianChange / 1000)) } as ShownChange),
    },
  };
}

export interface ShownChart {
  series: Array<{ label: string; colour: string; colourIndex: number; total: string }>;
  /** A day still to come (the week is not over) has no figures: its texts are "—" and it draws no bar. */
  days: Array<{ weekday: string; date: string; short: string; long: string; toCome: boolean; total: number; totalText: string; eventsText: string; parts: Array<{ label: string; colour: string; colourIndex: number; value: number; valueText: string }> }>;
  max: number;
  empty: boolean;
}

function shownChart(chart: ActivityChart, t: TFunction, preferences: TimestampPreferences, now: number | null): ShownChart {
  const language = preferences.language;
  const none = t('reports.none');
  const labelOf = (series: ActivityChart['series'][number]) => series.name ?? t('reports.chart.others');
  return {
    series: chart.series.map((series) => ({ label: labelOf(series), colour: seriesColours[series.colour] ?? '#64748b', colourIndex: series.colour, total: formatCount(series.total, language) })),
    days: chart.days.map((day) => {
      const label = dayLabel(day.start, preferences);
      const date = label.date.replace(/[/.-]?\d{4}[/.-]?/, '');
      const toCome = now !== null && day.start.getTime() > now;
      return {
      weekday: label.weekday,
      date,
      short: `${label.weekday} ${date}`,
      long: `${label.weekdayLong} ${label.date}`,
      toCome,
      total: day.total,
      totalText: toCome ? none : formatCount(day.total, language),
      eventsText: toCome ? t('reports.chart.toCome') : eventsText(t, day.total, language),
      parts: chart.series.map((series, index) => ({
        label: labelOf(series),
        colour: seriesColours[series.colour] ?? '#64748b',
        colourIndex: series.colour,
        value: day.values[index] ?? 0,
        valueText: toCome ? none : formatCount(day.values[index] ?? 0, language),
      })),
      };
    }),
    max: chart.max,
    empty: chart.max === 0,
  };
}

/** "1 event", "12 events": the count written out, the noun in the plural form the language wants for it. */
export function eventsText(t: TFunction, count: number, language: string): string {
  return t('reports.chart.events', { count, value: formatCount(count, language) });
}

/** The ISO week-year of a week's name ("2026" of "2026-W05"). */
export const weekYearOf = (week: string): string => week.slice(0, week.indexOf('-W'));

/**
 * Everything the page and the mail print, in the reader's words. With `now`, a week that has not
 * ended by then is shown as one in progress: its days still to come have no figures.
 */
export function presentReport(report: WeeklyReport, t: TFunction, preferences: TimestampPreferences, links: { issue: (id: number) => string; now?: number }) {
  const language = preferences.language;
  const zoned = { ...preferences, timeZone: report.timeZone };
  const lastDay = report.issues.activity.days[6]?.start ?? new Date(report.end.getTime() - 1);
  const badge = (value: IssueBadge) => t(`reports.badges.${value}`);
  const builds = report.builds;
  const from = dayLabel(report.start, zoned).date;
  const to = dayLabel(lastDay, zoned).date;
  return {
    title: t('reports.title', { organization: report.organization.name, week: report.weekNumber, year: weekYearOf(report.week) }),
    inProgress: links.now !== undefined && report.end.getTime() > links.now,
    from,
    to,
    period: t('reports.period', { from, to }),
    zoneNote: t('reports.zone', { zone: report.timeZone }),
    summary: {
      events: formatCount(report.issues.events, language),
      newIssues: formatCount(report.issues.newIssues, language),
      regressedIssues: formatCount(report.issues.regressedIssues, language),
      runs: formatCount(builds.total.runs, language),
      successRate: formatRate(builds.total.successRate, language) ?? t('reports.none'),
    },
    chart: shownChart(report.issues.activity, t, zoned, links.now ?? null),
    issues: {
      any: report.issues.events > 0,
      events: formatCount(report.issues.events, language),
      previousEvents: formatCount(report.issues.previousEvents, language),
      previousWeek: t('reports.issues.previousWeek', { count: report.issues.previousEvents, value: formatCount(report.issues.previousEvents, language) }),
      byLevel: report.issues.byLevel.map((entry) => ({ label: t(`orgs.issueLevels.${entry.level}`), events: formatCount(entry.events, language) })),
      byProject: report.issues.byProject.map((entry) => ({ name: entry.name, events: formatCount(entry.events, language) })),
      keyIssues: report.issues.keyIssues.map((issue) => ({ ...issue, url: links.issue(issue.id), events: formatCount(issue.events, language), badgeLabel: badge(issue.badge), levelLabel: t(`orgs.issueLevels.${issue.level}`) })),
      byState: issueBadges.map((state) => ({ state, label: badge(state), count: formatCount(report.issues.byState[state], language) })),
    },
    builds: {
      any: builds.total.runs > 0 || builds.previous.runs > 0,
      total: buildRows(builds.total, builds.previous, t, language),
      stillRunning: t('reports.builds.stillRunning', { count: builds.total.running, value: formatCount(builds.total.running, language) }),
      pipelines: builds.pipelines.map((pipeline) => ({ name: pipeline.name, project: pipeline.project.name, ...buildRows(pipeline, pipeline.previous, t, language) })),
      slowest: builds.slowest.map((pipeline) => ({ name: pipeline.name, project: pipeline.project.name, ...buildRows(pipeline, pipeline.previous, t, language) })),
    },
  };
}

export type PresentedReport = ReturnType<typeof presentReport>;
