import type { Recipient } from '../mail/compose.ts';
import type { OutgoingMail } from '../mail/outbox.ts';

/**
 * A weekly report covers one ISO week (Monday 00:00 to the next Monday 00:00 in the reader's time
 * zone) and is sent during the week after it, at the reader's chosen weekday and hour. Weeks are
 * written as ISO 8601 week names: "2026-W48".
 */
export type IsoWeekName = `${number}-W${string}`;

/** One member's view of an organization's week, ready to be mailed or shown as a page. */
export interface WeeklyReport {
  organization: { id: number; slug: string; name: string };
  week: IsoWeekName;
  timeZone: string;
}

/** Everything needed for one organization's week, read once in a fixed number of queries. */
export interface OrganizationWeek {
  /**
   * The report for one member: the projects they left out dropped, days counted in their zone.
   * Null when nothing happened in the projects left (no report is sent then).
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
