import { and, eq, inArray, lt, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { withBulkJobCache } from '../db/page-cache.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Recipient } from '../mail/compose.ts';
import type { Outbox, OutgoingMail } from '../mail/outbox.ts';
import { resolveAddress, resolveSetting, type RoutableAddresses, type SettingRow } from '../notify/resolve.ts';
import type { NotificationSettings } from '../notify/settings.ts';
import type { UnsubscribeTokens } from '../notify/unsubscribe-token.ts';
import type { ReportAudience, ReportOrganization } from '../platform/report-audience.ts';
import type { IsoWeekName, OrganizationWeek, WeeklyReport, WeeklyReportBuilder } from '../reports/weekly-types.ts';
import type { StoredPreferences } from '../settings/account/service.ts';
import { defaultReportTime, type ReportTime, type ReportTimes } from '../settings/notifications/report-time.ts';
import { translatorFor } from '../web/i18n.ts';
import { finishRun, startRun, type JobRunCounts } from './job-runs.ts';
import { weeklyReports, type WeeklyReportSkip } from './tables.ts';
import { dueReport, type DueReport } from './weekly-due.ts';

export const weeklyReportsJob = 'weekly-reports';

/** How long a claim on a batch of reports is its owner's: past it, another run takes the reports over. */
export const weeklyReportClaimMs = 10 * 60_000;
/** People read, decided and sent together: each batch costs the same fixed number of queries. */
export const weeklyReportBatch = 100;
const organizationsPerPage = 100;

export const weeklyReportsSettingsPath = '/settings/notifications/weekly-reports';

export interface WeeklyReportsDependencies {
  /** This process's name in claims and runs. */
  owner: string;
  /** The clock: a run is due, claims and finishes by it. */
  now: () => number;
  builder: WeeklyReportBuilder;
  audience: ReportAudience;
  reportTimes: Pick<ReportTimes, 'ofEach'>;
  preferencesOfEach: (userIds: readonly number[]) => Promise<Map<number, StoredPreferences>>;
  settings: Pick<NotificationSettings, 'rowsOfEach'>;
  profiles: (userIds: readonly number[]) => Promise<Map<number, { name: string; email: string }>>;
  addressesOfEach: (userIds: readonly number[]) => Promise<Map<number, RoutableAddresses>>;
  outbox: Pick<Outbox, 'enqueue'>;
  publicUrl: URL;
  unsubscribeTokens: UnsubscribeTokens;
  log: { warn(details: object, message: string): void };
}

/** Whether a member gets an organization's report, and which of its projects they left out. */
export function readerOf(rows: readonly SettingRow[], organizationId: number, projectIds: readonly number[]): { gets: true; excludedProjectIds: number[] } | { gets: false } {
  if (resolveSetting('weeklyReports', rows, { organizationId, projectId: null }).value !== 'on') return { gets: false };
  const excludedProjectIds = projectIds.filter((projectId) => resolveSetting('weeklyReports', rows, { organizationId, projectId }).value === 'off');
  if (projectIds.length > 0 && excludedProjectIds.length === projectIds.length) return { gets: false };
  return { gets: true, excludedProjectIds };
}

export type WeeklyReports = ReturnType<typeof createWeeklyReports>;

/** A claimed report to send, and to whom: its mail is made only when its turn to be queued comes. */
interface ReportToSend {
  id: number;
  userId: number;
  report: WeeklyReport;
  recipient: Recipient;
  /** Readers with the same value share the body of their mails (the same report, language and formats). */
  sameBody: string;
}

/**
 * The weekly reports job (DESIGN.md rule 7): each run walks the organizations and their members a
 * batch at a time, finds whose report is due (their weekday and hour, in their zone: weekly-due.ts)
 * and who still wants it (the `weeklyReports` setting), writes a row per (person, organization, week)
 * before any mail, claims the rows (an owner and an expiry in the row, as notification work is
 * claimed), composes each report, and marks it sent in the transaction that queues its mail. So two
 * processes running at once, a run stopped midway, a restart or a clock jump never send one twice;
 * a claim of a process that died lapses and the next run takes it over.
 */
export function createWeeklyReports(db: Db, deps: WeeklyReportsDependencies) {
  const link = (path: string) => new URL(path, deps.publicUrl).href;

  /** Claims the waiting reports of these people in one organization: new ones, and ones whose claim lapsed. */
  const claim = async (organizationId: number, userIds: readonly number[], now: Date) => {
    // The claim runs from now, not from the run's start: a long run's later batches are not claimed already lapsed.
    const claimedAt = new Date(deps.now());
    const waiting = and(
      eq(weeklyReports.organizationId, organizationId),
      sql`${weeklyReports.userId} in (select value from json_each(${JSON.stringify(userIds)}))`,
      sql`${weeklyReports.dueUntil} > ${now.getTime()}`,
      or(eq(weeklyReports.state, 'pending'), and(eq(weeklyReports.state, 'claimed'), lt(weeklyReports.claimExpiresAt, claimedAt))),
    );
    return db
      .update(weeklyReports)
      .set({ state: 'claimed', claimOwner: deps.owner, claimExpiresAt: new Date(claimedAt.getTime() + weeklyReportClaimMs) })
      .where(waiting)
      .returning({ id: weeklyReports.id, userId: weeklyReports.userId, week: weeklyReports.week });
  };

  /** One reader's mail of their report, with the links to it, to the setting and to unsubscribe. */
  const composeMail = (organization: ReportOrganization, { userId, report, recipient }: ReportToSend): OutgoingMail => {
    const t = translatorFor(recipient.preferences.language);
    const token = deps.unsubscribeTokens.sign({ userId, type: 'weeklyReports', scope: 'organization', scopeId: organization.id });
    return deps.builder.mail(report, recipient, {
      view: link(`/reports/weekly/${organization.slug}/${report.week}`),
      settings: link(weeklyReportsSettingsPath),
      unsubscribe: { url: link(`/unsubscribe/${token}`), label: t('mail.unsubscribe', { place: organization.name }) },
    });
  };

  /**
   * Ends claimed reports in one transaction: each one to send with its mail composed and queued,
   * each skipped one with why. Only this owner's claims count. A mail is composed in its turn,
   * sealed and written before the next one is made, so a batch never holds its mails together
   * (a hundred reports are megabytes of text); composing is synchronous, so the transaction still
   * awaits nothing but its own statements. A report whose mail fails to compose stays claimed.
   */
  const settle = async (organization: ReportOrganization, toSend: readonly ReportToSend[], skipped: ReadonlyArray<{ id: number; why: WeeklyReportSkip }>, now: Date, counts: JobRunCounts) =>
    inTransaction(db, async (tx) => {
      const mine = and(eq(weeklyReports.state, 'claimed'), eq(weeklyReports.claimOwner, deps.owner));
      let sentCount = 0;
      if (toSend.length > 0) {
        const stillMine = await tx
          .select({ id: weeklyReports.id })
          .from(weeklyReports)
          .where(and(inArray(weeklyReports.id, toSend.map((entry) => entry.id)), mine));
        const ours = new Set(stillMine.map((row) => row.id));
        const queued: number[] = [];
        for (const entry of toSend) {
          if (!ours.has(entry.id)) continue;
          let mail: OutgoingMail;
          try {
            mail = composeMail(organization, entry);
          } catch (error) {
            counts.failures++;
            deps.log.warn({ err: error, reportId: entry.id }, 'composing a weekly report failed; tried again later');
            continue;
          }
          await deps.outbox.enqueue(mail, tx);
          queued.push(entry.id);
        }
        if (queued.length > 0) {
          const marked = await tx
            .update(weeklyReports)
            .set({ state: 'sent', finishedAt: now, claimExpiresAt: null })
            .where(and(inArray(weeklyReports.id, queued), mine))
            .returning({ id: weeklyReports.id });
          sentCount = marked.length;
        }
      }
      let skippedCount = 0;
      const reasons = new Map<WeeklyReportSkip, number[]>();
      for (const entry of skipped) reasons.set(entry.why, [...(reasons.get(entry.why) ?? []), entry.id]);
      for (const [why, ids] of reasons) {
        const marked = await tx
          .update(weeklyReports)
          .set({ state: 'skipped', skipped: why, finishedAt: now, claimExpiresAt: null })
          .where(and(inArray(weeklyReports.id, ids), mine))
          .returning({ id: weeklyReports.id });
        skippedCount += marked.length;
      }
      return { sent: sentCount, skipped: skippedCount };
    });

  /**
   * One batch of one organization's members up to its mails: decide, write rows, claim, and say
   * which claimed reports go to whom and which are skipped. What it reads (settings, preferences,
   * profiles, addresses of a hundred people) is let go when it returns, before any mail is made:
   * kept through the composing, it would outlive the young generation, every batch.
   */
  const prepareBatch = async (
    organization: ReportOrganization,
    projectIds: readonly number[],
    userIds: readonly number[],
    weeks: Map<IsoWeekName, Promise<OrganizationWeek | null>>,
    now: Date,
    counts: JobRunCounts,
    dueOf: (timeZone: string, time: ReportTime) => DueReport | null,
  ) => {
    const [times, preferences, settingRows] = await Promise.all([
      deps.reportTimes.ofEach(userIds),
      deps.preferencesOfEach(userIds),
      deps.settings.rowsOfEach(userIds, ['weeklyReports', 'emailRouting']),
    ]);
    // The batch's rows go in as one JSON parameter: a statement of a hundred rows' values would be built anew for each batch.
    const due: Array<[userId: number, week: IsoWeekName, dueUntil: number]> = [];
    for (const userId of userIds) {
      const reader = readerOf(settingRows.get(userId) ?? [], organization.id, projectIds);
      const report = reader.gets ? dueOf(preferences.get(userId)?.timeZone ?? 'UTC', times.get(userId) ?? defaultReportTime) : null;
      if (report) due.push([userId, report.week, report.dueUntil.getTime()]);
    }
    if (due.length > 0) {
      await db.run(sql`insert into ${weeklyReports} (${sql.identifier(weeklyReports.userId.name)}, ${sql.identifier(weeklyReports.organizationId.name)}, ${sql.identifier(weeklyReports.week.name)}, ${sql.identifier(weeklyReports.dueUntil.name)}, ${sql.identifier(weeklyReports.createdAt.name)})
        select value ->> 0, ${organization.id}, value ->> 1, value ->> 2, ${now.getTime()} from json_each(${JSON.stringify(due)}) where true
        on conflict do nothing`);
    }
    const claimed = await claim(organization.id, userIds, now);
    if (claimed.length === 0) return null;

    const skipped: Array<{ id: number; why: WeeklyReportSkip }> = [];
    const reports: Array<{ id: number; userId: number; report: NonNullable<ReturnType<OrganizationWeek['forMember']>> }> = [];
    for (const row of claimed) {
      const reader = readerOf(settingRows.get(row.userId) ?? [], organization.id, projectIds);
      if (!reader.gets) {
        skipped.push({ id: row.id, why: 'turnedOff' });
        continue;
      }
      try {
        const week = row.week as IsoWeekName;
        let organizationWeek = weeks.get(week);
        if (!organizationWeek) {
          organizationWeek = deps.builder.organizationWeek(organization.id, week);
          weeks.set(week, organizationWeek);
        }
        const read = await organizationWeek;
        const report = read?.forMember({ excludedProjectIds: reader.excludedProjectIds, timeZone: preferences.get(row.userId)?.timeZone ?? 'UTC' }) ?? null;
        if (report) reports.push({ id: row.id, userId: row.userId, report });
        else skipped.push({ id: row.id, why: 'quietWeek' });
      } catch (error) {
        // Left claimed: taken again once the claim lapses.
        counts.failures++;
        deps.log.warn({ err: error, reportId: row.id }, 'composing a weekly report failed; tried again later');
      }
    }

    const toSend: ReportToSend[] = [];
    const reportIndexes = new Map<WeeklyReport, number>();
    if (reports.length > 0) {
      const readers = reports.map((entry) => entry.userId);
      const [profiles, addresses] = await Promise.all([deps.profiles(readers), deps.addressesOfEach(readers)]);
      for (const entry of reports) {
        const profile = profiles.get(entry.userId);
        const address = resolveAddress(settingRows.get(entry.userId) ?? [], { organizationId: organization.id, projectId: null }, addresses.get(entry.userId) ?? { primary: '', verified: [] });
        const stored = preferences.get(entry.userId);
        if (!profile || !address || !stored) {
          skipped.push({ id: entry.id, why: 'noAddress' });
          continue;
        }
        const recipient: Recipient = {
          address: address.value,
          name: profile.name,
          confirmed: true,
          preferences: { language: stored.language, timeZone: stored.timeZone, clock24h: stored.clock24h, dateFormat: stored.dateFormat },
        };
        const { report, userId } = entry;
        let reportIndex = reportIndexes.get(report);
        if (reportIndex === undefined) {
          reportIndex = reportIndexes.size;
          reportIndexes.set(report, reportIndex);
        }
        toSend.push({ id: entry.id, userId, report, recipient, sameBody: `${reportIndex}|${stored.language}|${stored.dateFormat}` });
      }
    }
    // Readers of the same report in the same language and formats one after another: what their
    // mails share is rendered once, and let go before the next group's.
    toSend.sort((a, b) => (a.sameBody < b.sameBody ? -1 : a.sameBody > b.sameBody ? 1 : a.id - b.id));
    return { toSend, skipped };
  };

  /** One batch of one organization's members: decide, write rows, claim, compose, send. */
  const runBatch = async (...batch: Parameters<typeof prepareBatch>) => {
    const [organization, , , , now, counts] = batch;
    const prepared = await prepareBatch(...batch);
    if (!prepared) return;
    const settled = await settle(organization, prepared.toSend, prepared.skipped, now, counts);
    counts.sent += settled.sent;
    counts.skipped += settled.skipped;
    // Emptied, not just dropped: a finished transaction's callback is kept alive for a while (it
    // refers to these lists), and a run must not carry every batch's reports along with it.
    prepared.toSend.length = 0;
    prepared.skipped.length = 0;
  };

  /**
   * Reports left waiting that this run did not reach: those of people who left the organization
   * are skipped as "not a member", those past their week as "late". A page at a time.
   */
  const sweepLeftovers = async (now: Date, counts: JobRunCounts) => {
    const waiting = or(eq(weeklyReports.state, 'pending'), and(eq(weeklyReports.state, 'claimed'), lt(weeklyReports.claimExpiresAt, now)));
    const late = await db
      .update(weeklyReports)
      .set({ state: 'skipped', skipped: 'late', finishedAt: now, claimExpiresAt: null, claimOwner: deps.owner })
      .where(and(waiting, lte(weeklyReports.dueUntil, now)))
      .returning({ id: weeklyReports.id });
    counts.skipped += late.length;
    let after = 0;
    for (;;) {
      const rows = await db
        .select({ id: weeklyReports.id, userId: weeklyReports.userId, organizationId: weeklyReports.organizationId })
        .from(weeklyReports)
        .where(and(waiting, sql`${weeklyReports.id} > ${after}`))
        .orderBy(weeklyReports.id)
        .limit(weeklyReportBatch);
      if (rows.length === 0) return;
      after = rows.at(-1)?.id ?? after;
      const byOrganization = new Map<number, typeof rows>();
      for (const row of rows) byOrganization.set(row.organizationId, [...(byOrganization.get(row.organizationId) ?? []), row]);
      for (const [organizationId, group] of byOrganization) {
        const members = await deps.audience.membersAmong(organizationId, group.map((row) => row.userId));
        const gone = group.filter((row) => !members.has(row.userId)).map((row) => row.id);
        if (gone.length === 0) continue;
        const marked = await db
          .update(weeklyReports)
          .set({ state: 'skipped', skipped: 'notMember', finishedAt: now, claimExpiresAt: null, claimOwner: deps.owner })
          .where(and(inArray(weeklyReports.id, gone), waiting))
          .returning({ id: weeklyReports.id });
        counts.skipped += marked.length;
      }
    }
  };

  return {
    /**
     * One run: every organization, a batch of members at a time, then the leftovers. Recorded in
     * `job_runs` with what it sent, skipped and failed to do.
     */
    async run(trigger: 'schedule' | 'hand'): Promise<JobRunCounts & { runId: number }> {
      const now = new Date(deps.now());
      const runId = await startRun(db, { job: weeklyReportsJob, owner: deps.owner, trigger, startedAt: now });
      const counts: JobRunCounts = { sent: 0, skipped: 0, failures: 0 };
      // What is due depends only on the zone and the chosen time: worked out once per pair in a run.
      const dueByZoneAndTime = new Map<string, DueReport | null>();
      const dueOf = (timeZone: string, time: ReportTime) => {
        const key = `${timeZone}|${time.weekday}|${time.hour}`;
        let due = dueByZoneAndTime.get(key);
        if (due === undefined) {
          due = dueReport(now, timeZone, time);
          dueByZoneAndTime.set(key, due);
        }
        return due;
      };
      try {
        // The run writes far more than it reads again: the page cache is held small meanwhile (db/page-cache.ts).
        await withBulkJobCache(db, async () => {
          let afterOrganization = 0;
          for (;;) {
            const organizations = await deps.audience.organizationsAfter(afterOrganization, organizationsPerPage);
            if (organizations.length === 0) break;
            afterOrganization = organizations.at(-1)?.id ?? afterOrganization;
            for (const organization of organizations) {
              const projectIds = await deps.audience.projectIdsOf(organization.id);
              // Each organization's week is read once per run, whatever the number of its readers.
              const weeks = new Map<IsoWeekName, Promise<OrganizationWeek | null>>();
              let afterUser = 0;
              for (;;) {
                const userIds = await deps.audience.membersAfter(organization.id, afterUser, weeklyReportBatch);
                if (userIds.length === 0) break;
                afterUser = userIds.at(-1) ?? afterUser;
                try {
                  await runBatch(organization, projectIds, userIds, weeks, now, counts, dueOf);
                } catch (error) {
                  counts.failures++;
                  deps.log.warn({ err: error, organizationId: organization.id }, 'a batch of weekly reports failed; tried again later');
                }
                // Between batches the process answers its requests, and what the batch left behind is let go.
                await new Promise((resolve) => setImmediate(resolve));
              }
            }
          }
          await sweepLeftovers(now, counts);
        });
      } catch (error) {
        counts.failures++;
        deps.log.warn({ err: error }, 'the weekly reports run stopped early; the next run goes on');
      } finally {
        await finishRun(db, runId, new Date(deps.now()), counts);
      }
      return { ...counts, runId };
    },
  };
}
