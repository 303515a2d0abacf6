import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor, type Actor } from '../../src/lib/actor.ts';
import type { Recipient } from '../../src/mail/compose.ts';
import { presentReport } from '../../src/reports/present.ts';
import type { WeeklyReport } from '../../src/reports/weekly-types.ts';
import { translatorFor } from '../../src/web/i18n.ts';
import { BrowserSession, setUpAdministrator, signUp } from '../support/browser-session.ts';
import { shownText } from '../support/html-text.ts';
import { joinThroughInvitation, receipt, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * A week crafted by hand (2026-W10: Monday 2 to Sunday 8 March) and the week before, reported
 * through the platform's services with the clock set to each moment, then counted by the builder,
 * shown on the page and put in a mail. Every expected number below is counted by hand.
 */

let t: TestApp;
let ada: BrowserSession;
let grace: BrowserSession;
let mallory: BrowserSession;
let adaActor: Actor;
const ids = { ada: 0, grace: 0, org: 0, web: 0, api: 0, main: 0, nightly: 0 };
const at = (iso: string) => Date.parse(iso);
const seconds = 1000;

async function reportAt<T>(when: number, work: () => Promise<T>): Promise<T> {
  t.clock.now = when;
  return work();
}

async function build(pipelineId: number, startedAt: string, status: 'success' | 'failed' | 'terminated' | 'running', durationS: number) {
  const start = at(startedAt);
  const answer = await reportAt(start + durationS * seconds + 60_000, () =>
    t.app.services.platform.reports.build(
      adaActor,
      'acme',
      {
        pipelineId,
        buildId: `b-${startedAt}-${pipelineId}`,
        status,
        trigger: 'push',
        startedAt: new Date(start),
        finishedAt: status === 'running' ? null : new Date(start + durationS * seconds),
        commit: { sha: 'a'.repeat(40), message: 'Tune the engine', authorName: 'Ada Lovelace', authorEmail: 'ada@example.com' },
        startedBy: null,
      },
      receipt(),
    ),
  );
  expect(answer.ok).toBe(true);
}

async function event(project: string, fingerprint: string, level: 'error' | 'warning' | 'fatal', occurredAt: string, title = `Problem ${fingerprint}`) {
  const answer = await reportAt(at(occurredAt) + 60_000, () =>
    t.app.services.platform.reports.errorEvent(adaActor, 'acme', { project, fingerprint, title, level, occurredAt: new Date(at(occurredAt)), message: 'it broke', frames: [] }, receipt()),
  );
  expect(answer.ok).toBe(true);
  return answer.ok ? (JSON.parse(answer.answer.body) as { issue: { id: number } }).issue.id : 0;
}

async function activity(issueId: number, when: string, kind: 'resolved' | 'unresolved') {
  const answer = await reportAt(at(when), () => t.app.services.platform.reports.issueActivity(adaActor, 'acme', { issueId, activity: { kind } }, receipt()));
  expect(answer.ok).toBe(true);
}

const userIdOf = async (email: string) => (await rowsOf(t, 'users')).find((row) => row.email === email)?.id as number;

beforeAll(async () => {
  t = await createTestApp();
  ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
  mallory = await signUp(t.app, { email: 'mallory@example.com', name: 'Mallory Outsider' });
  ids.ada = await userIdOf('ada@example.com');
  ids.grace = await userIdOf('grace@example.com');
  adaActor = systemActor(ids.ada, 'weekly report test');
  const { organizations } = t.app.services.platform;
  t.clock.now = at('2026-02-01T09:00:00Z');
  const made = await organizations.create(adaActor, { name: 'Acme', slug: 'acme' });
  if (!made.ok) throw new Error(made.reason);
  ids.org = made.organization.id;
  for (const [slug, name, pipeline] of [['web', 'Web', 'main'], ['api', 'API', 'nightly']] as const) {
    const project = await organizations.createProject(adaActor, 'acme', { name, slug });
    if (!project.ok) throw new Error(project.reason);
    ids[slug] = project.project.id;
    const made = await organizations.createPipeline(adaActor, 'acme', slug, { name: pipeline });
    if (!made.ok) throw new Error(made.reason);
    ids[pipeline] = made.pipeline.id;
  }
  expect(await joinThroughInvitation(t, adaActor, 'acme', { userId: ids.grace, actor: systemActor(ids.grace, 'test') })).toBe('member');

  // The week before (2026-W09, 23 February to 1 March).
  await build(ids.main, '2026-02-25T12:00:00Z', 'success', 100);
  await build(ids.main, '2026-02-26T12:00:00Z', 'failed', 200);
  const issueB = await event('api', 'b', 'warning', '2026-02-25T08:00:00Z');
  // Sunday 1 March, 23:30 UTC: still the week before in UTC, already Monday of W10 in Berlin.
  await build(ids.main, '2026-03-01T23:30:00Z', 'success', 100);

  // The week (2026-W10).
  await build(ids.main, '2026-03-02T10:00:00Z', 'success', 60);
  await event('web', 'a', 'error', '2026-03-02T09:00:00Z');
  await event('web', 'a', 'error', '2026-03-02T09:10:00Z');
  await event('web', 'a', 'error', '2026-03-02T09:20:00Z');
  await build(ids.main, '2026-03-03T10:00:00Z', 'success', 120);
  await activity(issueB, '2026-03-03T12:00:00Z', 'resolved');
  await build(ids.main, '2026-03-04T10:00:00Z', 'failed', 300);
  // B comes back: a regression.
  await event('api', 'b', 'warning', '2026-03-04T15:00:00Z');
  await event('api', 'b', 'warning', '2026-03-04T16:00:00Z');
  await build(ids.main, '2026-03-05T10:00:00Z', 'terminated', 30);
  const issueC = await event('web', 'c', 'fatal', '2026-03-05T11:00:00Z');
  await build(ids.nightly, '2026-03-06T02:00:00Z', 'success', 600);
  await activity(issueC, '2026-03-06T12:00:00Z', 'resolved');
  // Sunday 8 March, 23:30 UTC: in W10 in UTC, Monday of W11 in Berlin; still running.
  await build(ids.main, '2026-03-08T23:30:00Z', 'running', 0);
  await event('web', 'a', 'error', '2026-03-08T23:30:00Z');

  t.clock.now = at('2026-03-10T14:05:00Z');
});
afterAll(async () => {
  await t.close();
});

const weekFor = async (member: { excludedProjectIds?: number[]; timeZone?: string }) => {
  const week = await t.app.services.weeklyReportBuilder.organizationWeek(ids.org, '2026-W10');
  if (!week) throw new Error('no week');
  return week.forMember({ excludedProjectIds: member.excludedProjectIds ?? [], timeZone: member.timeZone ?? 'UTC' });
};

describe('the builder', () => {
  it('counts the builds of the week as counted by hand, per pipeline and in total, with the change from the week before', async () => {
    const report = (await weekFor({})) as WeeklyReport;
    expect(report.week).toBe('2026-W10');
    expect(report.start.toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(report.end.toISOString()).toBe('2026-03-09T00:00:00.000Z');
    // Finished: 60, 120, 300 (failed), 30 (terminated), 600 s; one still running.
    expect(report.builds.total).toEqual({
      runs: 6,
      finished: 5,
      succeeded: 3,
      failed: 1,
      terminated: 1,
      running: 1,
      successRate: 0.6,
      medianMs: 120_000,
      p95Ms: 540_000,
    });
    // The week before: 100 (success), 200 (failed), 100 (success).
    expect(report.builds.previous).toMatchObject({ runs: 3, finished: 3, succeeded: 2, medianMs: 100_000 });
    expect(report.builds.change.runs).toBe(3);
    expect(report.builds.change.successRate).toBeCloseTo(0.6 - 2 / 3, 10);
    expect(report.builds.change.medianMs).toBe(20_000);
    const main = report.builds.pipelines.find((pipeline) => pipeline.id === ids.main);
    expect(main).toMatchObject({ name: 'main', project: { name: 'Web' }, runs: 5, finished: 4, failed: 1, successRate: 0.5, medianMs: 90_000, p95Ms: 273_000 });
    expect(main?.change).toEqual({ runs: 2, successRate: 0.5 - 2 / 3, medianMs: -10_000 });
    expect(report.builds.slowest.map((pipeline) => pipeline.name)).toEqual(['nightly', 'main']);
  });

  it('counts the events, the new and regressed issues, the key issues with their badges and the issues by state', async () => {
    const report = (await weekFor({})) as WeeklyReport;
    const issues = report.issues;
    expect(issues.events).toBe(7);
    expect(issues.previousEvents).toBe(1);
    expect(issues.newIssues).toBe(2);
    expect(issues.regressedIssues).toBe(1);
    expect(issues.byLevel).toEqual([
      { level: 'fatal', events: 1 },
      { level: 'error', events: 4 },
      { level: 'warning', events: 2 },
      { level: 'info', events: 0 },
      { level: 'debug', events: 0 },
    ]);
    expect(issues.byProject).toEqual([
      { id: ids.web, name: 'Web', events: 5 },
      { id: ids.api, name: 'API', events: 2 },
    ]);
    expect(issues.keyIssues.map((issue) => [issue.title, issue.events, issue.badge])).toEqual([
      ['Problem a', 4, 'new'],
      ['Problem b', 2, 'regressed'],
      ['Problem c', 1, 'resolved'],
    ]);
    expect(issues.byState).toEqual({ new: 1, regressed: 1, ongoing: 0, resolved: 1 });
    expect(issues.activity.series.map((series) => [series.name, series.total])).toEqual([
      ['Web', 5],
      ['API', 2],
    ]);
    expect(issues.activity.days.map((day) => day.values)).toEqual([[3, 0], [0, 0], [0, 2], [1, 0], [0, 0], [0, 0], [1, 0]]);
  });

  it('counts days in the reader’s zone: Sunday 23:30 UTC is Monday in Berlin', async () => {
    const report = (await weekFor({ timeZone: 'Europe/Berlin' })) as WeeklyReport;
    expect(report.start.toISOString()).toBe('2026-03-01T23:00:00.000Z');
    // The build of Sunday 1 March 23:30 UTC is in; the running one of 8 March is not.
    expect(report.builds.total).toMatchObject({ runs: 6, finished: 6, succeeded: 4, running: 0, medianMs: 110_000 });
    expect(report.issues.events).toBe(6);
    expect(report.issues.activity.days.map((day) => day.total)).toEqual([3, 0, 2, 1, 0, 0, 0]);
  });

  it('drops the projects a reader left out, everywhere', async () => {
    const report = (await weekFor({ excludedProjectIds: [ids.api] })) as WeeklyReport;
    expect(report.builds.total.runs).toBe(5);
    expect(report.builds.pipelines.map((pipeline) => pipeline.name)).toEqual(['main']);
    expect(report.issues.events).toBe(5);
    expect(report.issues.regressedIssues).toBe(0);
    expect(report.issues.byProject.map((project) => project.name)).toEqual(['Web']);
    expect(report.issues.keyIssues.map((issue) => issue.title)).toEqual(['Problem a', 'Problem c']);
    expect(report.issues.activity.series.map((series) => series.name)).toEqual(['Web']);
    expect(JSON.stringify(report)).not.toContain('API');
  });

  it('answers null for a quiet week, for a reader who left everything out, and for an organization that does not exist', async () => {
    const quiet = await t.app.services.weeklyReportBuilder.organizationWeek(ids.org, '2026-W05');
    expect(quiet?.forMember({ excludedProjectIds: [], timeZone: 'UTC' })).toBeNull();
    expect(await weekFor({ excludedProjectIds: [ids.web, ids.api] })).toBeNull();
    expect(await t.app.services.weeklyReportBuilder.organizationWeek(ids.org + 1000, '2026-W10')).toBeNull();
    expect(await t.app.services.weeklyReportBuilder.organizationWeek(ids.org, '2026-W99' as never)).toBeNull();
  });

  it('gives readers of the same zone and choices the same report, and others their own', async () => {
    const week = await t.app.services.weeklyReportBuilder.organizationWeek(ids.org, '2026-W10');
    const first = week?.forMember({ excludedProjectIds: [], timeZone: 'UTC' });
    expect(week?.forMember({ excludedProjectIds: [], timeZone: 'UTC' })).toBe(first);
    expect(week?.forMember({ excludedProjectIds: [99_999], timeZone: 'UTC' })).toBe(first);
    expect(week?.forMember({ excludedProjectIds: [ids.api], timeZone: 'UTC' })).not.toBe(first);
    // A zone nobody knows is read as UTC rather than breaking the report.
    expect(week?.forMember({ excludedProjectIds: [], timeZone: 'Nowhere/Atlantis' })?.timeZone).toBe('UTC');
  });
});

describe('the page', () => {
  it('shows a member the report for their zone, with the chart, its table and the links to other weeks', async () => {
    const page = await ada.get('/reports/weekly/acme/2026-W10');
    expect(page.statusCode).toBe(200);
    const html = shownText(page.body);
    expect(html).toContain('<h1>Acme — week 10, 2026</h1>');
    expect(html).toContain('03/02/2026 to 03/08/2026');
    expect(html).not.toContain('This week is not over yet');
    // Counts in the words of their number: one event, several events.
    expect(html).toContain('Monday 03/02/2026: 3 events;');
    expect(html).toContain('Thursday 03/05/2026: 1 event;');
    expect(html).toContain('<figcaption class="chart-caption">Error events per day, by project</figcaption>');
    // A change with nothing to compare reads "—", never a blank cell.
    expect(html).not.toContain('<td class="number"></td>');
    expect(html).toMatch(/<svg class="chart-svg"[^>]*role="img"/);
    expect(html).toContain('<title id="chart-title">Error events per day, by project</title>');
    expect(html).toContain('<title>Web: 3</title>');
    expect(html).toContain('<title>API: 2</title>');
    expect(html).toContain('Problem a');
    expect(html).toContain('href="/orgs/acme/issues/');
    expect(html).toContain('href="/reports/weekly/acme/2026-W09"');
    expect(html).toContain('href="/reports/weekly/acme/2026-W11"');
    expect(html).toContain('60%');
    // A number and its unit never part: a no-break space joins them.
    expect(html).toContain('2\u00a0min');
    expect(html).not.toContain('style=');
  });

  it('leaves out what the viewer excluded in their settings, and counts in their zone', async () => {
    await t.app.services.notificationSettings.set(systemActor(ids.grace, 'test'), { type: 'weeklyReports', scope: 'project', scopeId: ids.api }, 'off');
    const page = shownText((await grace.get('/reports/weekly/acme/2026-W10')).body);
    expect(page).toContain('Problem a');
    expect(page).not.toContain('Problem b');
    expect(page).not.toContain('nightly');
  });

  it('says so for a quiet week, and offers no week that has not begun', async () => {
    const quiet = await ada.get('/reports/weekly/acme/2026-W05');
    expect(quiet.statusCode).toBe(200);
    expect(shownText(quiet.body)).toContain('A quiet week');
    // A quiet week is dated as any other: its year and its Monday to Sunday.
    expect(shownText(quiet.body)).toContain('<h1>Acme — week 5, 2026</h1>');
    expect(shownText(quiet.body)).toContain('01/26/2026 to 02/01/2026');
    expect(shownText(quiet.body)).not.toContain('This week is not over yet');
    const current = await ada.get('/reports/weekly/acme/2026-W11');
    expect(current.statusCode).toBe(200);
    // The clock reads Tuesday 10 March: the week of 9 to 15 March is not over.
    expect(shownText(current.body)).toContain('This week is not over yet: figures so far.');
    expect(shownText(current.body)).toContain('03/09/2026 to 03/15/2026');
    expect(current.body).not.toContain('2026-W12');
  });

  it('is not found for someone outside the organization, an unknown one, a malformed or future week', async () => {
    for (const [who, path] of [
      [mallory, '/reports/weekly/acme/2026-W10'],
      [mallory, '/reports/weekly/acme'],
      [ada, '/reports/weekly/nope/2026-W10'],
      [ada, '/reports/weekly/acme/2026-W54'],
      [ada, '/reports/weekly/acme/2026-10'],
      [ada, '/reports/weekly/acme/2026-W12'],
      [ada, '/reports/weekly/acme/9999-W01'],
      [ada, '/reports/weekly/ACME!/2026-W10'],
    ] as const) {
      expect((await who.get(path)).statusCode, path).toBe(404);
    }
  });

  it('sends someone logged out to log in', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/reports/weekly/acme/2026-W10' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toMatch(/^\/login/);
  });

  it('is linked from the organization page, which leads to the last finished week', async () => {
    const organization = await ada.get('/orgs/acme');
    expect(organization.body).toContain('href="/reports/weekly/acme"');
    expect(organization.body).toContain('Weekly report');
    const latest = await ada.get('/reports/weekly/acme');
    expect(latest.statusCode).toBe(303);
    expect(latest.headers.location).toBe('/reports/weekly/acme/2026-W10');
  });
});

describe('a week not over yet', () => {
  it('is shown as one in progress, its days still to come as "—" rather than as days without events', async () => {
    const report = (await weekFor({})) as WeeklyReport;
    const preferences = { language: 'en', timeZone: 'UTC', clock24h: true, dateFormat: 'iso' } as const;
    // Thursday 5 March, noon: Friday to Sunday are still to come.
    const shown = presentReport(report, translatorFor('en'), preferences, { issue: (id) => `/issues/${id}`, now: Date.parse('2026-03-05T12:00:00Z') });
    expect(shown.inProgress).toBe(true);
    expect(shown.chart.days.map((day) => day.totalText)).toEqual(['3', '0', '2', '1', '—', '—', '—']);
    expect(shown.chart.days.map((day) => day.toCome)).toEqual([false, false, false, false, true, true, true]);
    expect(shown.chart.days[4]?.parts.map((part) => part.valueText)).toEqual(['—', '—']);
    expect(shown.chart.days[5]?.eventsText).toBe('still to come');
    const over = presentReport(report, translatorFor('en'), preferences, { issue: (id) => `/issues/${id}`, now: Date.parse('2026-03-09T00:00:00Z') });
    expect(over.inProgress).toBe(false);
    expect(over.chart.days.map((day) => day.totalText)).toEqual(['3', '0', '2', '1', '0', '0', '1']);
  });
});

describe('the mail', () => {
  const links = {
    view: 'https://dials.example/reports/weekly/acme/2026-W10',
    settings: 'https://dials.example/settings/notifications/weekly-reports',
    unsubscribe: { url: 'https://dials.example/unsubscribe/token-1', label: 'Stop weekly reports for Acme' },
  };
  const recipient = (language: 'en' | 'de' | 'fr', timeZone: string, dateFormat: 'us' | 'international' | 'iso'): Recipient => ({
    address: 'ada@example.com',
    name: 'Ada Lovelace',
    preferences: { language, timeZone, clock24h: true, dateFormat },
  });

  it('has the chart as a table of bars with its numbers, the links, and the one-click unsubscribe', async () => {
    const report = (await weekFor({})) as WeeklyReport;
    const mail = t.app.services.weeklyReportBuilder.mail(report, recipient('en', 'UTC', 'us'), links);
    expect(mail.kind).toBe('weekly-report');
    expect(mail.subject).toBe('Acme — your week 10 report');
    expect(mail.unsubscribeUrl).toBe(links.unsubscribe.url);
    expect(mail.html).not.toMatch(/<script|<svg|<img/);
    expect(mail.html).toContain('<caption style="text-align:left;font-size:13px;color:#4f5869;padding-bottom:6px">Error events per day, by project</caption>');
    // Monday's bar: Web's 3 events, the busiest day, so the full 120 px.
    expect(mail.html).toContain('title="Web: 3" style="height:120px;line-height:120px;font-size:1px;background:#2f4fc7"');
    expect(mail.html).toContain('title="API: 2" style="height:80px;');
    expect(mail.html).toContain(`href="${links.view}"`);
    expect(mail.html).toContain(`href="${links.settings}"`);
    expect(mail.html).toContain(`href="${links.unsubscribe.url}"`);
    expect(mail.html).toContain('View in the browser');
    expect(mail.text).toContain('Monday 03/02/2026: 3 (Web 3)');
    expect(mail.text).toContain('Wednesday 03/04/2026: 2 (API 2)');
    expect(mail.text).toContain('Events: 7');
    expect(mail.text).toContain('[Regressed] Problem b (API): 2');
    expect(mail.text).toContain('Runs: 6 (+3)');
    expect(mail.text).toContain('Success rate: 60% (\u22126.7 pts)');
    expect(mail.text).toContain('Median duration: 2\u00a0min (+20\u00a0sec)');
    expect(mail.text).toContain(`View in the browser: ${links.view}`);
    expect(mail.text).toContain(`${links.unsubscribe.label}: ${links.unsubscribe.url}`);
    expect(mail.text).toContain('from 03/02/2026 to 03/08/2026');
    // One of a count is said as one, in every language: "1 event", "1 läuft noch".
    expect(mail.text).toContain('Events: 7 (1 event the week before)');
    expect(mail.html).toContain('1 event the week before');
    expect(mail.text).toContain('1 still running, not counted as finished.');
    const german = t.app.services.weeklyReportBuilder.mail(report, recipient('de', 'UTC', 'iso'), links);
    expect(german.text).toContain('Ereignisse: 7 (1 Ereignis in der Woche davor)');
    expect(german.text).toContain('1 läuft noch und zählt nicht als beendet.');
    expect(german.text).toContain('Neue Probleme: 2');
    expect(german.text).not.toMatch(/\bIssues\b/);
    const french = t.app.services.weeklyReportBuilder.mail(report, recipient('fr', 'UTC', 'iso'), links);
    expect(french.text).toContain('(1 événement la semaine précédente)');
    expect(french.text).toContain('1 encore en cours, non compté comme terminé.');
  });

  it('is in the reader’s language, zone and date format', async () => {
    const report = (await weekFor({ timeZone: 'Europe/Berlin' })) as WeeklyReport;
    const german = t.app.services.weeklyReportBuilder.mail(report, recipient('de', 'Europe/Berlin', 'iso'), links);
    expect(german.subject).toBe('Acme — Ihr Bericht für Woche 10');
    expect(german.text).toContain('vom 2026-03-02 bis 2026-03-08');
    expect(german.text).toContain('Montag 2026-03-02: 3 (Web 3)');
    expect(german.text).toContain('Im Browser ansehen');
    const french = t.app.services.weeklyReportBuilder.mail(report, recipient('fr', 'Europe/Berlin', 'international'), links);
    expect(french.subject).toBe('Acme — votre rapport de la semaine 10');
    expect(french.text).toContain('du 02/03/2026 au 08/03/2026');
    expect(french.html).toContain('lang="fr"');
  });

  it('escapes what people named', async () => {
    const report = (await weekFor({})) as WeeklyReport;
    const named = { ...report, organization: { ...report.organization, name: '<b>Acme</b>' } };
    const mail = t.app.services.weeklyReportBuilder.mail(named, recipient('en', 'UTC', 'iso'), links);
    expect(mail.html).not.toContain('<b>Acme</b>');
    expect(mail.html).toContain('&lt;b&gt;Acme&lt;/b&gt;');
  });

  it('keeps reported text that looks like a placeholder as text, for every reader', async () => {
    const report = (await weekFor({})) as WeeklyReport;
    const bait = 'boom %%weekly-report:nope%% %%weekly-report:unsubscribe-url%% %%greeting%%';
    const named = { ...report, organization: { ...report.organization, name: bait } };
    const mail = t.app.services.weeklyReportBuilder.mail(named, recipient('en', 'UTC', 'iso'), links);
    expect(mail.text).toContain(bait);
    expect(mail.html).toContain(bait);
    expect(mail.text.split(links.unsubscribe.url)).toHaveLength(2);
  });
});
