import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { users } from '../../src/auth/tables.ts';
import { jobRuns } from '../../src/jobs/tables.ts';
import { systemActor } from '../../src/lib/actor.ts';
import { setUpAdministrator, signUp } from '../support/browser-session.ts';
import { shownText } from '../support/html-text.ts';
import { finishedBuild, joinThroughInvitation, makeOrganization, receipt, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { createStandInBuilder } from '../support/weekly-builder.ts';

/** When weekly reports arrive, set on the weekly reports page; the administrator's scheduled jobs page and its "Run now". */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const bodyText = (html: string) => shownText(html).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const path = '/settings/notifications/weekly-reports';
const timeRows = async () => (await rowsOf(t, 'weekly_report_times')).map((row) => ({ weekday: row.weekday, hour: row.hour }));

async function withAdminAndGrace(preferences?: { language: string; clock24h: boolean }) {
  t = await createTestApp({}, { weeklyReportBuilder: createStandInBuilder });
  const admin = await setUpAdministrator(t.app, { email: 'admin@example.com', name: 'Admin' });
  const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper', timezone: 'Europe/Berlin' });
  const userId = (await t.db.select().from(users).where(eq(users.email, 'grace@example.com')).get())?.id ?? -1;
  const actor = systemActor(userId, 'weekly reports page test');
  if (preferences) {
    await t.app.services.account.savePreferences(actor, { ...preferences, timezone: 'Europe/Berlin', dateFormat: 'iso', theme: 'system', stackTraceOrder: 'default' } as never);
  }
  await grace.get(path);
  return { admin, grace, userId, actor };
}

describe('when weekly reports arrive', () => {
  it('shows Monday 09:00 in the person’s zone by default, and no longer says reports are not sent', async () => {
    const { grace } = await withAdminAndGrace();
    const page = await grace.get(path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<label for="notify-report-weekday">Day</label>');
    expect(page.body).toContain('<label for="notify-report-hour">Hour</label>');
    expect(page.body).toMatch(/<option value="1" selected>Monday<\/option>/);
    expect(page.body).toMatch(/<option value="9" selected>09:00\sAM<\/option>/);
    expect(bodyText(page.body)).toContain('in your time zone (Europe/Berlin)');
    expect(bodyText(page.body)).not.toContain('Not sent yet');
    expect(await timeRows()).toEqual([]);
  });

  it('auto-saves a changed day and hour, and the reports follow it', async () => {
    const { grace } = await withAdminAndGrace();
    const saved = await grace.post(`${path}/time`, { weekday: '5', hour: '17' }, { htmx: true });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toMatch(/^<form id="notify-report-time"/);
    expect(saved.body).toContain('Saved');
    expect(saved.body).toMatch(/<option value="5" selected>Friday<\/option>/);
    expect(saved.body).toMatch(/<option value="17" selected>05:00\sPM<\/option>/);
    expect(await timeRows()).toEqual([{ weekday: 5, hour: 17 }]);
    const page = await grace.get(path);
    expect(page.body).toMatch(/<option value="5" selected>Friday<\/option>/);
  });

  it('without JavaScript: the form posts, the page comes back with a message', async () => {
    const { grace } = await withAdminAndGrace();
    const page = await grace.get(path);
    expect(page.body).toMatch(/<form id="notify-report-time"[^>]*method="post" action="\/settings\/notifications\/weekly-reports\/time"/);
    expect(page.body).toMatch(/<noscript><button type="submit" class="button">Save<\/button><\/noscript>/);
    const saved = await grace.post(`${path}/time`, { weekday: '7', hour: '0' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(path);
    expect(await timeRows()).toEqual([{ weekday: 7, hour: 0 }]);
  });

  it('in the person’s language and clock', async () => {
    const { grace } = await withAdminAndGrace({ language: 'de', clock24h: true });
    const page = await grace.get(path);
    expect(page.body).toContain('<label for="notify-report-weekday">Tag</label>');
    expect(page.body).toMatch(/<option value="1" selected>Montag<\/option>/);
    expect(page.body).toMatch(/<option value="21">21:00<\/option>/);
  });

  it('refuses a day or hour that does not exist, next to the field, with 422, and keeps the old one', async () => {
    const { grace } = await withAdminAndGrace();
    await grace.post(`${path}/time`, { weekday: '2', hour: '8' });
    for (const [fields, field, message] of [
      [{ weekday: '8', hour: '9' }, 'weekday', 'Choose a day of the week.'],
      [{ weekday: '0', hour: '9' }, 'weekday', 'Choose a day of the week.'],
      [{ weekday: '1', hour: '24' }, 'hour', 'Choose an hour of the day.'],
      [{ weekday: '1', hour: '-1' }, 'hour', 'Choose an hour of the day.'],
      [{ weekday: '1', hour: '9.5' }, 'hour', 'Choose an hour of the day.'],
      [{ weekday: '1' }, 'hour', 'Choose an hour of the day.'],
      [{ weekday: ['1', '2'], hour: '9' }, 'weekday', 'This field was sent more than once. Nothing was saved.'],
    ] as const) {
      for (const htmx of [true, false]) {
        const answer = await grace.post(`${path}/time`, fields as Record<string, string | string[]>, { htmx });
        expect(answer.statusCode, JSON.stringify(fields)).toBe(422);
        expect(answer.body).toContain(`<p class="field-error" id="notify-report-${field}-error">${message}</p>`);
        expect(answer.body).toContain(`id="notify-report-${field}" name="${field}" aria-describedby="notify-report-time-help notify-report-${field}-error" aria-invalid="true"`);
      }
    }
    // A field the form does not have (someone else's id) is refused as a whole.
    const smuggled = await grace.post(`${path}/time`, { weekday: '3', hour: '10', userId: '1' }, { htmx: true });
    expect(smuggled.statusCode).toBe(422);
    expect(await timeRows()).toEqual([{ weekday: 2, hour: 8 }]);
  });

  it('needs a signed-in person and a CSRF token', async () => {
    const { grace } = await withAdminAndGrace();
    const signedOut = await t.app.inject({ method: 'POST', url: `${path}/time`, payload: 'weekday=2&hour=8', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(signedOut.statusCode).toBeGreaterThanOrEqual(300);
    const forged = await grace.post(`${path}/time`, { weekday: '2', hour: '8' }, { csrf: false });
    expect(forged.statusCode).toBe(403);
    expect(await timeRows()).toEqual([]);
  });
});

describe('/admin/jobs', () => {
  async function withActivity() {
    const people = await withAdminAndGrace();
    const made = await makeOrganization(t, people.actor, 'engines');
    const adminId = (await t.db.select().from(users).where(eq(users.email, 'admin@example.com')).get())?.id ?? -1;
    await joinThroughInvitation(t, people.actor, 'engines', { userId: adminId, actor: systemActor(adminId, 'test') });
    const built = await t.app.services.platform.reports.build(people.actor, 'engines', finishedBuild(made.pipeline.id, Date.parse('2026-03-04T10:00:00Z')), receipt());
    expect(built.ok).toBe(true);
    // Monday of 2026-W11, 10:00 in Berlin: the W10 reports are due.
    t.clock.now = Date.parse('2026-03-09T09:00:00Z');
    return people;
  }

  it('shows the weekly reports job, its schedule and that it has not run; "Run now" runs it, and again sends nothing twice', async () => {
    const { admin } = await withActivity();
    const before = await admin.get('/admin/jobs');
    expect(before.statusCode).toBe(200);
    const text = bodyText(before.body);
    expect(text).toContain('Scheduled jobs');
    expect(text).toContain('Weekly reports');
    expect(text).toContain('Every five minutes: */5 * * * *');
    expect(text).toContain('Last run Not yet');
    expect(before.body).toContain('<a href="/admin/jobs"');
    expect(before.body).toMatch(/<form method="post" action="\/admin\/jobs\/weekly-reports\/run">/);

    const ran = await admin.post('/admin/jobs/weekly-reports/run', {});
    expect(ran.statusCode).toBe(303);
    expect(ran.headers.location).toBe('/admin/jobs');
    const after = await admin.get('/admin/jobs');
    expect(bodyText(after.body)).toContain('The run finished.');
    expect(bodyText(after.body)).toMatch(/Reports sent 2 /);
    expect(bodyText(after.body)).toContain('run by hand');
    await t.mail.waitFor('grace@example.com', /2026-W10/);
    await t.mail.waitFor('admin@example.com', /2026-W10/);

    t.clock.advance(60_000);
    expect((await admin.post('/admin/jobs/weekly-reports/run', {})).statusCode).toBe(303);
    expect(bodyText((await admin.get('/admin/jobs')).body)).toMatch(/Reports sent 0 /);
    expect((await rowsOf(t, 'mail_outbox')).filter((row) => row.kind === 'weekly-report')).toHaveLength(2);
    expect((await rowsOf(t, 'job_runs')).map((row) => [row.trigger, row.sent])).toEqual([
      ['hand', 2],
      ['hand', 0],
    ]);
  });

  it('refuses a second run while one is going, with a clear message and 409', async () => {
    const { admin } = await withActivity();
    await admin.get('/admin/jobs');
    // A run of another process, started a minute ago and still going.
    await t.db.insert(jobRuns).values({ job: 'weekly-reports', owner: 'another process', trigger: 'schedule', startedAt: new Date(t.clock.now - 60_000) });
    const page = await admin.get('/admin/jobs');
    expect(bodyText(page.body)).toContain('A run is going now.');
    const refused = await admin.post('/admin/jobs/weekly-reports/run', {});
    expect(refused.statusCode).toBe(409);
    expect(bodyText(refused.body)).toContain('A run of this job is already going.');
    expect((await rowsOf(t, 'mail_outbox')).filter((row) => row.kind === 'weekly-report')).toHaveLength(0);
  });

  it('does not exist for anyone but the administrator', async () => {
    const { grace } = await withActivity();
    expect((await grace.get('/admin/jobs')).statusCode).toBe(404);
    expect((await grace.post('/admin/jobs/weekly-reports/run', {})).statusCode).toBe(404);
    expect(bodyText((await grace.get('/settings/account')).body)).not.toContain('Scheduled jobs');
    const signedOut = await t.app.inject({ method: 'GET', url: '/admin/jobs' });
    expect(signedOut.statusCode).toBe(303);
    expect((await rowsOf(t, 'job_runs'))).toHaveLength(0);
  });

  it('shows the next run when the schedule runs in this process (as when Dials serves), and nightly backups when they are scheduled', async () => {
    t = await createTestApp({ BACKUP_SCHEDULE: '30 3 * * *' }, { weeklyReportBuilder: createStandInBuilder, scheduleJobs: true });
    // The schedule starts once Dials listens.
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const admin = await setUpAdministrator(t.app, { email: 'admin@example.com', name: 'Admin' });
    t.clock.now = Date.parse('2026-03-10T14:07:00Z');
    await expect.poll(async () => bodyText((await admin.get('/admin/jobs')).body)).not.toContain('Not scheduled in this process');
    const page = await admin.get('/admin/jobs');
    expect(page.body).toContain('<time datetime="2026-03-10T14:10:00.000Z">');
    const text = bodyText(page.body);
    expect(text).toContain('Nightly backups');
    expect(text).toContain('30 3 * * *');
    expect(text).toContain('Last backup taken Not yet');
    expect(text).not.toContain('Not scheduled in this process');

    // "Run now" takes a backup, as the schedule would.
    expect(page.body).toMatch(/<form method="post" action="\/admin\/jobs\/backups\/run">/);
    const ran = await admin.post('/admin/jobs/backups/run', {});
    expect(ran.statusCode).toBe(303);
    const after = await admin.get('/admin/jobs');
    expect(bodyText(after.body)).toContain('The backup was taken.');
    expect(bodyText(after.body)).not.toContain('Last backup taken Not yet');
    expect(fs.readdirSync(t.config.backups.dir).filter((name) => name.startsWith('nightly-'))).toHaveLength(1);
  });

  it('answers 404 for a job it does not know', async () => {
    const { admin } = await withActivity();
    await admin.get('/admin/jobs');
    expect((await admin.post('/admin/jobs/backups/run', {})).statusCode).toBe(404);
    expect((await admin.post('/admin/jobs/__proto__/run', {})).statusCode).toBe(404);
  });
});
