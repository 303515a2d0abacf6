import type { Recipient } from '../mail/compose.ts';
import type { OutgoingMail } from '../mail/outbox.ts';

/**
 * A weekly report covers one ISO week (Monday 00:00 to the next Monday 00:00 in the reader's time
 * zone) and is sent during the week after it, at the reader's chosen weekday and hour. Weeks are
 * written as ISO 8601 week names: "2026-W48".
 */
export type IsoWeekName = `${number}-W${string}`;

/** Counts and durations of a set of builds (one pipeline's, or all of them) in one week. */
export interface BuildFigures {
  /** Builds started in the week, finished or not. */
  runs: number;
  /** Of those, the ones that have finished (success, failed or terminated); running ones are not counted here. */
  finished: number;
  succeeded: number;
  failed: number;
  terminated: number;
  running: number;
  /** succeeded / finished, 0 to 1; null when none finished. */
  successRate: number | null;
  /** Of finished builds, in ms; null when none finished. */
  medianMs: number | null;
  p95Ms: number | null;
}

/** The change from the week before: this week's figure minus last week's (null when either has none). */
export interface BuildChange {
  runs: number;
  successRate: number | null;
  medianMs: number | null;
}

export interface PipelineFigures extends BuildFigures {
  id: number;
  name: string;
  project: { id: number; name: string };
  previous: BuildFigures;
  change: BuildChange;
}

/** An issue's place in the week: opened in it, came back in it, resolved by its end, or still going. */
export type IssueBadge = 'new' | 'regressed' | 'ongoing' | 'resolved';
export const issueBadges: readonly IssueBadge[] = ['new', 'regressed', 'ongoing', 'resolved'];

export interface KeyIssue {
  id: number;
  title: string;
  level: string;
  project: { id: number; name: string };
  /** Events in the week. */
  events: number;
  badge: IssueBadge;
}

/** One bar of the activity chart: a day in the reader's zone, its events split by series. */
export interface ActivityDay {
  /** The local date, "2026-11-23". */
  date: string;
  /** The day's first instant in the reader's zone. */
  start: Date;
  /** Events of each series, in the order of `ActivityChart.series`. */
  values: number[];
  total: number;
}

export interface ActivityChart {
  /** The five busiest projects in their own colours (0 to 4), then "others" (colour 5) when any other project had events. */
  series: Array<{ projectId: number | null; name: string | null; colour: number; total: number }>;
  days: ActivityDay[];
  /** The busiest day's total (0 in a week without events). */
  max: number;
}

/** One member's view of an organization's week, ready to be mailed or shown as a page. */
export interface WeeklyReport {
  organization: { id: number; slug: string; name: string };
  week: IsoWeekName;
  /** The week's number alone (48 for "2026-W48"), for subjects. */
  weekNumber: number;
  timeZone: string;
  /** Monday 00:00 and the next Monday 00:00 in the reader's zone. */
  start: Date;
  end: Date;
  builds: {
    total: BuildFigures;
    previous: BuildFigures;
    change: BuildChange;
    /** Pipelines with builds this week or the week before, by project and name. */
    pipelines: PipelineFigures[];
    /** Up to five pipelines with finished builds this week, slowest median first. */
    slowest: PipelineFigures[];
  };
  issues: {
    /** Events that occurred this week. */
    events: number;
    previousEvents: number;
    /** Issues first seen this week. */
    newIssues: number;
    /** Issues that came back after being resolved this week. */
    regressedIssues: number;
    /** Events by level, every level listed (most severe first). */
    byLevel: Array<{ level: string; events: number }>;
    /** Events by project, busiest first; projects without events left out. */
    byProject: Array<{ id: number; name: string; events: number }>;
    /** Up to five issues with the most events this week. */
    keyIssues: KeyIssue[];
    /** The issues of the week (events in it, or resolved in it) counted by badge. */
    byState: Record<IssueBadge, number>;
    activity: ActivityChart;
  };
}

/** Everything needed for one organization's week, read once in a fixed number of queries. */
export interface OrganizationWeek {
  /**
   * The report for one member: the projects they left out dropped, days counted in their zone.
   * Null when nothing happened in the projects left (no report is sent then). Readers with the
   * same zone and the same left-out projects are given the same object: treat it as read-only.
   */
  forMember(member: { excludedProjectIds: readonly number[]; timeZone: string }): WeeklyReport | null;
}

export interface WeeklyReportLinks {
  /** The report as a page: /reports/weekly/<org>/<week>. */
  view: string;
  /** /settings/notifications/weekly-reports (or the type page's path). */
  settings: string;
  /** One-click unsubscribe from this organization's report (also sent as List-Unsubscribe). */
  unsubscribe: { url: string; label: string };
}

export interface WeeklyReportBuilder {
  organizationWeek(organizationId: number, week: IsoWeekName): Promise<OrganizationWeek | null>;
  /** The message for one reader, in their language, time zone and formats; kind "weekly-report". */
  mail(report: WeeklyReport, recipient: Recipient, links: WeeklyReportLinks): OutgoingMail;
}
