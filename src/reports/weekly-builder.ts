import type { Db } from '../db/client.ts';
import { levelsShown, readOrganizationActivity, statusCodes, type IssueInfo, type OrganizationActivity } from '../platform/weekly-activity.ts';
import { busiest, change, dayIndex, percentile, sortedDurations, successRate } from './stats.ts';
import { composeWeeklyReportMail } from './weekly-mail.ts';
import { dayBounds, dayDates, isKnownZone, parseWeek, shiftWeek, weekBounds, weekName, type ParsedWeek } from './weeks.ts';
import type {
  ActivityChart,
  BuildChange,
  BuildFigures,
  IsoWeekName,
  IssueBadge,
  KeyIssue,
  OrganizationWeek,
  PipelineFigures,
  WeeklyReport,
  WeeklyReportBuilder,
} from './weekly-types.ts';

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;
/** Zones run from UTC−12 to UTC+14: the week read in UTC, widened by this on both sides, holds every reader's week. */
const zoneMarginMs = 14 * hourMs;
export const seriesShown = 5;
const keyIssuesShown = 5;
const slowestShown = 5;

/** An organization's fortnight (the week and the one before, widened for every zone). */
type WeekData = OrganizationActivity & { week: ParsedWeek };

/** Where each build and each event bucket falls for readers in one zone. */
interface ZoneView {
  zone: string;
  bounds: number[];
  previousBounds: number[];
  /** Per build: 1 this week, 2 the week before, 0 neither. */
  buildPeriod: Uint8Array;
  /** Per bucket: the day of this week (0 to 6), 7 for the week before, 255 for neither. */
  bucketDay: Uint8Array;
}

/**
 * Reads an organization's week in six queries whatever its size (platform/weekly-activity.ts), then derives each reader's report from that
 * in memory: days counted in the reader's zone, left-out projects dropped. Readers with the same
 * zone and the same left-out projects share one report.
 */
export function createWeeklyReportBuilder(db: Db): WeeklyReportBuilder {
  return {
    async organizationWeek(organizationId: number, week: IsoWeekName): Promise<OrganizationWeek | null> {
      const parsed = parseWeek(week);
      if (!parsed) return null;
      const utc = weekBounds(parsed, 'UTC');
      const activity = await readOrganizationActivity(db, organizationId, { from: utc.start - 7 * dayMs - zoneMarginMs, to: utc.end + zoneMarginMs });
      return activity ? organizationWeekOf({ ...activity, week: parsed }) : null;
    },
    mail: composeWeeklyReportMail,
  };
}

/** The organization's week as readers ask for it: one view per zone, one report per zone and left-out projects. */
export function organizationWeekOf(data: WeekData): OrganizationWeek {
  const zones = new Map<string, ZoneView>();
  const reports = new Map<string, WeeklyReport | null>();
  return {
    forMember(member) {
      const timeZone = zones.has(member.timeZone) || isKnownZone(member.timeZone) ? member.timeZone : 'UTC';
      const excluded = [...new Set(member.excludedProjectIds)].filter((id) => data.projectIds.has(id)).sort((a, b) => a - b);
      const key = `${timeZone}|${excluded.join(',')}`;
      const known = reports.get(key);
      if (known !== undefined) return known;
      let zone = zones.get(timeZone);
      if (!zone) {
        zone = zoneViewOf(data, timeZone);
        zones.set(timeZone, zone);
      }
      const report = reportFor(data, zone, new Set(excluded));
      reports.set(key, report);
      return report;
    },
  };
}

function zoneViewOf(data: WeekData, zone: string): ZoneView {
  const bounds = dayBounds(data.week, zone);
  const previousBounds = dayBounds(shiftWeek(data.week, -1), zone);
  const weekStart = bounds[0] ?? 0;
  const weekEnd = bounds[7] ?? 0;
  const previousStart = previousBounds[0] ?? 0;
  const buildPeriod = new Uint8Array(data.buildStart.length);
  for (let index = 0; index < buildPeriod.length; index += 1) {
    const at = data.buildStart[index] ?? 0;
    buildPeriod[index] = at >= weekStart && at < weekEnd ? 1 : at >= previousStart && at < weekStart ? 2 : 0;
  }
  const bucketDay = new Uint8Array(data.bucketStart.length);
  for (let index = 0; index < bucketDay.length; index += 1) {
    const at = data.bucketStart[index] ?? 0;
    const day = dayIndex(bounds, at);
    bucketDay[index] = day >= 0 ? day : at >= previousStart && at < weekStart ? 7 : 255;
  }
  return { zone, bounds, previousBounds, buildPeriod, bucketDay };
}

interface BuildTally {
  runs: number;
  succeeded: number;
  failed: number;
  terminated: number;
  running: number;
  durations: number[];
}

