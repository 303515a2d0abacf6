import { afterEach, describe, expect, it } from 'vitest';
import { makeKey } from '../support/api-keys.ts';
import { BrowserSession, setUpAdministrator, signUp } from '../support/browser-session.ts';
import { shownText } from '../support/html-text.ts';
import { confirmPrimaryAddress, errorEvent, joinThroughInvitation, makeOrganization, makePerson, receipt, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** "Self-assign when I resolve": resolving an issue assigns it to whoever resolved it, when their setting is on. */

let t: TestApp;
/** A page's text without its tags, spaces collapsed. */
const plain = (html: string) => shownText(html).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
afterEach(async () => {
  await t.close();
});

/** Ada owns `engines` and follows its one issue (she commented); Grace is a member with a key. */
async function anIssue() {
  t = await createTestApp();
  const ada = await makePerson(t, 'ada@example.com', 'Ada Lovelace');
  const grace = await makePerson(t, 'grace@example.com', 'Grace Hopper');
  await makeOrganization(t, ada.actor, 'engines');
  await confirmPrimaryAddress(t, ada.userId);
  expect(await joinThroughInvitation(t, ada.actor, 'engines', grace)).toBe('member');
  const { reports } = t.app.services.platform;
  const reported = await reports.errorEvent(ada.actor, 'engines', errorEvent('web', t.clock.now - 60_000), receipt());
  if (!reported.ok) throw new Error('not reported');
  const issueId = (JSON.parse(reported.answer.body) as { issue: { id: number } }).issue.id;
  await reports.issueActivity(ada.actor, 'engines', { issueId, activity: { kind: 'comment', comment: 'Seen it.' } }, receipt());
  await t.app.services.dispatcher.runOnce();
  const key = (await makeKey(t, grace.userId, ['issues:write', 'issues:read'])).secret;
  const act = (body: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: `/api/v1/orgs/engines/issues/${issueId}/activity`, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  const read = async () =>
    (await t.app.inject({ method: 'GET', url: `/api/v1/orgs/engines/issues/${issueId}`, headers: { authorization: `Bearer ${key}` } })).json() as {
      status: string;
      assigneeId: number | null;
      activity: Array<{ kind: string; actor: { id: number } | null; assignee: { id: number } | null }>;
    };
  return { ada, grace, issueId, act, read };
}

describe('self-assign when I resolve, through the API', () => {
  it('assigns the issue to the person who resolved it, with an activity of its own and the usual mail', async () => {
    const { grace, act, read } = await anIssue();
    expect((await t.app.services.notificationSettings.set(grace.actor, { type: 'selfAssignOnResolve', scope: 'user', scopeId: null }, 'on')).ok).toBe(true);
    const resolved = await act({ eventId: 'resolve-1', kind: 'resolved' });
    expect(resolved.statusCode, resolved.body).toBe(201);
    expect(resolved.json()).toMatchObject({ kind: 'resolved', actor: { id: grace.userId } });

    const issue = await read();
    expect(issue.status).toBe('resolved');
    expect(issue.assigneeId).toBe(grace.userId);
    expect(issue.activity.map((entry) => [entry.kind, entry.actor?.id ?? null, entry.assignee?.id ?? null])).toEqual([
      ['comment', expect.any(Number), null],
      ['resolved', grace.userId, null],
      ['assigned', grace.userId, grace.userId],
    ]);
    // Assigned, Grace follows the issue now, as anyone assigned does.
    expect((await rowsOf(t, 'issue_subscriptions')).some((row) => row.user_id === grace.userId && row.reason === 'assigned')).toBe(true);

    // Ada follows it: she hears of both, as two workflow messages.
    expect(await t.app.services.dispatcher.runOnce()).toMatchObject({ processed: 2 });
    // (Her first message was the new issue's alert.)
    for (let i = 0; i < 200 && t.mail.messagesTo('ada@example.com').length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const mails = t.mail.messagesTo('ada@example.com').map((mail) => mail.text);
    expect(mails).toHaveLength(3);
    expect(mails.some((text) => text.includes('Grace Hopper resolved the issue.'))).toBe(true);
    expect(mails.some((text) => text.includes('Grace Hopper assigned the issue to Grace Hopper.'))).toBe(true);
    // A retried report changes nothing.
    expect((await act({ eventId: 'resolve-1', kind: 'resolved' })).statusCode).toBe(201);
    expect((await read()).activity).toHaveLength(3);
  });

  it('leaves the assignee alone when the setting is off (the default), and when the resolver is the assignee already', async () => {
    const { ada, grace, act, read } = await anIssue();
    expect((await act({ eventId: 'resolve-1', kind: 'resolved' })).statusCode).toBe(201);
    expect((await read()).assigneeId).toBeNull();
    expect((await read()).activity.map((entry) => entry.kind)).toEqual(['comment', 'resolved']);

    expect((await act({ eventId: 'reopen-1', kind: 'unresolved' })).statusCode).toBe(201);
    await t.app.services.notificationSettings.set(grace.actor, { type: 'selfAssignOnResolve', scope: 'user', scopeId: null }, 'on');
    expect((await act({ eventId: 'assign-1', kind: 'assigned', assigneeId: grace.userId })).statusCode).toBe(201);
    expect((await act({ eventId: 'resolve-2', kind: 'resolved' })).statusCode).toBe(201);
    expect((await read()).activity.map((entry) => entry.kind)).toEqual(['comment', 'resolved', 'unresolved', 'assigned', 'resolved']);

    // Someone else's setting does not act for Grace.
    await t.app.services.notificationSettings.set(ada.actor, { type: 'selfAssignOnResolve', scope: 'user', scopeId: null }, 'on');
    await t.app.services.notificationSettings.set(grace.actor, { type: 'selfAssignOnResolve', scope: 'user', scopeId: null }, 'off');
    expect((await act({ eventId: 'reopen-2', kind: 'unresolved' })).statusCode).toBe(201);
    expect((await act({ eventId: 'unassign-1', kind: 'unassigned' })).statusCode).toBe(201);
    expect((await act({ eventId: 'resolve-3', kind: 'resolved' })).statusCode).toBe(201);
    expect((await read()).assigneeId).toBeNull();
  });
});

describe('self-assign when I resolve, on the issue page', () => {
  async function aPageWithAnIssue(): Promise<{ ada: BrowserSession; grace: BrowserSession; path: string }> {
    t = await createTestApp();
    const ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
    const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    await ada.get('/orgs');
    await ada.post('/orgs', { name: 'Acme', slug: 'acme' });
    await ada.post('/orgs/acme/projects', { name: 'Web', slug: 'web' });
    const users = await rowsOf(t, 'users');
    const adaId = users.find((row) => row.email === 'ada@example.com')?.id as number;
    const graceId = users.find((row) => row.email === 'grace@example.com')?.id as number;
    const { systemActor } = await import('../../src/lib/actor.ts');
    await joinThroughInvitation(t, systemActor(adaId, 'test'), 'acme', { userId: graceId, actor: systemActor(graceId, 'test') });
    const reported = await t.app.services.platform.reports.errorEvent(systemActor(adaId, 'test'), 'acme', errorEvent('web', t.clock.now - 60_000), receipt());
    if (!reported.ok) throw new Error('not reported');
    const issueId = (JSON.parse(reported.answer.body) as { issue: { id: number } }).issue.id;
    return { ada, grace, path: `/orgs/acme/issues/${issueId}` };
  }

  it('the setting turned on on the notifications page makes the Resolve button assign the issue', async () => {
    const { grace, path } = await aPageWithAnIssue();
    await grace.get('/settings/notifications');
    const saved = await grace.post('/settings/notifications/self-assign-on-resolve/default', { value: 'on', from: 'overview' });
    expect(saved.statusCode).toBe(303);
    const overview = shownText((await grace.get('/settings/notifications')).body);
    expect(overview).toContain('Whether resolving an issue assigns it to you.');
    expect(overview).not.toMatch(/not applied yet/i);

    const page = await grace.get(path);
    expect(page.body).toContain(`action="${path}/resolve"`);
    expect(plain(page.body)).toContain('Assigned to No one');
    const resolved = await grace.post(`${path}/resolve`, {});
    expect(resolved.statusCode).toBe(303);
    expect(resolved.headers.location).toBe(path);
    const after = shownText((await grace.get(path)).body);
    expect(after).toContain('Issue resolved.');
    expect(after).toContain('Resolved');
    expect(after).toMatch(/Grace Hopper<\/strong>\s*resolved it/);
    expect(after).toMatch(/Grace Hopper<\/strong>\s*assigned it to Grace Hopper/);
    expect(plain(after)).toContain('Assigned to Grace Hopper');
    expect((await rowsOf(t, 'issues'))[0]?.assignee_id).toBe((await rowsOf(t, 'users')).find((row) => row.email === 'grace@example.com')?.id);

    // Reopened from the page: no assignment changes.
    expect((await grace.get(path)).body).toContain(`action="${path}/reopen"`);
    expect((await grace.post(`${path}/reopen`, {})).statusCode).toBe(303);
    expect(shownText((await grace.get(path)).body)).toContain('Issue reopened.');
    expect((await rowsOf(t, 'issues'))[0]?.status).toBe('unresolved');

    // The same button pressed again (a second tab): nothing recorded, no one told, and the page says so.
    const activities = (await rowsOf(t, 'issue_activity')).length;
    const work = (await rowsOf(t, 'notification_work')).length;
    expect((await grace.post(`${path}/reopen`, {})).statusCode).toBe(303);
    expect(shownText((await grace.get(path)).body)).toContain('The issue was already open: nothing changed.');
    expect((await grace.post(`${path}/resolve`, {})).statusCode).toBe(303);
    expect((await grace.post(`${path}/resolve`, {})).statusCode).toBe(303);
    expect(shownText((await grace.get(path)).body)).toContain('The issue was already resolved: nothing changed.');
    expect((await rowsOf(t, 'issue_activity')).filter((row) => row.kind === 'resolved')).toHaveLength(2);
    expect((await rowsOf(t, 'issue_activity')).length).toBe(activities + 1);
    expect((await rowsOf(t, 'notification_work')).length).toBe(work + 1);
  });

  it('without the setting the page resolves and assigns no one; without the CSRF token or outside the organization nothing happens', async () => {
    const { ada, path } = await aPageWithAnIssue();
    await ada.get(path);
    expect((await ada.post(`${path}/resolve`, {}, { csrf: false })).statusCode).toBeGreaterThanOrEqual(400);
    expect((await rowsOf(t, 'issues'))[0]?.status).toBe('unresolved');
    const mallory = await signUp(t.app, { email: 'mallory@example.com', name: 'Mallory' });
    await mallory.get('/settings/account');
    expect((await mallory.post(`${path}/resolve`, {})).statusCode).toBe(404);
    expect((await rowsOf(t, 'issues'))[0]?.status).toBe('unresolved');

    await ada.get(path);
    expect((await ada.post(`${path}/resolve`, {})).statusCode).toBe(303);
    const issue = (await rowsOf(t, 'issues'))[0];
    expect(issue?.status).toBe('resolved');
    expect(issue?.assignee_id).toBeNull();
    expect(shownText((await ada.get(path)).body)).not.toMatch(/assigned it to/);
  });
});
