import { DateTime } from 'luxon';
import { sqliteOf, type Db } from '../../src/db/client.ts';
import { weekStartIn } from '../../src/jobs/weekly-due.ts';
import type { IsoWeekName, OrganizationWeek, WeeklyReport, WeeklyReportBuilder } from '../../src/reports/weekly-types.ts';

/** A report of the stand-in builder: the contract's fields and how many things happened. */
export type StandInReport = Pick<WeeklyReport, 'organization' | 'week' | 'timeZone'> & { events: number };

/**
 * A small weekly report builder for the scheduler's tests, so they wait on nothing else: an
 * organization's week is every finished build and issue event of its projects; a reader's report
 * counts those in their own week (Monday to Monday in their zone) outside the projects they left
 * out, and is null when there are none. The mail names the organization, the week and the count.
 */
export function createStandInBuilder(db: Db): WeeklyReportBuilder & { organizationWeeksRead: Array<{ organizationId: number; week: IsoWeekName }> } {
  const sqlite = sqliteOf(db);
  const organizationWeeksRead: Array<{ organizationId: number; week: IsoWeekName }> = [];
  const organizationOf = sqlite.prepare('select id, slug, name from organizations where id = ?');
  // One read per organization and week: everything within 14 hours either side of the week in UTC (every zone's week is inside).
  const happenings = sqlite.prepare(`
    select p.project_id as projectId, b.finished_at as at from builds b join pipelines p on p.id = b.pipeline_id
      where b.organization_id = @organizationId and b.finished_at >= @from and b.finished_at < @to
    union all
    select i.project_id as projectId, e.occurred_at as at from issue_events e join issues i on i.id = e.issue_id join projects pr on pr.id = i.project_id
      where pr.organization_id = @organizationId and e.occurred_at >= @from and e.occurred_at < @to`);
  const hours14 = 14 * 3_600_000;
  return {
    organizationWeeksRead,
    async organizationWeek(organizationId: number, week: IsoWeekName): Promise<OrganizationWeek | null> {
      organizationWeeksRead.push({ organizationId, week });
      const organization = organizationOf.get(organizationId) as { id: number; slug: string; name: string } | undefined;
      if (!organization) return null;
      const from = weekStartIn(week, 'UTC').getTime() - hours14;
      const rows = happenings.all({ organizationId, from, to: from + 7 * 86_400_000 + 2 * hours14 }) as Array<{ projectId: number; at: number }>;
      const bounds = new Map<string, { start: number; end: number }>();
      const boundsIn = (timeZone: string) => {
        let known = bounds.get(timeZone);
        if (!known) {
          const start = weekStartIn(week, timeZone).getTime();
          known = { start, end: DateTime.fromJSDate(new Date(start), { zone: timeZone }).plus({ weeks: 1 }).toMillis() };
          bounds.set(timeZone, known);
        }
        return known;
      };
      return {
        forMember({ excludedProjectIds, timeZone }): WeeklyReport | null {
          const { start, end } = boundsIn(timeZone);
          const excluded = new Set(excludedProjectIds);
          const events = rows.filter((row) => !excluded.has(row.projectId) && row.at >= start && row.at < end).length;
          const report: StandInReport = { organization, week, timeZone, events };
          // The scheduler reads only the contract's first fields; the stand-in's mail reads `events`.
          return events === 0 ? null : (report as unknown as WeeklyReport);
        },
      };
    },
    mail(report, recipient, links) {
      const events = (report as unknown as StandInReport).events;
      const text = [`${report.organization.name}, ${report.week}: ${events} events.`, `View: ${links.view}`, `Settings: ${links.settings}`, `${links.unsubscribe.label}: ${links.unsubscribe.url}`].join('\n');
      return {
        to: recipient.address,
        subject: `${report.organization.name} — your ${report.week} report (${recipient.preferences.language})`,
        kind: 'weekly-report',
        text,
        html: `<p>${text.replace(/[<>&]/g, '')}</p>`,
        unsubscribeUrl: links.unsubscribe.url,
      };
    },
  };
}