const emptyTally = (): BuildTally => ({ runs: 0, succeeded: 0, failed: 0, terminated: 0, running: 0, durations: [] });

/** Durations are kept to the millisecond: an interpolated percentile is rounded to one. */
const wholeMs = (value: number | null) => (value === null ? null : Math.round(value));

function figuresOf(tally: BuildTally): BuildFigures {
  const sorted = sortedDurations(tally.durations);
  const finished = tally.succeeded + tally.failed + tally.terminated;
  return {
    runs: tally.runs,
    finished,
    succeeded: tally.succeeded,
    failed: tally.failed,
    terminated: tally.terminated,
    running: tally.running,
    successRate: successRate(tally.succeeded, finished),
    medianMs: wholeMs(percentile(sorted, 50)),
    p95Ms: wholeMs(percentile(sorted, 95)),
  };
}

export function changeOf(current: BuildFigures, previous: BuildFigures): BuildChange {
  return { runs: current.runs - previous.runs, successRate: change(current.successRate, previous.successRate), medianMs: change(current.medianMs, previous.medianMs) };
}

function addTo(total: BuildTally, part: BuildTally): void {
  total.runs += part.runs;
  total.succeeded += part.succeeded;
  total.failed += part.failed;
  total.terminated += part.terminated;
  total.running += part.running;
  for (const duration of part.durations) total.durations.push(duration);
}

/** The status of an issue when `at` came: from its changes in the window, or (none before) its present status. */
function statusAt(issue: IssueInfo, at: number): 'resolved' | 'unresolved' {
  let last: IssueInfo['changes'][number] | undefined;
  let firstAfter: IssueInfo['changes'][number] | undefined;
  for (const each of issue.changes) {
    if (each.at < at) last = each;
    else if (!firstAfter) firstAfter = each;
  }
  if (last) return last.kind === 'resolved' ? 'resolved' : 'unresolved';
  if (firstAfter) return firstAfter.kind === 'resolved' ? 'unresolved' : 'resolved';
  return issue.status;
}

