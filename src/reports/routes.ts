import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Actor } from '../lib/actor.ts';
import { platformSlug } from '../platform/fields.ts';
import { notFoundPage } from '../web/errors.ts';
import { actorOf, requireViewer, viewerOf } from '../web/guards.ts';
import { chartGeometry } from './chart.ts';
import { presentReport } from './present.ts';
import { weeklyReportPath, weeklyReportSettingsPath, weeklyReportsPath } from './paths.ts';
import type { WeeklyReportBuilder } from './weekly-types.ts';
import { isFutureWeek, isKnownZone, lastFinishedWeek, parseWeek, shiftWeek, weekBounds, weekName, weekOf, type ParsedWeek } from './weeks.ts';

export interface WeeklyReportPageOptions {
  builder: WeeklyReportBuilder;
  /** The organization with this slug when the actor belongs to it; null otherwise. */
  organizationOf: (actor: Actor, slug: string) => Promise<{ id: number; slug: string; name: string } | null>;
  /** The projects the actor left out of their weekly reports. */
  excludedProjectsOf: (actor: Actor) => Promise<number[]>;
  now: () => number;
}

/** How far back the page goes: weeks older than this many before the current one are not shown (404). */
export const weeksKept = 52;

/** The viewer's zone, or UTC when the runtime does not know the saved one (as the weekly reports job does). */
const zoneOf = (zone: string) => (isKnownZone(zone) ? zone : 'UTC');

/** Whether the week began before the oldest one shown: `weeksKept` weeks before the current one in `zone`. */
const isPastHorizon = (week: ParsedWeek, now: number, zone: string) => weekBounds(week, zone).start < weekBounds(shiftWeek(weekOf(now, zone), -weeksKept), zone).start;

const organizationParams = z.object({ org: platformSlug });
const reportParams = z.object({ org: platformSlug, week: z.string().max(10) });

/**
 * An organization's weekly report as a page, for its members: the same report the mail carries,
 * for the viewer (their left-out projects dropped, days in their zone; UTC when their saved zone is
 * unknown to the runtime). Anyone else, a malformed week, one that has not begun or one more than
 * `weeksKept` weeks before the current one finds nothing (404).
 */
export async function registerWeeklyReportRoutes(app: FastifyInstance, options: WeeklyReportPageOptions): Promise<void> {
  await app.register(async (scoped) => {
    scoped.addHook('preHandler', requireViewer);

    // The organization's latest finished week: what the organization pages link to.
    scoped.get(`${weeklyReportsPath}/:org`, async (request, reply) => {
      const params = organizationParams.safeParse(request.params);
      if (!params.success) return notFoundPage(reply);
      const organization = await options.organizationOf(actorOf(request), params.data.org);
      if (!organization) return notFoundPage(reply);
      const week = lastFinishedWeek(options.now(), zoneOf(viewerOf(request).preferences.timeZone));
      return reply.redirect(weeklyReportPath(organization.slug, weekName(week)), 303);
    });

    scoped.get(`${weeklyReportsPath}/:org/:week`, async (request, reply) => {
      const params = reportParams.safeParse(request.params);
      const week = params.success ? parseWeek(params.data.week) : null;
      if (!params.success || !week) return notFoundPage(reply);
      const actor = actorOf(request);
      const viewer = viewerOf(request);
      const timeZone = zoneOf(viewer.preferences.timeZone);
      const now = options.now();
      if (isFutureWeek(week, now, timeZone) || isPastHorizon(week, now, timeZone)) return notFoundPage(reply);
      const organization = await options.organizationOf(actor, params.data.org);
      if (!organization) return notFoundPage(reply);
      const organizationWeek = await options.builder.organizationWeek(organization.id, weekName(week));
      if (!organizationWeek) return notFoundPage(reply);
      const report = organizationWeek.forMember({ excludedProjectIds: await options.excludedProjectsOf(actor), timeZone });
      const next = shiftWeek(week, 1);
      const previous = shiftWeek(week, -1);
      const shown = report
        ? presentReport(report, request.t, { ...viewer.preferences, timeZone: report.timeZone }, { issue: (id) => `/orgs/${encodeURIComponent(organization.slug)}/issues/${id}`, now })
        : null;
      return reply.page('reports/weekly', {
        organization,
        week: weekName(week),
        weekNumber: week.weekNumber,
        report,
        shown,
        chart: shown && report ? chartGeometry(report.issues.activity) : null,
        previousPath: isPastHorizon(previous, now, timeZone) ? null : weeklyReportPath(organization.slug, weekName(previous)),
        nextPath: isFutureWeek(next, now, timeZone) ? null : weeklyReportPath(organization.slug, weekName(next)),
        settingsPath: weeklyReportSettingsPath,
      });
    });
  });
}
