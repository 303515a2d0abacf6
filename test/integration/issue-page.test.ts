import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, setUpAdministrator, signUp } from '../support/browser-session.ts';
import { shownText } from '../support/html-text.ts';
import { errorEvent, receipt, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { systemActor } from '../../src/lib/actor.ts';

let t: TestApp;
let ada: BrowserSession;
let mallory: BrowserSession;
let issueId: number;

const frames = Array.from({ length: 35 }, (_, index) => ({
  file: index % 2 === 0 ? `src/deeply/nested/folder/module-${index}-with-a-long-name.ts` : `node_modules/library/lib/part-${index}.js`,
  function: `frame${index}`,
  line: index + 1,
  inApp: index % 2 === 0,
}));

/** The functions of the frames, in the order the page shows them. */
const shownFrames = (html: string) => [...html.matchAll(/<code class="frame-function" translate="no">(frame\d+)<\/code>/g)].map((match) => match[1]);

const savePreferences = (stackTraceOrder: string, extra: Record<string, string> = {}) =>
  ada.post('/settings/account/preferences', { language: 'en', timezone: 'UTC', dateFormat: 'iso', theme: 'system', stackTraceOrder, ...extra });

beforeAll(async () => {
  t = await createTestApp();
  ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  mallory = await signUp(t.app, { email: 'mallory@example.com', name: 'Mallory' });
  await ada.get('/orgs');
  await ada.post('/orgs', { name: 'Acme', slug: 'acme' });
  await ada.post('/orgs/acme/projects', { name: 'Web', slug: 'web' });
  const adaId = (await rowsOf(t, 'users')).find((row) => row.email === 'ada@example.com')?.id as number;
  const actor = systemActor(adaId, 'test');
  const { reports } = t.app.services.platform;
  const reported = await reports.errorEvent(actor, 'acme', errorEvent('web', Date.parse('2026-03-09T22:30:00Z'), { frames }), receipt());
  if (!reported.ok) throw new Error('not reported');
  issueId = (JSON.parse(reported.answer.body) as { issue: { id: number } }).issue.id;
  await reports.issueActivity(actor, 'acme', { issueId, activity: { kind: 'comment', comment: 'Looking <into> it' } }, receipt());
  await reports.issueActivity(actor, 'acme', { issueId, activity: { kind: 'assigned', assigneeId: adaId } }, receipt());
});
afterAll(async () => {
  await t.close();
});

describe('/orgs/<slug>/issues', () => {
  it('lists the issues with title, level, status, events and last seen', async () => {
    const page = await ada.get('/orgs/acme/issues');
    expect(page.statusCode).toBe(200);
    const text = shownText(page.body);
    expect(text).toContain("TypeError: cannot read properties of undefined (reading 'id')</a>");
    expect(text).toContain('>Error</span>');
    expect(text).toContain('data-label="Status">Unresolved<');
    expect(text).toContain('data-label="Events">1<');
    expect(text).toContain('>03/09/2026 10:30 PM UTC</time>');
    expect(page.body).toContain(`href="/orgs/acme/issues/${issueId}"`);
    expect((await ada.get('/orgs/acme/issues?status=resolved')).body).toContain('No issues.');
    expect((await ada.get('/orgs/acme/issues?status=nonsense&page=x')).statusCode).toBe(200);
  });
});

describe('/orgs/<slug>/issues/<id>', () => {
  it('shows the most recent call first by default, and says so, with a link to change it', async () => {
    const page = await ada.get(`/orgs/acme/issues/${issueId}`);
    expect(page.statusCode).toBe(200);
    expect([...page.body.matchAll(/<h1\b/g)]).toHaveLength(1);
    expect(shownFrames(page.body)).toEqual(frames.map((frame) => frame.function).reverse());
    const text = shownText(page.body);
    expect(text).toContain('Shown with the most recent call first. This is the default order.');
    expect(page.body).toContain('href="/settings/account#pref-stack"');
  });

  it('follows the stack-trace order chosen on the account page', async () => {
    expect((await savePreferences('caller-last')).statusCode).toBe(303);
    const last = await ada.get(`/orgs/acme/issues/${issueId}`);
    expect(shownFrames(last.body)).toEqual(frames.map((frame) => frame.function));
    expect(shownText(last.body)).toContain('Shown with the most recent call last.');
    await savePreferences('caller-first');
    const first = await ada.get(`/orgs/acme/issues/${issueId}`);
    expect(shownFrames(first.body)).toEqual(frames.map((frame) => frame.function).reverse());
    expect(shownText(first.body)).not.toContain('This is the default order.');
  });

  it('tells in-app frames from library frames in words, not colour alone', async () => {
    const page = await ada.get(`/orgs/acme/issues/${issueId}`);
    expect(page.body).toMatch(/<li class="frame frame-in-app">\s*<span class="badge badge-primary">In app<\/span>\s*<code class="frame-function" translate="no">frame34<\/code>/);
    expect(page.body).toMatch(/<li class="frame frame-library">\s*<span class="badge">Library<\/span>\s*<code class="frame-function" translate="no">frame33<\/code>/);
  });

  it('shows the activity (who, what, when) and every timestamp in the viewer\u2019s zone and format', async () => {
    await savePreferences('default', { timezone: 'Europe/Berlin', dateFormat: 'international', clock24h: 'on' });
    const text = shownText((await ada.get(`/orgs/acme/issues/${issueId}`)).body);
    expect(text).toMatch(/<strong>Ada Lovelace<\/strong>\s*commented/);
    expect(text).toContain('Looking &lt;into&gt; it');
    expect(text).toMatch(/assigned it to Ada Lovelace/);
    // 22:30 UTC is 23:30 in Berlin in March.
    expect(text).toContain('>09/03/2026 23:30 GMT+1</time>');
    expect(text).not.toContain('UTC</time>');
    await savePreferences('default');
  });

  it('subscribes and unsubscribes with a form that works without JavaScript', async () => {
    const page = await ada.get(`/orgs/acme/issues/${issueId}`);
    // Commenting made Ada follow the issue.
    expect(page.body).toContain(`action="/orgs/acme/issues/${issueId}/unsubscribe"`);
    const off = await ada.post(`/orgs/acme/issues/${issueId}/unsubscribe`, {});
    expect(off.statusCode).toBe(303);
    expect(off.headers.location).toBe(`/orgs/acme/issues/${issueId}`);
    const after = shownText((await ada.get(`/orgs/acme/issues/${issueId}`)).body);
    expect(after).toContain('You no longer follow this issue.');
    expect(after).toContain(`action="/orgs/acme/issues/${issueId}/subscribe"`);
    await ada.post(`/orgs/acme/issues/${issueId}/subscribe`, {});
    expect(shownText((await ada.get(`/orgs/acme/issues/${issueId}`)).body)).toContain('You now follow this issue.');
    expect((await ada.post(`/orgs/acme/issues/${issueId}/subscribe`, {}, { csrf: false })).statusCode).toBe(403);
    expect((await ada.post(`/orgs/acme/issues/${issueId}/subscribe`, { extra: '1' })).statusCode).toBe(404);
    expect((await ada.post('/orgs/acme/issues/999999/subscribe', {})).statusCode).toBe(404);
  });

  it('is not found for anyone outside the organization, and for ids that are not its issues', async () => {
    expect((await mallory.get(`/orgs/acme/issues/${issueId}`)).statusCode).toBe(404);
    expect((await mallory.post(`/orgs/acme/issues/${issueId}/subscribe`, {})).statusCode).toBe(404);
    expect((await mallory.get('/orgs/acme/issues')).statusCode).toBe(404);
    for (const id of ['999999', 'abc', '-1', '0', String(Number.MAX_SAFE_INTEGER), '9007199254740993', '１']) {
      expect((await ada.get(`/orgs/acme/issues/${encodeURIComponent(id)}`)).statusCode, id).toBe(404);
    }
  });
});
