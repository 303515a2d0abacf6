import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { userEmails, users } from '../../src/auth/tables.ts';
import { systemActor } from '../../src/lib/actor.ts';
import { setUpAdministrator, signUp } from '../support/browser-session.ts';
import { shownText } from '../support/html-text.ts';
import { makeOrganization, makePerson, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** "Send me a test message" on the notifications pages: a real message of the type, through the outbox and SMTP, marked as a test. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

/** Grace, signed up and confirmed, in the organization "Org acme" (project "Web"); Eve's organization she cannot see. */
async function withGrace() {
  t = await createTestApp();
  await setUpAdministrator(t.app, { email: 'admin@example.com', name: 'Admin' });
  const browser = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
  const userId = (await t.db.select().from(users).where(eq(users.email, 'grace@example.com')).get())?.id ?? -1;
  const actor = systemActor(userId, 'notification tests');
  const acme = await makeOrganization(t, actor, 'acme');
  const eve = await makePerson(t, 'eve@example.com', 'Eve');
  const other = await makeOrganization(t, eve.actor, 'other');
  await browser.get('/settings/notifications');
  return { browser, userId, actor, acme, other };
}

const bodyText = (html: string) => shownText(html).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
type OutboxRow = { recipient: string; kind: string; subject: string };
const testsInOutbox = async () => ((await rowsOf(t, 'mail_outbox')) as OutboxRow[]).filter((row) => row.kind.startsWith('test:'));

describe('send me a test message', () => {
  it('without JavaScript: the overview posts, redirects with "Test sent to …", and a build e-mail marked as a test arrives, without unsubscribe', async () => {
    const { browser } = await withGrace();
    const overview = await browser.get('/settings/notifications');
    for (const slug of ['issue-alerts', 'workflow', 'deploys', 'build-emails']) expect(overview.body).toContain(`action="/settings/notifications/${slug}/test"`);
    // Types that send no mail of their own about an event offer no test.
    for (const slug of ['weekly-reports', 'my-activity', 'self-assign-on-resolve', 'email-routing']) expect(overview.body).not.toContain(`/settings/notifications/${slug}/test"`);

    const sent = await browser.post('/settings/notifications/build-emails/test', { from: 'overview' });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe('/settings/notifications');
    const after = await browser.get(sent.headers.location as string);
    expect(bodyText(after.body)).toContain('Test sent to grace@example.com.');
    // Said once; and a link cannot make the page say a test was sent.
    expect(bodyText((await browser.get('/settings/notifications')).body)).not.toContain('Test sent to');
    expect(bodyText((await browser.get('/settings/notifications?testSent=grace%40example.com')).body)).not.toContain('Test sent to');

    const mail = await t.mail.waitFor('grace@example.com', /^\[Test\] Build failed: main in Example project$/);
    expect(mail.text.split('\n')[0]).toBe('This is a test you asked for in your notification settings. Nothing happened: what follows is a sample.');
    expect(mail.text).toContain('Hello Grace Hopper,');
    expect(mail.text).toContain('A sample commit');
    expect(mail.html).toContain('This is a test you asked for');
    expect(mail.listUnsubscribe).toBeNull();
    expect(mail.listUnsubscribePost).toBeNull();
    expect(mail.text).not.toContain('/unsubscribe/');
    expect(mail.text).not.toContain('You receive this because');
    expect(await testsInOutbox()).toMatchObject([{ recipient: 'grace@example.com', kind: 'test:buildEmails' }]);
    // A test is no delivery of an event.
    expect((await rowsOf(t, 'notification_deliveries')).filter((row) => row.event_kind !== 'security')).toEqual([]);
  });

  it('with htmx, from a type page about a project: the routing of that project applies, in the person\'s language, and the block says where it went', async () => {
    const { browser, userId, actor, acme } = await withGrace();
    await t.db.insert(userEmails).values({ userId, address: 'grace@work.example', isPrimary: false, verifiedAt: new Date(t.clock.now), createdAt: new Date(t.clock.now) });
    expect((await t.app.services.notificationSettings.set(actor, { type: 'emailRouting', scope: 'project', scopeId: acme.project.id }, 'grace@work.example')).ok).toBe(true);

    const page = await browser.get('/settings/notifications/issue-alerts');
    expect(page.body).toContain('id="notify-test-issue-alerts-place"');
    expect(page.body).toContain(`<option value="project-${acme.project.id}">Web</option>`);
    const block = await browser.post('/settings/notifications/issue-alerts/test', { from: 'type', place: `project-${acme.project.id}` }, { htmx: true });
    expect(block.statusCode).toBe(200);
    expect(block.body).not.toContain('<html');
    expect(block.body).toMatch(/^<form id="notify-test-issue-alerts"/);
    expect(bodyText(block.body)).toContain('Test sent to grace@work.example.');
    const mail = await t.mail.waitFor('grace@work.example', /^\[Test\] New issue in Web: TypeError: a sample error$/);
    expect(mail.text).toContain('Org acme');
    expect(mail.text).toContain('/orgs/acme/issues');
    expect(mail.text).toContain('(Error)');
    expect(t.mail.messagesTo('grace@example.com').filter((m) => m.subject.startsWith('[Test]'))).toHaveLength(0);

    // Without a place, her own default address; in German once she reads German.
    await t.app.services.account.savePreferences(actor, { language: 'de', timezone: 'Europe/Berlin', clock24h: true, dateFormat: 'iso', theme: 'system', stackTraceOrder: 'default' } as never);
    expect((await browser.post('/settings/notifications/deploys/test', { from: 'type', place: '' }, { htmx: true })).statusCode).toBe(200);
    const german = await t.mail.waitFor('grace@example.com', /^\[Test\] Ausgeliefert: Beispielprojekt 1\.0\.0 nach production$/);
    expect(german.text.split('\n')[0]).toContain('Dies ist ein Test');
    // The level of an issue in her words too, as the pages and the weekly report say it.
    expect((await browser.post('/settings/notifications/issue-alerts/test', { from: 'type', place: '' }, { htmx: true })).statusCode).toBe(200);
    const germanAlert = await t.mail.waitFor('grace@example.com', /^\[Test\] Neues Problem in Beispielprojekt/);
    expect(germanAlert.text).toContain('(Fehler)');
    expect(germanAlert.text).not.toContain('(error)');
  });

  it('every type that mails composes its sample like the real message', async () => {
    const { browser } = await withGrace();
    for (const slug of ['issue-alerts', 'workflow', 'deploys', 'build-emails']) {
      expect((await browser.post(`/settings/notifications/${slug}/test`, { from: 'overview' }, { htmx: true })).statusCode, slug).toBe(200);
    }
    await t.mail.waitFor('grace@example.com', /^\[Test\] Example project: TypeError: a sample error$/);
    const workflow = t.mail.received.find((m) => m.subject === '[Test] Example project: TypeError: a sample error');
    expect(workflow?.text).toContain('Dials assigned the issue to Grace Hopper.');
    await t.mail.waitFor('grace@example.com', '[Test] Deployed: Example project 1.0.0 to production');
    await t.mail.waitFor('grace@example.com', '[Test] New issue in Example project');
    await t.mail.waitFor('grace@example.com', '[Test] Build failed');
    expect((await testsInOutbox()).map((row) => row.kind).sort()).toEqual(['test:buildEmails', 'test:deploys', 'test:issueAlerts', 'test:workflow']);
  });

  it('is limited to five in ten minutes per person: the sixth is refused with 429 and a clear message, and sends nothing', async () => {
    const { browser } = await withGrace();
    for (let i = 0; i < 5; i++) expect((await browser.post('/settings/notifications/workflow/test', { from: 'overview' }, { htmx: true })).statusCode).toBe(200);
    const refused = await browser.post('/settings/notifications/workflow/test', { from: 'overview' }, { htmx: true });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('600');
    expect(refused.headers['content-type']).toMatch(/^text\/plain/);
    expect(refused.body).toBe('No test was sent: you asked for 5 tests in the last 10 minutes. Try again in a few minutes.');
    const page = await browser.post('/settings/notifications/build-emails/test', { from: 'type' });
    expect(page.statusCode).toBe(429);
    expect(page.body).toContain('<html');
    expect(bodyText(page.body)).toContain('No test was sent: you asked for 5 tests in the last 10 minutes.');
    expect(await testsInOutbox()).toHaveLength(5);

    t.clock.advance(10 * 60 * 1000 + 1000);
    expect((await browser.post('/settings/notifications/workflow/test', { from: 'overview' }, { htmx: true })).statusCode).toBe(200);
    expect(await testsInOutbox()).toHaveLength(6);
  });

  it('says so and sends nothing without a confirmed address, for a place the person cannot see, or without the CSRF token', async () => {
    const { browser, userId, other } = await withGrace();
    const refusedPlace = await browser.post('/settings/notifications/build-emails/test', { from: 'type', place: `project-${other.project.id}` }, { htmx: true });
    expect(refusedPlace.statusCode).toBe(422);
    expect(refusedPlace.body).toContain('aria-invalid="true"');
    expect(bodyText(refusedPlace.body)).toContain('Choose one of your organizations or projects from the list, or none.');
    // The overview's block has no place field: the refusal is said in the block itself.
    const fromOverview = await browser.post('/settings/notifications/build-emails/test', { from: 'overview', place: `project-${other.project.id}` }, { htmx: true });
    expect(fromOverview.statusCode).toBe(422);
    expect(bodyText(fromOverview.body)).toContain('Choose one of your organizations or projects from the list, or none.');
    // An organization for a type set per project, and anything that names no place, are no places either.
    for (const place of [`organization-${other.organization.id}`, 'project-x', '__proto__']) {
      expect((await browser.post('/settings/notifications/build-emails/test', { from: 'type', place }, { htmx: true })).statusCode, place).toBe(422);
    }
    expect((await browser.post('/settings/notifications/build-emails/test', { from: 'type', place: ['', ''] }, { htmx: true })).statusCode).toBe(422);
    expect((await browser.post('/settings/notifications/build-emails/test', { from: 'type', role: 'admin' }, { htmx: true })).statusCode).toBe(422);
    expect((await browser.post('/settings/notifications/build-emails/test', { from: 'overview' }, { csrf: false })).statusCode).toBe(403);
    for (const slug of ['weekly-reports', 'email-routing', 'my-activity', 'nonsense', '__proto__']) {
      expect((await browser.post(`/settings/notifications/${slug}/test`, { from: 'overview' })).statusCode, slug).toBe(404);
    }

    await t.db.update(userEmails).set({ verifiedAt: null }).where(eq(userEmails.userId, userId));
    const unconfirmed = await browser.post('/settings/notifications/deploys/test', { from: 'overview' }, { htmx: true });
    expect(unconfirmed.statusCode).toBe(422);
    expect(bodyText(unconfirmed.body)).toContain('No test was sent: you have no confirmed e-mail address.');
    const withoutJs = await browser.post('/settings/notifications/deploys/test', { from: 'type' });
    expect(withoutJs.statusCode).toBe(422);
    expect(bodyText(withoutJs.body)).toContain('No test was sent: you have no confirmed e-mail address.');
    expect(await testsInOutbox()).toEqual([]);
  });
});