function reportFor(data: WeekData, zone: ZoneView, excluded: ReadonlySet<number>): WeeklyReport | null {
  const weekStart = zone.bounds[0] ?? 0;
  const weekEnd = zone.bounds[7] ?? 0;

  // Builds, per pipeline and in total, this week and the week before.
  const current = data.pipelines.map(emptyTally);
  const previous = data.pipelines.map(emptyTally);
  for (let index = 0; index < zone.buildPeriod.length; index += 1) {
    const period = zone.buildPeriod[index];
    if (period === 0) continue;
    const pipeline = data.buildPipeline[index] ?? 0;
    if (excluded.has(data.pipelines[pipeline]?.project.id ?? 0)) continue;
    const tally = (period === 1 ? current : previous)[pipeline];
    if (!tally) continue;
    tally.runs += 1;
    const status = data.buildStatus[index];
    if (status === statusCodes.running) {
      tally.running += 1;
      continue;
    }
    if (status === statusCodes.success) tally.succeeded += 1;
    else if (status === statusCodes.failed) tally.failed += 1;
    else tally.terminated += 1;
    tally.durations.push(data.buildDuration[index] ?? 0);
  }
  const total = emptyTally();
  const previousTotal = emptyTally();
  const pipelineFigures: PipelineFigures[] = [];
  for (const [index, pipeline] of data.pipelines.entries()) {
    const now = current[index] ?? emptyTally();
    const before = previous[index] ?? emptyTally();
    addTo(total, now);
    addTo(previousTotal, before);
    if (now.runs === 0 && before.runs === 0) continue;
    const figures = figuresOf(now);
    const previousFigures = figuresOf(before);
    pipelineFigures.push({ ...figures, id: pipeline.id, name: pipeline.name, project: pipeline.project, previous: previousFigures, change: changeOf(figures, previousFigures) });
  }
  const totalFigures = figuresOf(total);
  const previousFigures = figuresOf(previousTotal);

  // Events, by level, project, issue and day.
  const perIssue = new Float64Array(data.issues.length);
  const byLevel = new Float64Array(levelsShown.length);
  const projectTotals = new Map<number, number>();
  const projectDays = new Map<number, number[]>();
  let events = 0;
  let previousEvents = 0;
  for (let index = 0; index < zone.bucketDay.length; index += 1) {
    const day = zone.bucketDay[index] ?? 255;
    if (day === 255) continue;
    const issueIndex = data.bucketIssue[index] ?? 0;
    const projectId = data.issues[issueIndex]?.projectId ?? 0;
    if (excluded.has(projectId)) continue;
    const count = data.bucketCount[index] ?? 0;
    if (day === 7) {
      previousEvents += count;
      continue;
    }
    events += count;
    perIssue[issueIndex] = (perIssue[issueIndex] ?? 0) + count;
    const level = data.bucketLevel[index] ?? 0;
    byLevel[level] = (byLevel[level] ?? 0) + count;
    projectTotals.set(projectId, (projectTotals.get(projectId) ?? 0) + count);
    let days = projectDays.get(projectId);
    if (!days) {
      days = [0, 0, 0, 0, 0, 0, 0];
      projectDays.set(projectId, days);
    }
    days[day] = (days[day] ?? 0) + count;
  }

  if (totalFigures.runs === 0 && events === 0) return null;

  // Issues: new, regressed, the week's by badge, the busiest.
  const projectById = new Map(data.projects.map((project) => [project.id, project]));
  let newIssues = 0;
  let regressedIssues = 0;
  const byState: Record<IssueBadge, number> = { new: 0, regressed: 0, ongoing: 0, resolved: 0 };
  const weekIssues: KeyIssue[] = [];
  for (const [index, issue] of data.issues.entries()) {
    if (excluded.has(issue.projectId)) continue;
    const isNew = issue.firstSeen >= weekStart && issue.firstSeen < weekEnd;
    const regressed = issue.changes.some((each) => each.kind === 'regressed' && each.at >= weekStart && each.at < weekEnd);
    const resolvedInWeek = issue.changes.some((each) => each.kind === 'resolved' && each.at >= weekStart && each.at < weekEnd);
    if (isNew) newIssues += 1;
    if (regressed) regressedIssues += 1;
    const issueEvents = perIssue[index] ?? 0;
    if (issueEvents === 0 && !resolvedInWeek) continue;
    const badge: IssueBadge = statusAt(issue, weekEnd) === 'resolved' ? 'resolved' : isNew ? 'new' : regressed ? 'regressed' : 'ongoing';
    byState[badge] += 1;
    if (issueEvents > 0) {
      const project = projectById.get(issue.projectId) ?? { id: issue.projectId, name: '' };
      weekIssues.push({ id: issue.id, title: issue.title, level: issue.level, project, events: issueEvents, badge });
    }
  }
  weekIssues.sort((a, b) => b.events - a.events || a.id - b.id);

  const byProject = data.projects.flatMap((project) => {
    const total = projectTotals.get(project.id) ?? 0;
    return total > 0 ? [{ id: project.id, name: project.name, events: total }] : [];
  });
  byProject.sort((a, b) => b.events - a.events);

  const slowest = pipelineFigures.filter((pipeline) => pipeline.medianMs !== null).sort((a, b) => (b.medianMs ?? 0) - (a.medianMs ?? 0) || a.id - b.id).slice(0, slowestShown);

  return {
    organization: data.organization,
    week: weekName(data.week),
    weekNumber: data.week.weekNumber,
    timeZone: zone.zone,
    start: new Date(weekStart),
    end: new Date(weekEnd),
    builds: { total: totalFigures, previous: previousFigures, change: changeOf(totalFigures, previousFigures), pipelines: pipelineFigures, slowest },
    issues: {
      events,
      previousEvents,
      newIssues,
      regressedIssues,
      byLevel: levelsShown.map((level, index) => ({ level, events: byLevel[index] ?? 0 })),
      byProject,
      keyIssues: weekIssues.slice(0, keyIssuesShown),
      byState,
      activity: activityChart(data, zone, byProject, projectDays),
    },
  };
}

/** A bar per day, stacked by project: the five busiest in their own colours, the rest together as "others". */
export function activityChart(data: Pick<WeekData, 'week'>, zone: Pick<ZoneView, 'bounds'>, byProject: ReadonlyArray<{ id: number; name: string; events: number }>, projectDays: ReadonlyMap<number, readonly number[]>): ActivityChart {
  const ranked = busiest(
    byProject.map((project) => ({ key: project, total: project.events })),
    seriesShown,
  );
  const series: ActivityChart['series'] = ranked.top.map((entry, colour) => ({ projectId: entry.key.id, name: entry.key.name, colour, total: entry.total }));
  if (ranked.restTotal > 0) series.push({ projectId: null, name: null, colour: seriesShown, total: ranked.restTotal });
  const dates = dayDates(data.week);
  let max = 0;
  const days = dates.map((date, day) => {
    const values = ranked.top.map((entry) => projectDays.get(entry.key.id)?.[day] ?? 0);
    if (ranked.restTotal > 0) values.push(ranked.rest.reduce((sum, entry) => sum + (projectDays.get(entry.key.id)?.[day] ?? 0), 0));
    const total = values.reduce((sum, value) => sum + value, 0);
    max = Math.max(max, total);
    return { date, start: new Date(zone.bounds[day] ?? 0), values, total };
  });
  return { series, days, max };
}
