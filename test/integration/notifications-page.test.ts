import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { userEmails, users } from '../../src/auth/tables.ts';
import { systemActor, type Actor } from '../../src/lib/actor.ts';
import { BrowserSession, setUpAdministrator, signUp } from '../support/browser-session.ts';
import { shownText } from '../support/html-text.ts';
import { makeOrganization, makePerson, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** /settings/notifications and a page per setting, as a person uses them: with htmx and without JavaScript. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

interface Grace {
  browser: BrowserSession;
  userId: number;
  actor: Actor;
}

/** Grace, signed up and confirmed (the administrator came first), with no organization yet. */
async function withGrace(): Promise<Grace> {
  t = await createTestApp();
  await setUpAdministrator(t.app, { email: 'admin@example.com', name: 'Admin' });
  const browser = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
  const userId = (await t.db.select().from(users).where(eq(users.email, 'grace@example.com')).get())?.id ?? -1;
  await browser.get('/settings/notifications');
  return { browser, userId, actor: systemActor(userId, 'notifications page test') };
}

/** Grace in the organization "Org acme" (project "Web"), and a stranger's organization she cannot see. */
async function withGraceInAnOrganization() {
  const grace = await withGrace();
  const acme = await makeOrganization(t, grace.actor, 'acme');
  const eve = await makePerson(t, 'eve@example.com', 'Eve');
  const other = await makeOrganization(t, eve.actor, 'other');
  await grace.browser.get('/settings/notifications');
  return { ...grace, acme, other };
}

type Row = { user_id: number; type: string; scope: string; scope_id: number; value: string };
const settingsOf = async (userId: number) => ((await rowsOf(t, 'notification_settings')) as Row[]).filter((row) => row.user_id === userId);
const bodyText = (html: string) => shownText(html).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const htmx = { htmx: true };

const pages = [
  '/settings/notifications',
  '/settings/notifications/issue-alerts',
  '/settings/notifications/workflow',
  '/settings/notifications/deploys',
  '/settings/notifications/weekly-reports',
  '/settings/notifications/build-emails',
  '/settings/notifications/email-routing',
];

describe('the notifications pages', () => {
  it('each answer a signed-in person, and send everyone else to log in', async () => {
    const { browser } = await withGrace();
    for (const path of pages) {
      const page = await browser.get(path);
      expect(page.statusCode, path).toBe(200);
      expect(page.body).toMatch(/<a href="\/settings\/notifications"( aria-current="(page|true)")?>Notifications<\/a>/);
      const signedOut = await t.app.inject({ method: 'GET', url: path });
      expect(signedOut.statusCode, path).toBe(303);
      expect(signedOut.headers.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
    const overview = await browser.get('/settings/notifications');
    expect(overview.body).toContain('aria-current="page">Notifications<');
    // In the navigation after E-mails.
    expect(overview.body.indexOf('href="/settings/notifications"')).toBeGreaterThan(overview.body.indexOf('href="/settings/emails"'));
    expect(overview.body).toContain('href="/settings/notifications/who-gets-what"');
    // Every setting acts now: none says it does not yet.
    expect(bodyText(overview.body)).not.toContain('Not sent yet');
    expect(bodyText(overview.body)).not.toContain('Not applied yet');
  });

  it('answer 404 for a setting that has no page, however it is spelled', async () => {
    const { browser } = await withGrace();
    // Longer than a route parameter may be: refused before any handler, as a bad request.
    expect((await browser.get(`/settings/notifications/${'a'.repeat(500)}`)).statusCode).toBe(400);
    expect((await browser.post(`/settings/notifications/${'a'.repeat(500)}/default`, { value: 'never' })).statusCode).toBe(400);
    for (const slug of ['weather', 'issueAlerts', 'my-activity', 'self-assign-on-resolve', '__proto__', 'constructor', 'reset', '%00', 'a'.repeat(90)]) {
      const page = await browser.get(`/settings/notifications/${slug}`);
      expect(page.statusCode, slug).toBe(404);
      for (const action of ['places', 'turn-off', 'reset', 'places/project-1', 'places/project-1/remove']) {
        expect((await browser.post(`/settings/notifications/${slug}/${action}`, { value: 'never', place: 'project-1' })).statusCode, `${slug}/${action}`).toBe(404);
      }
    }
    expect((await browser.post('/settings/notifications/weather/default', { value: 'on' })).statusCode).toBe(404);
    expect(await settingsOf((await t.db.select().from(users).where(eq(users.email, 'grace@example.com')).get())?.id ?? -1)).toEqual([]);
  });

  it('show every setting with its default, translated, and how many places have their own', async () => {
    const { browser, actor, acme } = await withGraceInAnOrganization();
    const overview = await browser.get('/settings/notifications');
    const text = bodyText(overview.body);
    for (const title of ['Issue alerts', 'Workflow', 'Deploys', 'Weekly reports', 'Build e-mails', 'My own activity', 'Self-assign when I resolve', 'E-mail routing']) expect(text).toContain(title);
    expect(overview.body).toMatch(/id="notify-issue-alerts-value-always" name="value" value="always" checked/);
    expect(overview.body).toMatch(/id="notify-workflow-value-subscribed" name="value" value="subscribed" checked/);
    expect(overview.body).toMatch(/id="notify-build-emails-value-off" name="value" value="off" checked/);
    expect(text).toContain('Only deploys with my commits');
    expect(text).toContain('My primary address (grace@example.com)');
    expect(text).toContain('Set it per project');
    await t.app.services.notificationSettings.set(actor, { type: 'issueAlerts', scope: 'project', scopeId: acme.project.id }, 'never');
    const after = await browser.get('/settings/notifications');
    expect(after.body).toMatch(/<a href="\/settings\/notifications\/issue-alerts">1 project has its own setting<span class="visually-hidden"> \(Issue alerts\)<\/span><\/a>/);

    await t.app.inject({ method: 'GET', url: '/' });
    const german = await browser.post('/settings/account/preferences', { language: 'de', timezone: 'UTC', dateFormat: 'iso', theme: 'system', stackTraceOrder: 'default' });
    expect(german.statusCode).toBe(303);
    const inGerman = bodyText((await browser.get('/settings/notifications')).body);
    expect(inGerman).toContain('Issue-Warnungen');
    expect(inGerman).toContain('1 Projekt hat eine eigene Einstellung');
  });
});

describe('a default, auto-saved', () => {
  it('with htmx: the block alone says "Saved", and the row is stored', async () => {
    const { browser, userId } = await withGrace();
    const saved = await browser.post('/settings/notifications/issue-alerts/default', { value: 'never', from: 'overview' }, htmx);
    expect(saved.statusCode).toBe(200);
    expect(saved.body).not.toContain('<html');
    expect(saved.body).toMatch(/^<form id="notify-issue-alerts"/);
    expect(saved.body).toMatch(/data-save-status>Saved</);
    expect(saved.body).toMatch(/value="never" checked/);
    expect(saved.body).toContain('Set it per project');
    expect(await settingsOf(userId)).toEqual([expect.objectContaining({ type: 'issueAlerts', scope: 'user', value: 'never' })]);
    // The block of a type page is the type page's (no count of places), and my own activity saves as well.
    const onPage = await browser.post('/settings/notifications/deploys/default', { value: 'always', from: 'type' }, htmx);
    expect(onPage.body).toContain('Your default');
    expect(onPage.body).not.toContain('Set it per organization');
    expect((await browser.post('/settings/notifications/my-activity/default', { value: 'on' }, htmx)).statusCode).toBe(200);
    expect((await settingsOf(userId)).map((row) => [row.type, row.value]).sort()).toEqual([['deploys', 'always'], ['issueAlerts', 'never'], ['myActivity', 'on']]);
  });

  it('without JavaScript: back to the page it came from, with "Saved."', async () => {
    const { browser, userId } = await withGrace();
    const fromOverview = await browser.post('/settings/notifications/workflow/default', { value: 'always', from: 'overview' });
    expect(fromOverview.statusCode).toBe(303);
    expect(fromOverview.headers.location).toBe('/settings/notifications');
    expect((await browser.get('/settings/notifications')).body).toMatch(/role="status">Saved\.</);
    const fromPage = await browser.post('/settings/notifications/workflow/default', { value: 'never', from: 'type' });
    expect(fromPage.headers.location).toBe('/settings/notifications/workflow');
    // A page it cannot have come from reads as the overview; a setting without a page of its own goes there too.
    expect((await browser.post('/settings/notifications/workflow/default', { value: 'never', from: 'elsewhere' })).headers.location).toBe('/settings/notifications');
    expect((await browser.post('/settings/notifications/my-activity/default', { value: 'on', from: 'type' })).headers.location).toBe('/settings/notifications');
    expect((await settingsOf(userId)).map((row) => row.value).sort()).toEqual(['never', 'on']);
  });

  it('refuses a value the setting does not take, or fields it does not have: 422 next to the field, nothing stored', async () => {
    const { browser, userId } = await withGrace();
    for (const [fields, message] of [
      [{ value: 'sometimes' }, 'Choose one of the listed settings.'],
      [{ value: 'a'.repeat(300) }, 'Choose one of the listed settings.'],
      [{ value: 'never', role: 'admin' }, 'The form sent a field it does not have'],
      [{ value: ['never', 'always'] }, 'This field was sent more than once'],
      [{}, 'Choose one of the listed settings.'],
    ] as const) {
      for (const options of [{}, htmx]) {
        const refused = await browser.post('/settings/notifications/issue-alerts/default', fields as Record<string, string>, options);
        expect(refused.statusCode, JSON.stringify(fields)).toBe(422);
        expect(shownText(refused.body)).toContain(message);
        expect(refused.body).toContain('Not saved');
      }
    }
    const refused = await browser.post('/settings/notifications/issue-alerts/default', { value: 'sometimes' }, htmx);
    expect(refused.body).toMatch(/aria-invalid="true"/);
    expect(refused.body).toContain('<p class="field-error" id="notify-issue-alerts-value-error">Choose one of the listed settings.</p>');
    expect(await settingsOf(userId)).toEqual([]);
  });

  it('routes mail to a confirmed address only; "my primary address" stores nothing', async () => {
    const { browser, userId } = await withGrace();
    await t.db.insert(userEmails).values([
      { userId, address: 'grace@work.example', isPrimary: false, verifiedAt: new Date(t.clock.now), createdAt: new Date(t.clock.now) },
      { userId, address: 'grace@unconfirmed.example', isPrimary: false, verifiedAt: null, createdAt: new Date(t.clock.now) },
    ]);
    const page = await browser.get('/settings/notifications');
    expect(page.body).toContain('<option value="grace@work.example">grace@work.example</option>');
    expect(page.body).not.toContain('grace@unconfirmed.example');
    const saved = await browser.post('/settings/notifications/email-routing/default', { value: 'grace@work.example' }, htmx);
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('<option value="grace@work.example" selected>');
    expect(await settingsOf(userId)).toEqual([expect.objectContaining({ type: 'emailRouting', scope: 'user', value: 'grace@work.example' })]);
    const refused = await browser.post('/settings/notifications/email-routing/default', { value: 'grace@unconfirmed.example' }, htmx);
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('Choose one of your confirmed addresses.');
    expect(await settingsOf(userId)).toHaveLength(1);
    expect((await browser.post('/settings/notifications/email-routing/default', { value: '' })).statusCode).toBe(303);
    expect(await settingsOf(userId)).toEqual([]);
  });

  it('needs the CSRF token', async () => {
    const { browser, userId } = await withGrace();
    const refused = await browser.post('/settings/notifications/issue-alerts/default', { value: 'never' }, { csrf: false });
    expect(refused.statusCode).toBe(403);
    expect((await browser.post('/settings/notifications/issue-alerts/default', { value: 'never' }, { csrf: false, htmx: true })).statusCode).toBe(403);
    expect(await settingsOf(userId)).toEqual([]);
  });
});

describe('places with their own setting', () => {
  it('a person in no organization is told that needs one, with the way to organizations', async () => {
    const { browser } = await withGrace();
    const page = await browser.get('/settings/notifications/issue-alerts');
    expect(bodyText(page.body)).toContain('Settings per organization or project need an organization');
    expect(page.body).toContain('<a href="/orgs">Organizations</a>');
    expect(page.body).not.toContain('name="place"');
  });

  it('are added, changed and removed with htmx, each saying what happened', async () => {
    const { browser, userId, acme } = await withGraceInAnOrganization();
    const page = await browser.get('/settings/notifications/weekly-reports');
    // Grouped by organization: the organization itself, then its projects.
    expect(page.body).toMatch(new RegExp(`<optgroup label="Org acme">\\s*<option value="organization-${acme.organization.id}">Org acme \\(the whole organization\\)</option>\\s*<option value="project-${acme.project.id}">Web</option>`));

    const added = await browser.post('/settings/notifications/issue-alerts/places', { place: `project-${acme.project.id}`, value: 'never' }, htmx);
    expect(added.statusCode).toBe(200);
    expect(added.body).toMatch(/^<section id="notify-places"/);
    expect(added.body).toContain('data-save-status>Saved: Web in Org acme has its own setting now.<');
    expect(await settingsOf(userId)).toEqual([expect.objectContaining({ type: 'issueAlerts', scope: 'project', scope_id: acme.project.id, value: 'never' })]);
    // Listed now, and no longer offered to add.
    expect(added.body).toContain(`<label for="place-project-${acme.project.id}">Web in Org acme</label>`);
    expect(added.body).toContain('Every place you belong to has its own setting already.');

    const changed = await browser.post(`/settings/notifications/issue-alerts/places/project-${acme.project.id}`, { value: 'always' }, htmx);
    expect(changed.statusCode).toBe(200);
    expect(changed.body).toContain('Saved: the setting of Web in Org acme.');
    expect((await settingsOf(userId))[0]?.value).toBe('always');

    const removed = await browser.post(`/settings/notifications/issue-alerts/places/project-${acme.project.id}/remove`, {}, htmx);
    expect(removed.statusCode).toBe(200);
    expect(removed.body).toContain('Removed the setting of Web in Org acme: your default applies there again.');
    expect(await settingsOf(userId)).toEqual([]);
    expect((await browser.post(`/settings/notifications/issue-alerts/places/project-${acme.project.id}/remove`, {}, htmx)).statusCode).toBe(404);
  });

  it('without JavaScript: 303 back to the page with a message', async () => {
    const { browser, userId, acme } = await withGraceInAnOrganization();
    const added = await browser.post('/settings/notifications/deploys/places', { place: `organization-${acme.organization.id}`, value: 'never' });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe('/settings/notifications/deploys');
    expect(bodyText((await browser.get('/settings/notifications/deploys')).body)).toContain('Saved. That place has its own setting now.');
    const changed = await browser.post(`/settings/notifications/deploys/places/organization-${acme.organization.id}`, { value: 'always' });
    expect(changed.statusCode).toBe(303);
    expect((await browser.get('/settings/notifications/deploys')).body).toMatch(/role="status">Saved\.</);
    expect((await settingsOf(userId))[0]?.value).toBe('always');
    const removed = await browser.post(`/settings/notifications/deploys/places/organization-${acme.organization.id}/remove`, {});
    expect(removed.statusCode).toBe(303);
    expect(bodyText((await browser.get('/settings/notifications/deploys')).body)).toContain('Removed. Your default applies there again.');
    expect(await settingsOf(userId)).toEqual([]);
  });

  it('refuses a place that is not the person\'s, not a place, or of the wrong kind, and a bad value: 422 next to the field, nothing stored', async () => {
    const { browser, userId, acme, other } = await withGraceInAnOrganization();
    const cases: Array<[Record<string, string | string[]>, string, string]> = [
      [{ place: `project-${other.project.id}`, value: 'never' }, 'notify-add-place', 'Choose one of your organizations or projects from the list.'],
      [{ place: 'project-987654321', value: 'never' }, 'notify-add-place', 'Choose one of your organizations or projects from the list.'],
      [{ place: `project-${'9'.repeat(30)}`, value: 'never' }, 'notify-add-place', 'Choose one of your organizations or projects from the list.'],
      [{ place: 'project-abc', value: 'never' }, 'notify-add-place', 'Choose one of your organizations or projects from the list.'],
      [{ place: 'project-0', value: 'never' }, 'notify-add-place', 'Choose one of your organizations or projects from the list.'],
      [{ place: `organization-${acme.organization.id}`, value: 'never' }, 'notify-add-place', 'Choose one of your organizations or projects from the list.'],
      [{ place: '', value: 'never' }, 'notify-add-place', 'Choose an organization or project.'],
      [{ place: `project-${acme.project.id}`, value: 'sometimes' }, 'notify-add-value', 'Choose one of the listed settings.'],
    ];
    for (const [fields, field, message] of cases) {
      for (const options of [{}, htmx]) {
        const refused = await browser.post('/settings/notifications/issue-alerts/places', fields, options);
        expect(refused.statusCode, JSON.stringify(fields)).toBe(422);
        expect(refused.body).toContain(`<p class="field-error" id="${field}-error">${message}</p>`);
        expect(refused.body).toContain('Not saved');
      }
    }
    expect(await settingsOf(userId)).toEqual([]);
    // Another person's place, or one that is no number, named in the address: no such setting.
    for (const place of [`project-${other.project.id}`, 'project-1e3', `project-${'9'.repeat(30)}`, 'project--1', 'user-0']) {
      expect((await browser.post(`/settings/notifications/issue-alerts/places/${place}`, { value: 'never' })).statusCode, place).toBe(404);
      expect((await browser.post(`/settings/notifications/issue-alerts/places/${place}/remove`, {})).statusCode, place).toBe(404);
    }
    // A bad value for a listed place: next to that place's field.
    await browser.post('/settings/notifications/issue-alerts/places', { place: `project-${acme.project.id}`, value: 'never' });
    const refused = await browser.post(`/settings/notifications/issue-alerts/places/project-${acme.project.id}`, { value: 'sometimes' }, htmx);
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain(`<p class="field-error" id="place-project-${acme.project.id}-error">Choose one of the listed settings.</p>`);
    expect((await settingsOf(userId))[0]?.value).toBe('never');
  });

  it('routing per project offers only confirmed addresses', async () => {
    const { browser, userId, acme } = await withGraceInAnOrganization();
    await t.db.insert(userEmails).values({ userId, address: 'grace@unconfirmed.example', isPrimary: false, verifiedAt: null, createdAt: new Date(t.clock.now) });
    const refused = await browser.post('/settings/notifications/email-routing/places', { place: `project-${acme.project.id}`, value: 'grace@unconfirmed.example' }, htmx);
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('<p class="field-error" id="notify-add-value-error">Choose one of your confirmed addresses.');
    const added = await browser.post('/settings/notifications/email-routing/places', { place: `project-${acme.project.id}`, value: 'grace@example.com' }, htmx);
    expect(added.statusCode).toBe(200);
    expect(await settingsOf(userId)).toEqual([expect.objectContaining({ type: 'emailRouting', scope: 'project', value: 'grace@example.com' })]);
  });

  it('need the CSRF token', async () => {
    const { browser, userId, acme } = await withGraceInAnOrganization();
    expect((await browser.post('/settings/notifications/issue-alerts/places', { place: `project-${acme.project.id}`, value: 'never' }, { csrf: false })).statusCode).toBe(403);
    await browser.post('/settings/notifications/issue-alerts/places', { place: `project-${acme.project.id}`, value: 'never' });
    expect((await browser.post(`/settings/notifications/issue-alerts/places/project-${acme.project.id}`, { value: 'always' }, { csrf: false })).statusCode).toBe(403);
    expect((await browser.post(`/settings/notifications/issue-alerts/places/project-${acme.project.id}/remove`, {}, { csrf: false, htmx: true })).statusCode).toBe(403);
    expect(await settingsOf(userId)).toEqual([expect.objectContaining({ value: 'never' })]);
  });
});

describe('an auto-save after the session has ended', () => {
  it('says the person was logged out and saves nothing', async () => {
    const { browser, userId, acme } = await withGraceInAnOrganization();
    await t.app.services.notificationSettings.set(systemActor(userId, 'test'), { type: 'issueAlerts', scope: 'project', scopeId: acme.project.id }, 'never');
    browser.cookies.delete('dials_session');
    for (const [path, fields] of [
      ['/settings/notifications/issue-alerts/default', { value: 'never' }],
      ['/settings/notifications/issue-alerts/places', { place: `project-${acme.project.id}`, value: 'always' }],
      [`/settings/notifications/issue-alerts/places/project-${acme.project.id}`, { value: 'always' }],
      [`/settings/notifications/issue-alerts/places/project-${acme.project.id}/remove`, {}],
    ] as const) {
      const response = await browser.post(path, fields, { htmx: true, headers: { 'hx-current-url': 'http://localhost/settings/notifications/issue-alerts' } });
      expect(response.statusCode, path).toBe(401);
      expect(response.body).toContain('You were logged out, so this change was not saved.');
    }
    expect(await settingsOf(userId)).toEqual([expect.objectContaining({ scope: 'project', value: 'never' })]);
  });
});

describe('turning a type off everywhere', () => {
  async function withProjects(count: number) {
    const grace = await withGraceInAnOrganization();
    const { organizations } = t.app.services.platform;
    const ids = [grace.acme.project.id];
    for (let index = 1; index < count; index += 1) {
      const made = await organizations.createProject(grace.actor, 'acme', { name: `Project ${index}`, slug: `project-${index}` });
      if (made.ok) ids.push(made.project.id);
    }
    for (const id of ids) await t.app.services.notificationSettings.set(grace.actor, { type: 'workflow', scope: 'project', scopeId: id }, 'always');
    return grace;
  }

  it('with fewer than three places of their own: done at once, with a message', async () => {
    const { browser, userId } = await withProjects(2);
    const done = await browser.post('/settings/notifications/workflow/turn-off', {});
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/settings/notifications/workflow');
    expect(bodyText((await browser.get('/settings/notifications/workflow')).body)).toContain('Turned off everywhere.');
    expect(await settingsOf(userId)).toEqual([expect.objectContaining({ type: 'workflow', scope: 'user', value: 'never' })]);
  });

  it('with three or more: asks first, saying how many will be replaced; Cancel goes back; Confirm overwrites', async () => {
    const { browser, userId } = await withProjects(3);
    const asked = await browser.post('/settings/notifications/workflow/turn-off', {});
    expect(asked.statusCode).toBe(200);
    expect(bodyText(asked.body)).toContain('Turn off Workflow everywhere?');
    expect(bodyText(asked.body)).toContain('3 places have their own setting. They will all be replaced');
    expect(asked.body).toContain('<input type="hidden" name="confirm" value="yes">');
    expect(asked.body).toContain('<a href="/settings/notifications/workflow">Cancel</a>');
    expect(await settingsOf(userId)).toHaveLength(3);
    expect((await browser.post('/settings/notifications/workflow/turn-off', { confirm: 'maybe' })).statusCode).toBe(400);
    expect((await browser.post('/settings/notifications/workflow/turn-off', { confirm: 'yes' }, { csrf: false })).statusCode).toBe(403);
    expect(await settingsOf(userId)).toHaveLength(3);
    const done = await browser.post('/settings/notifications/workflow/turn-off', { confirm: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(await settingsOf(userId)).toEqual([expect.objectContaining({ type: 'workflow', scope: 'user', value: 'never' })]);
  });

  it('is not offered for routing, which cannot be turned off', async () => {
    const { browser } = await withGrace();
    expect((await browser.get('/settings/notifications/email-routing')).body).not.toContain('/turn-off');
    expect((await browser.post('/settings/notifications/email-routing/turn-off', { confirm: 'yes' })).statusCode).toBe(404);
  });
});

describe('resetting to the defaults', () => {
  async function withSettings() {
    const grace = await withGraceInAnOrganization();
    const settings = t.app.services.notificationSettings;
    await settings.set(grace.actor, { type: 'issueAlerts', scope: 'user', scopeId: null }, 'never');
    await settings.set(grace.actor, { type: 'issueAlerts', scope: 'project', scopeId: grace.acme.project.id }, 'always');
    await settings.set(grace.actor, { type: 'deploys', scope: 'user', scopeId: null }, 'always');
    return grace;
  }

  it('of one type: asks first with the count, then says how many settings went', async () => {
    const { browser, userId } = await withSettings();
    const asked = await browser.post('/settings/notifications/issue-alerts/reset', {});
    expect(asked.statusCode).toBe(200);
    expect(bodyText(asked.body)).toContain('Reset Issue alerts to the defaults?');
    expect(bodyText(asked.body)).toContain('2 settings of yours will be removed');
    expect(asked.body).toContain('<a href="/settings/notifications/issue-alerts">Cancel</a>');
    expect(await settingsOf(userId)).toHaveLength(3);
    expect((await browser.post('/settings/notifications/issue-alerts/reset', { confirm: 'yes' }, { csrf: false })).statusCode).toBe(403);
    expect(await settingsOf(userId)).toHaveLength(3);
    const done = await browser.post('/settings/notifications/issue-alerts/reset', { confirm: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/settings/notifications/issue-alerts');
    expect(bodyText((await browser.get(done.headers.location as string)).body)).toContain('Back to the defaults: 2 settings were removed.');
    expect((await settingsOf(userId)).map((row) => row.type)).toEqual(['deploys']);
  });

  it('of everything: asks first with the count, then says how many settings went', async () => {
    const { browser, userId } = await withSettings();
    const asked = await browser.post('/settings/notifications/reset', {});
    expect(asked.statusCode).toBe(200);
    expect(bodyText(asked.body)).toContain('Reset every notification setting to the defaults?');
    expect(bodyText(asked.body)).toContain('3 settings of yours will be removed');
    expect(await settingsOf(userId)).toHaveLength(3);
    expect((await browser.post('/settings/notifications/reset', { confirm: 'yes' }, { csrf: false })).statusCode).toBe(403);
    expect((await browser.post('/settings/notifications/reset', { confirm: 'yes', everything: 'yes' })).statusCode).toBe(400);
    const done = await browser.post('/settings/notifications/reset', { confirm: 'yes' });
    expect(done.headers.location).toBe('/settings/notifications');
    expect(bodyText((await browser.get(done.headers.location as string)).body)).toContain('Back to the defaults: 3 settings were removed.');
    expect(await settingsOf(userId)).toEqual([]);
    // The count comes once, from the flash cookie: a link with a count in it says nothing.
    expect(bodyText((await browser.get('/settings/notifications')).body)).not.toContain('Back to the defaults');
    for (const query of ['?removed=3', '?removed=999', '?removed=abc', '?removed=-1', `?removed=${'9'.repeat(40)}`, '?removed=1&removed=2']) {
      const page = await browser.get(`/settings/notifications${query}`);
      expect(page.statusCode, query).toBe(200);
      expect(page.body, query).not.toContain('Back to the defaults');
    }
  });
});

describe('whatever a person sends', () => {
  it('is answered with a 4xx or a page, never a 500', async () => {
    const { browser, userId, acme } = await withGraceInAnOrganization();
    const paths = [
      '/settings/notifications/issue-alerts/default',
      '/settings/notifications/email-routing/default',
      '/settings/notifications/weekly-reports/places',
      `/settings/notifications/weekly-reports/places/project-${acme.project.id}`,
      `/settings/notifications/weekly-reports/places/project-${acme.project.id}/remove`,
      '/settings/notifications/weekly-reports/turn-off',
      '/settings/notifications/weekly-reports/reset',
      '/settings/notifications/reset',
      '/settings/notifications/weekly-reports/places/organization-%E0%A4%A',
      '/settings/notifications/weekly-reports/places/project-9007199254740993',
    ];
    const bodies: Array<Record<string, string | string[]>> = [
      { value: '\u0000', place: '\u202e' },
      { value: 'on', place: 'organization-1'.repeat(10), confirm: 'yes' },
      { __proto__: 'x', constructor: 'y' } as never,
      { 'value[]': 'on' },
      { place: [`project-${acme.project.id}`, `project-${acme.project.id}`], value: 'on' },
    ];
    for (const path of paths) {
      for (const fields of bodies) {
        for (const options of [{}, htmx]) {
          const response = await browser.post(path, fields, options);
          expect(response.statusCode, `${path} ${JSON.stringify(fields)}`).toBeLessThan(500);
        }
      }
      const json = await browser.app.inject({
        method: 'POST',
        url: path,
        headers: { cookie: browser.cookieHeader(), 'content-type': 'application/json', 'x-csrf-token': browser.csrfToken },
        payload: JSON.stringify({ value: { nested: true }, place: 12, confirm: ['yes'] }),
      });
      expect(json.statusCode, `${path} as JSON`).toBeLessThan(500);
    }
    for (const query of ['?removed[]=1', '?removed=1e400', '?removed=0x10']) expect((await browser.get(`/settings/notifications/weekly-reports${query}`)).statusCode).toBe(200);
    expect((await settingsOf(userId)).filter((row) => row.type === 'weeklyReports' && row.scope !== 'user')).toEqual([]);
  });
});
