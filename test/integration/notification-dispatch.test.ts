import { afterEach, describe, expect, it } from 'vitest';
import { userEmails } from '../../src/auth/tables.ts';
import { makeKey } from '../support/api-keys.ts';
import { joinThroughInvitation, makeOrganization, makePerson, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** A build reported through the API reaches exactly the people whose settings ask for it, by mail, once. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

/** The deliveries of platform events (security notices, such as the new API key's, are deliveries too). */
const eventDeliveries = async () => (await rowsOf(t, 'notification_deliveries')).filter((row) => row.event_kind !== 'security');

const commit = { sha: '9fceb02d0ae598e95dc970b74767f19372d61af8', message: 'Speed up the mill\n\nlonger text', authorName: 'Ada Lovelace', authorEmail: 'ada@example.com' };

async function anOrganizationOfThree(options: { dispatchInBackground?: boolean } = {}) {
  t = await createTestApp({}, options);
  const ada = await makePerson(t, 'ada@example.com', 'Ada Lovelace');
  const grace = await makePerson(t, 'grace@example.com', 'Grace Hopper');
  const linus = await makePerson(t, 'linus@example.com', 'Linus');
  const outsider = await makePerson(t, 'eve@example.com', 'Eve');
  await t.db.update(userEmails).set({ verifiedAt: new Date(t.clock.now) });
  const made = await makeOrganization(t, ada.actor, 'engines');
  for (const person of [grace, linus]) expect(await joinThroughInvitation(t, ada.actor, 'engines', person)).toBe('member');
  const settings = t.app.services.notificationSettings;
  await settings.set(ada.actor, { type: 'buildEmails', scope: 'user', scopeId: null }, 'failed');
  await settings.set(grace.actor, { type: 'buildEmails', scope: 'user', scopeId: null }, 'successful');
  await settings.set(outsider.actor, { type: 'buildEmails', scope: 'user', scopeId: null }, 'both');
  const key = await makeKey(t, ada.userId, ['builds:write', 'deploys:write', 'issues:write']);
  const post = async (path: string, body: Record<string, unknown>) => {
    const answer = await t.app.inject({ method: 'POST', url: `/api/v1/orgs/engines${path}`, headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    expect(answer.statusCode, answer.body).toBeLessThan(300);
    return answer;
  };
  const report = (body: Record<string, unknown>) => post('/builds', body);
  return { ada, grace, linus, made, report, post };
}

describe('build e-mails', () => {
  it('a failed build goes to whoever asked for failed builds, in their words, once, however often it is reported', async () => {
    const { made, report } = await anOrganizationOfThree();
    const started = { eventId: 'ci-1-started', pipelineId: made.pipeline.id, buildId: '4711', status: 'running', trigger: 'push', startedAt: new Date(t.clock.now - 120_000).toISOString(), commit };
    expect((await report(started)).statusCode).toBe(201);
    expect(await t.app.services.dispatcher.runOnce()).toEqual({ processed: 1, queued: 0 });

    const finished = { ...started, eventId: 'ci-1-finished', status: 'failed', finishedAt: new Date(t.clock.now - 60_000).toISOString() };
    expect((await report(finished)).statusCode).toBe(200);
    expect((await report(finished)).statusCode).toBe(200);
    expect(await t.app.services.dispatcher.runOnce()).toEqual({ processed: 1, queued: 1 });
    expect(await t.app.services.dispatcher.runOnce()).toEqual({ processed: 0, queued: 0 });

    const mail = await t.mail.waitFor('ada@example.com', /Build failed: main in Web/);
    expect(mail.text).toContain('4711');
    expect(mail.text).toContain('9fceb02d0ae5');
    expect(mail.text).toContain('Speed up the mill');
    expect(mail.text).not.toContain('longer text');
    expect(mail.text).toContain('failed builds');
    expect(mail.text).toContain('/settings/notifications');
    expect(mail.text).toContain('/orgs/engines/builds');
    const deliveries = await eventDeliveries();
    expect(deliveries.map((row) => row.address)).toEqual(['ada@example.com']);
    expect(t.mail.messagesTo('grace@example.com')).toHaveLength(0);
    expect(t.mail.messagesTo('linus@example.com')).toHaveLength(0);
    expect(t.mail.messagesTo('eve@example.com')).toHaveLength(0);
  });

  it("goes to the project's chosen address, in the recipient's language", async () => {
    const { made, report, grace } = await anOrganizationOfThree();
    await t.db.insert(userEmails).values({ userId: grace.userId, address: 'grace@work.example', isPrimary: false, verifiedAt: new Date(t.clock.now), createdAt: new Date(t.clock.now) });
    await t.app.services.notificationSettings.set(grace.actor, { type: 'emailRouting', scope: 'project', scopeId: made.project.id }, 'grace@work.example');
    await t.app.services.account.savePreferences(grace.actor, { language: 'de', timezone: 'Europe/Berlin', clock24h: true, dateFormat: 'iso', theme: 'system', stackTraceOrder: 'default' } as never);
    const build = { eventId: 'ci-2', pipelineId: made.pipeline.id, buildId: '4712', status: 'success', trigger: 'schedule', startedAt: new Date(t.clock.now - 120_000).toISOString(), finishedAt: new Date(t.clock.now - 60_000).toISOString(), commit };
    expect((await report(build)).statusCode).toBe(201);
    expect(await t.app.services.dispatcher.runOnce()).toEqual({ processed: 1, queued: 1 });
    const mail = await t.mail.waitFor('grace@work.example', /Build erfolgreich/);
    expect(mail.text).toContain('erfolgreiche Builds');
    expect(t.mail.messagesTo('grace@example.com')).toHaveLength(0);
  });

  it('a build started by hand notifies only when its pipeline reports manual executions', async () => {
    const { ada, made, report } = await anOrganizationOfThree();
    const manual = (eventId: string, buildId: string) => ({ eventId, pipelineId: made.pipeline.id, buildId, status: 'failed', trigger: 'manual', startedAt: new Date(t.clock.now - 120_000).toISOString(), finishedAt: new Date(t.clock.now - 60_000).toISOString(), commit });
    expect((await report(manual('m-1', '1'))).statusCode).toBe(201);
    expect(await t.app.services.dispatcher.runOnce()).toEqual({ processed: 1, queued: 0 });
    const flagged = await t.app.services.platform.organizations.setNotifyManualExecutions(ada.actor, { organization: 'engines', pipelineId: made.pipeline.id }, true);
    expect(flagged.ok).toBe(true);
    expect((await report(manual('m-2', '2'))).statusCode).toBe(201);
    expect(await t.app.services.dispatcher.runOnce()).toEqual({ processed: 1, queued: 1 });
  });

  it('work claimed by a dispatcher that stopped is taken over once its claim lapses, and sent once', async () => {
    const { made, report } = await anOrganizationOfThree();
    const build = { eventId: 'ci-3', pipelineId: made.pipeline.id, buildId: '4713', status: 'failed', trigger: 'push', startedAt: new Date(t.clock.now - 120_000).toISOString(), finishedAt: new Date(t.clock.now - 60_000).toISOString(), commit };
    expect((await report(build)).statusCode).toBe(201);
    const { claimWork } = await import('../../src/notify/work.ts');
    const now = t.clock.now;
    expect(await claimWork(t.db, 'a stopped dispatcher', new Date(now), new Date(now + 60_000), 10, ['build'])).toHaveLength(1);
    expect(await t.app.services.dispatcher.runOnce()).toEqual({ processed: 0, queued: 0 });
    t.clock.advance(61_000);
    expect(await t.app.services.dispatcher.runOnce()).toEqual({ processed: 1, queued: 1 });
    expect(await eventDeliveries()).toHaveLength(1);
  });

  it('is sent by the running Dials on its own, within seconds of the report', async () => {
    const { made, report } = await anOrganizationOfThree({ dispatchInBackground: true });
    const build = { eventId: 'ci-4', pipelineId: made.pipeline.id, buildId: '4714', status: 'failed', trigger: 'api', startedAt: new Date(t.clock.now - 120_000).toISOString(), finishedAt: new Date(t.clock.now - 60_000).toISOString(), commit };
    expect((await report(build)).statusCode).toBe(201);
    await t.mail.waitFor('ada@example.com', /Build failed/);
  });
});

describe('deploys, issues and their workflow', () => {
  const dispatch = () => t.app.services.dispatcher.runOnce();
  const at = (ms: number) => new Date(t.clock.now - ms).toISOString();
  const error = (eventId: string) => ({ eventId, project: 'web', level: 'error', occurredAt: at(10_000), title: 'TypeError: user is undefined', message: 'the user was not loaded', frames: [{ file: 'src/users.ts', function: 'loadUser', line: 42, inApp: true }] });

  it('a deploy reaches by default only those whose commits it carries, matched on any verified address', async () => {
    const { post, grace } = await anOrganizationOfThree();
    await t.app.services.notificationSettings.set(grace.actor, { type: 'deploys', scope: 'user', scopeId: null }, 'always');
    await post('/deploys', { eventId: 'd-1', project: 'web', environment: 'production', version: 'v1.2.3', finishedAt: at(5_000), commits: [{ sha: commit.sha, authorEmail: 'ADA@example.com' }] });
    expect(await dispatch()).toEqual({ processed: 1, queued: 2 });
    const mail = await t.mail.waitFor('ada@example.com', /Deployed: Web v1.2.3 to production/);
    expect(mail.text).toContain('only deploys with my commits');
    await t.mail.waitFor('grace@example.com', /Deployed/);
    expect(t.mail.messagesTo('linus@example.com')).toHaveLength(0);
  });

  it('a new issue alerts everyone who did not turn alerts off; its later events alert no one', async () => {
    const { post, linus } = await anOrganizationOfThree();
    await t.app.services.notificationSettings.set(linus.actor, { type: 'issueAlerts', scope: 'user', scopeId: null }, 'never');
    await post('/events', error('e-1'));
    expect(await dispatch()).toEqual({ processed: 1, queued: 2 });
    const mail = await t.mail.waitFor('grace@example.com', /New issue in Web: TypeError: user is undefined/);
    expect(mail.text).toContain('/orgs/engines/issues/');
    await post('/events', error('e-2'));
    expect(await dispatch()).toEqual({ processed: 1, queued: 0 });
    expect(t.mail.messagesTo('linus@example.com')).toHaveLength(0);
  });

  it('workflow goes to those who follow the issue, not to who did it; a regression alerts again', async () => {
    const { post, grace } = await anOrganizationOfThree();
    // Ada reports and acts through her key: she follows nothing and hears nothing of her own actions.
    const opened = await post('/events', error('e-1'));
    const issueId = (opened.json() as { issue: { id: number } }).issue.id;
    expect(await dispatch()).toEqual({ processed: 1, queued: 3 });
    await post(`/issues/${issueId}/activity`, { eventId: 'a-1', kind: 'assigned', assigneeId: grace.userId });
    expect(await dispatch()).toEqual({ processed: 1, queued: 1 });
    const assigned = await t.mail.waitFor('grace@example.com', /^Web: TypeError/);
    expect(assigned.text).toContain('Ada Lovelace assigned the issue to Grace Hopper');
    expect(assigned.text).toContain('only issues I follow');
    await post(`/issues/${issueId}/activity`, { eventId: 'a-2', kind: 'resolved' });
    expect(await dispatch()).toEqual({ processed: 1, queued: 1 });
    await post('/events', error('e-2'));
    expect(await dispatch()).toEqual({ processed: 2, queued: 3 });
    await t.mail.waitFor('linus@example.com', /Regression in Web/);
    const deliveries = await eventDeliveries();
    expect(deliveries.map((row) => row.type).sort()).toEqual(['issueAlerts', 'issueAlerts', 'issueAlerts', 'issueAlerts', 'issueAlerts', 'issueAlerts', 'workflow', 'workflow']);
  });
});

describe('one-click unsubscribe', () => {
  it('every notification carries a link that turns that type off for that place, in one click and without logging in', async () => {
    const { made, report, ada } = await anOrganizationOfThree();
    const build = (eventId: string, buildId: string) => ({ eventId, pipelineId: made.pipeline.id, buildId, status: 'failed', trigger: 'push', startedAt: new Date(t.clock.now - 120_000).toISOString(), finishedAt: new Date(t.clock.now - 60_000).toISOString(), commit });
    await report(build('u-1', '1'));
    await t.app.services.dispatcher.runOnce();
    const mail = await t.mail.waitFor('ada@example.com', /Build failed/);
    expect(mail.listUnsubscribePost).toBe('List-Unsubscribe=One-Click');
    const url = /^<(https?:\/\/[^>]+\/unsubscribe\/[^>]+)>$/.exec(mail.listUnsubscribe ?? '')?.[1];
    expect(url).toBeDefined();
    expect(mail.text).toContain(`Turn off these e-mails for Web: ${url}`);
    const path = new URL(url!).pathname;

    const asked = await t.app.inject({ method: 'GET', url: path });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Turn off build e-mails for Org engines / Web?');
    expect(await t.app.services.notificationSettings.rows(ada.actor)).toHaveLength(1);

    const clicked = await t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(clicked.statusCode).toBe(200);
    expect(await t.app.services.notificationSettings.rows(ada.actor)).toEqual(
      expect.arrayContaining([{ type: 'buildEmails', scope: 'project', scopeId: made.project.id, value: 'off' }]),
    );
    await report(build('u-2', '2'));
    expect(await t.app.services.dispatcher.runOnce()).toEqual({ processed: 1, queued: 0 });

    const boundary = 'mail-program-boundary';
    const multipart = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const asRfc8058Says = await t.app.inject({ method: 'POST', url: path, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: multipart });
    expect(asRfc8058Says.statusCode).toBe(200);
    expect(asRfc8058Says.body).toBe('Unsubscribed.');

    const pressed = await t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    expect(pressed.statusCode).toBe(200);
    expect(pressed.body).toContain('Done: build e-mails are off for Org engines / Web.');
  });

  it('a link that was altered or made up opens nothing', async () => {
    const { made, ada } = await anOrganizationOfThree();
    const token = t.app.services.unsubscribeTokens.sign({ userId: ada.userId, type: 'buildEmails', scope: 'project', scopeId: made.project.id });
    for (const forged of [token.replace(`${ada.userId}.`, `${ada.userId + 1}.`), token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'), 'nothing', '../settings']) {
      expect((await t.app.inject({ method: 'GET', url: `/unsubscribe/${encodeURIComponent(forged)}` })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'POST', url: `/unsubscribe/${encodeURIComponent(forged)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' })).statusCode).toBe(404);
    }
    expect(await rowsOf(t, 'notification_settings')).toHaveLength(3);
  });
});


describe('a piece of work that fails', () => {
  it('is left for later, and the rest of its batch is dispatched', async () => {
    const { made, report } = await anOrganizationOfThree();
    const build = (eventId: string, buildId: string) => ({ eventId, pipelineId: made.pipeline.id, buildId, status: 'failed', trigger: 'push', startedAt: new Date(t.clock.now - 120_000).toISOString(), finishedAt: new Date(t.clock.now - 60_000).toISOString(), commit });
    await report(build('f-1', '1'));
    await report(build('f-2', '2'));
    const [first] = await rowsOf(t, 'builds');
    const { createDispatcher } = await import('../../src/notify/dispatcher.ts');
    const { createRecipientsLookup } = await import('../../src/notify/recipients.ts');
    const services = t.app.services;
    const warnings: string[] = [];
    const dispatcher = createDispatcher(t.db, {
      now: () => t.clock.now,
      owner: 'a dispatcher whose reading of one build fails',
      events: {
        ...services.platform.noticeEvents,
        build: async (id) => {
          if (id === first?.id) throw new Error('the disk is on fire');
          return services.platform.noticeEvents.build(id);
        },
      },
      namesOf: async () => new Map(),
      settings: services.notificationSettings,
      recipientsOf: createRecipientsLookup(services),
      outbox: services.outbox,
      publicUrl: t.config.publicUrl,
      unsubscribeTokens: services.unsubscribeTokens,
      log: { warn: (_object, message) => warnings.push(message) },
    });
    expect(await dispatcher.runOnce()).toEqual({ processed: 2, queued: 1 });
    expect(warnings).toEqual(['dispatching a notification failed; tried again later']);
    const states = (await rowsOf(t, 'notification_work')).map((row) => row.state);
    expect(states.sort()).toEqual(['claimed', 'done']);
  });
});
