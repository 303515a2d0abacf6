import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { allScopes, type Scope } from '../../src/settings/api-keys/scopes.ts';
import { makeKey } from '../support/api-keys.ts';
import { confirmPrimaryAddress, makePerson, platformEndpoints, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** The platform's part of the JSON API: organizations and their members, projects, pipelines, and the event reports. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const minute = 60_000;
const sha = 'c0ffee'.padEnd(40, '0');

function call(method: string, url: string, options: { key?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...(options.key ? { authorization: `Bearer ${options.key}` } : {}), ...options.headers };
  if (options.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return t.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) });
}

function expectProblem(response: LightMyRequestResponse, status: number, type: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.json()).toMatchObject({ type: `urn:dials:problem:${type}`, status, title: expect.any(String) });
}

function expectFieldRefused(response: LightMyRequestResponse, pointer: string) {
  expectProblem(response, 422, 'invalid-fields');
  expect(response.json().errors, response.body).toContainEqual({ pointer, message: expect.any(String) });
}

const everything = allScopes.filter((scope) => scope !== 'keys:write' && scope !== 'keys:read') as Scope[];

/**
 * Ada owns `engines` (project `web`, pipeline `main`) and Grace is a member of it; Linus owns
 * `compilers` (project `web`, pipeline `main`) and is in nothing else. Each has a key with every
 * platform scope.
 */
async function world() {
  t = await createTestApp();
  const ada = await makePerson(t, 'ada@example.com', 'Ada Lovelace');
  const grace = await makePerson(t, 'grace@example.com', 'Grace Hopper');
  const linus = await makePerson(t, 'linus@example.com', 'Linus Torvalds');
  const keys = {
    ada: (await makeKey(t, ada.userId, everything)).secret,
    grace: (await makeKey(t, grace.userId, everything)).secret,
    linus: (await makeKey(t, linus.userId, everything)).secret,
  };
  const setUp = async (key: string, slug: string) => {
    expect((await call('POST', '/api/v1/orgs', { key, body: { name: `Org ${slug}`, slug } })).statusCode).toBe(201);
    expect((await call('POST', `/api/v1/orgs/${slug}/projects`, { key, body: { name: 'Web', slug: 'web' } })).statusCode).toBe(201);
    const pipeline = await call('POST', `/api/v1/orgs/${slug}/projects/web/pipelines`, { key, body: { name: 'main' } });
    expect(pipeline.statusCode).toBe(201);
    return pipeline.json().id as number;
  };
  const pipelineId = await setUp(keys.ada, 'engines');
  const otherPipelineId = await setUp(keys.linus, 'compilers');
  await join(keys.ada, 'engines', grace.userId, keys.grace);
  return { ada, grace, linus, keys, pipelineId, otherPipelineId };
}

/** The owner with `ownerKey` invites the person's (now confirmed) address; the person accepts with their key. */
async function join(ownerKey: string, slug: string, userId: number, personKey: string) {
  const email = await confirmPrimaryAddress(t, userId);
  const invited = await call('POST', `/api/v1/orgs/${slug}/members`, { key: ownerKey, body: { email, role: 'member' } });
  expect(invited.statusCode, invited.body).toBe(202);
  const accepted = await call('POST', `/api/v1/invitations/${invited.json().id}/accept`, { key: personKey });
  expect(accepted.statusCode, accepted.body).toBe(200);
  return accepted.json();
}

const iso = (at: number) => new Date(at).toISOString();

function buildBody(pipelineId: number, overrides: Record<string, unknown> = {}) {
  return {
    eventId: `build-${Math.random().toString(36).slice(2)}`,
    pipelineId,
    buildId: 'b-1',
    status: 'success',
    trigger: 'push',
    startedAt: iso(t.clock.now - 2 * minute),
    finishedAt: iso(t.clock.now - minute),
    commit: { sha, message: 'Make the engine faster', authorName: 'Ada Lovelace', authorEmail: 'ada@example.com' },
    ...overrides,
  };
}

function eventBody(overrides: Record<string, unknown> = {}) {
  return {
    eventId: `error-${Math.random().toString(36).slice(2)}`,
    project: 'web',
    title: 'RangeError: the engine overheated',
    level: 'error',
    occurredAt: iso(t.clock.now - minute),
    message: 'it was very hot',
    frames: [
      { file: 'src/engine.ts', function: 'crank', line: 12, inApp: true },
      { file: 'node_modules/gears/index.js', function: 'turn', line: 400, inApp: false },
    ],
    ...overrides,
  };
}

describe('/api/v1 organizations', () => {
  it('made, listed and read by members; a slug is taken once; bad names and slugs name the field', async () => {
    const { keys, grace } = await world();
    const listed = await call('GET', '/api/v1/orgs', { key: keys.grace });
    expect(listed.json()).toEqual([{ id: expect.any(Number), name: 'Org engines', slug: 'engines', role: 'member', createdAt: iso(t.clock.now) }]);
    const read = await call('GET', '/api/v1/orgs/engines', { key: keys.grace });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      slug: 'engines',
      role: 'member',
      projects: [{ slug: 'web', pipelines: [{ name: 'main', notifyManualExecutions: false }] }],
      members: [
        { name: 'Ada Lovelace', role: 'owner' },
        { userId: grace.userId, name: 'Grace Hopper', email: 'grace@example.com', role: 'member' },
      ],
    });
    expectProblem(await call('POST', '/api/v1/orgs', { key: keys.grace, body: { name: 'Mine', slug: 'engines' } }), 409, 'conflict');
    for (const slug of ['Engines', '-x', 'x-', 'a--b', '', 'x'.repeat(41), 'ünï']) {
      expectFieldRefused(await call('POST', '/api/v1/orgs', { key: keys.grace, body: { name: 'Mine', slug } }), '/slug');
    }
    for (const name of ['', '   ', 'x'.repeat(101), '\u202eevil', '\u200b']) {
      expectFieldRefused(await call('POST', '/api/v1/orgs', { key: keys.grace, body: { name, slug: 'mine' } }), '/name');
    }
    expectFieldRefused(await call('POST', '/api/v1/orgs', { key: keys.grace, body: { name: 'Mine', slug: 'mine', owner: 1 } }), '/');
    const unicode = await call('POST', '/api/v1/orgs', { key: keys.grace, body: { name: 'Maschinenbau Zürich 機械 🚂', slug: 'zurich' } });
    expect(unicode.statusCode).toBe(201);
    expect(unicode.json()).toMatchObject({ name: 'Maschinenbau Zürich 機械 🚂', role: 'owner' });
    expectProblem(await call('GET', '/api/v1/orgs/nowhere', { key: keys.grace }), 404, 'not-found');
  });

  it('members: owners invite by e-mail, change roles and remove; a member gets 403 naming the role; never without an owner', async () => {
    const { ada, grace, linus, keys } = await world();
    const member = `/api/v1/orgs/engines/members/${grace.userId}`;
    const refusedToMember = await call('POST', '/api/v1/orgs/engines/members', { key: keys.grace, body: { email: 'linus@example.com' } });
    expectProblem(refusedToMember, 403, 'role-required');
    expect(refusedToMember.json().role).toBe('owner');
    expectProblem(await call('PATCH', member, { key: keys.grace, body: { role: 'owner' } }), 403, 'role-required');
    expectProblem(await call('DELETE', `/api/v1/orgs/engines/members/${ada.userId}`, { key: keys.grace }), 403, 'role-required');
    expectFieldRefused(await call('POST', '/api/v1/orgs/engines/members', { key: keys.ada, body: { email: ['linus@example.com'] } }), '/email');
    expectFieldRefused(await call('POST', '/api/v1/orgs/engines/members', { key: keys.ada, body: { email: 'linus@example.com', role: 'admin' } }), '/role');
    expectProblem(await call('POST', '/api/v1/orgs/engines/members', { key: keys.ada, body: { email: 'grace@example.com' } }), 409, 'conflict');

    expectProblem(await call('PATCH', `/api/v1/orgs/engines/members/${ada.userId}`, { key: keys.ada, body: { role: 'member' } }), 409, 'last-owner');
    expectProblem(await call('DELETE', `/api/v1/orgs/engines/members/${ada.userId}`, { key: keys.ada }), 409, 'last-owner');
    expectProblem(await call('PATCH', `/api/v1/orgs/engines/members/${linus.userId}`, { key: keys.ada, body: { role: 'owner' } }), 404, 'not-found');
    const promoted = await call('PATCH', member, { key: keys.ada, body: { role: 'owner' } });
    expect(promoted.json()).toMatchObject({ userId: grace.userId, role: 'owner' });
    expect((await call('DELETE', `/api/v1/orgs/engines/members/${ada.userId}`, { key: keys.ada })).statusCode).toBe(204);
    expectProblem(await call('GET', '/api/v1/orgs/engines', { key: keys.ada }), 404, 'not-found');
    expectProblem(await call('DELETE', member, { key: keys.grace }), 409, 'last-owner');
    expect(await join(keys.grace, 'engines', linus.userId, keys.linus)).toMatchObject({ slug: 'engines', role: 'member' });
    // A member leaves on their own.
    expect((await call('DELETE', `/api/v1/orgs/engines/members/${linus.userId}`, { key: keys.linus })).statusCode).toBe(204);
    const members = await call('GET', '/api/v1/orgs/engines/members', { key: keys.grace });
    expect(members.json().map((m: { userId: number }) => m.userId)).toEqual([grace.userId]);
  });

  it('projects and pipelines: owners make them and set the flag; members read them; another organization\'s pipeline is not found', async () => {
    const { keys, pipelineId, otherPipelineId } = await world();
    expectProblem(await call('POST', '/api/v1/orgs/engines/projects', { key: keys.grace, body: { name: 'Api', slug: 'api' } }), 403, 'role-required');
    expectProblem(await call('POST', '/api/v1/orgs/engines/projects', { key: keys.ada, body: { name: 'Web', slug: 'web' } }), 409, 'conflict');
    expect((await call('POST', '/api/v1/orgs/engines/projects', { key: keys.ada, body: { name: 'Api', slug: 'api' } })).statusCode).toBe(201);
    expect((await call('GET', '/api/v1/orgs/engines/projects', { key: keys.grace })).json().map((p: { slug: string }) => p.slug)).toEqual(['api', 'web']);
    expectProblem(await call('POST', '/api/v1/orgs/engines/projects/web/pipelines', { key: keys.grace, body: { name: 'nightly' } }), 403, 'role-required');
    expectProblem(await call('POST', '/api/v1/orgs/engines/projects/web/pipelines', { key: keys.ada, body: { name: 'main' } }), 409, 'conflict');
    expectProblem(await call('POST', '/api/v1/orgs/engines/projects/nothing/pipelines', { key: keys.ada, body: { name: 'x' } }), 404, 'not-found');
    const made = await call('POST', '/api/v1/orgs/engines/projects/web/pipelines', { key: keys.ada, body: { name: 'nightly', notifyManualExecutions: true } });
    expect(made.json()).toMatchObject({ name: 'nightly', notifyManualExecutions: true });

    const flag = `/api/v1/orgs/engines/projects/web/pipelines/${pipelineId}`;
    expectProblem(await call('PATCH', flag, { key: keys.grace, body: { notifyManualExecutions: true } }), 403, 'role-required');
    expectFieldRefused(await call('PATCH', flag, { key: keys.ada, body: { notifyManualExecutions: 'yes' } }), '/notifyManualExecutions');
    expectProblem(await call('PATCH', `/api/v1/orgs/engines/projects/web/pipelines/${otherPipelineId}`, { key: keys.ada, body: { notifyManualExecutions: true } }), 404, 'not-found');
    expectProblem(await call('PATCH', `/api/v1/orgs/engines/projects/api/pipelines/${pipelineId}`, { key: keys.ada, body: { notifyManualExecutions: true } }), 404, 'not-found');
    expect((await call('PATCH', flag, { key: keys.ada, body: { notifyManualExecutions: true } })).json()).toMatchObject({ id: pipelineId, notifyManualExecutions: true });
    const pipelines = await call('GET', '/api/v1/orgs/engines/projects/web/pipelines', { key: keys.grace });
    expect(pipelines.json().map((p: { name: string; notifyManualExecutions: boolean }) => [p.name, p.notifyManualExecutions])).toEqual([
      ['main', true],
      ['nightly', true],
    ]);
  });
});

describe('/api/v1 build reports', () => {
  it('started, then finished: one build, 201 then 200; listed newest first and filtered', async () => {
    const { keys, pipelineId, grace } = await world();
    const started = await call('POST', '/api/v1/orgs/engines/builds', {
      key: keys.grace,
      body: buildBody(pipelineId, { status: 'running', finishedAt: null, trigger: 'manual', startedBy: grace.userId }),
    });
    expect(started.statusCode, started.body).toBe(201);
    expect(started.json()).toMatchObject({ buildId: 'b-1', status: 'running', finishedAt: null, startedBy: grace.userId, pipeline: { id: pipelineId, name: 'main' } });
    const finished = await call('POST', '/api/v1/orgs/engines/builds', { key: keys.grace, body: buildBody(pipelineId, { status: 'failed', trigger: 'manual', startedBy: grace.userId }) });
    expect(finished.statusCode).toBe(200);
    expect(finished.json()).toMatchObject({ id: started.json().id, status: 'failed', finishedAt: iso(t.clock.now - minute) });
    await call('POST', '/api/v1/orgs/engines/builds', { key: keys.grace, body: buildBody(pipelineId, { buildId: 'b-2', startedAt: iso(t.clock.now - minute), finishedAt: iso(t.clock.now) }) });
    expect(await rowsOf(t, 'builds')).toHaveLength(2);

    const listed = await call('GET', '/api/v1/orgs/engines/builds', { key: keys.grace });
    expect(listed.json()).toMatchObject({ page: 1, perPage: 25, hasNext: false, items: [{ buildId: 'b-2' }, { buildId: 'b-1' }] });
    expect((await call('GET', '/api/v1/orgs/engines/builds?status=failed', { key: keys.grace })).json().items.map((b: { buildId: string }) => b.buildId)).toEqual(['b-1']);
    expect((await call('GET', `/api/v1/orgs/engines/builds?pipelineId=${pipelineId}&perPage=1&page=2`, { key: keys.grace })).json()).toMatchObject({
      items: [{ buildId: 'b-1' }],
      hasNext: false,
    });
    expectProblem(await call('GET', '/api/v1/orgs/engines/builds?status=exploded', { key: keys.grace }), 400, 'invalid-request');
    expectProblem(await call('GET', '/api/v1/orgs/engines/builds?perPage=100000', { key: keys.grace }), 400, 'invalid-request');
  });

  it('the same event id twice: one row, the same status and body; the same id with another body is 422; Idempotency-Key works too', async () => {
    const { keys, pipelineId } = await world();
    const body = buildBody(pipelineId, { eventId: 'ev-1' });
    const first = await call('POST', '/api/v1/orgs/engines/builds', { key: keys.ada, body });
    const again = await call('POST', '/api/v1/orgs/engines/builds', { key: keys.ada, body });
    expect([first.statusCode, again.statusCode]).toEqual([201, 201]);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await rowsOf(t, 'builds')).toHaveLength(1);
    expect(await rowsOf(t, 'notification_work')).toHaveLength(1);

    expectProblem(await call('POST', '/api/v1/orgs/engines/builds', { key: keys.ada, body: { ...body, status: 'failed' } }), 422, 'event-id-reused');
    const withKey = buildBody(pipelineId, { eventId: 'ev-2', buildId: 'b-2' });
    const keyed = await call('POST', '/api/v1/orgs/engines/builds', { key: keys.ada, body: withKey, headers: { 'idempotency-key': 'retry-me' } });
    expect(keyed.statusCode).toBe(201);
    const keyedAgain = await call('POST', '/api/v1/orgs/engines/builds', { key: keys.ada, body: withKey, headers: { 'idempotency-key': 'retry-me' } });
    expect([keyedAgain.statusCode, keyedAgain.body]).toEqual([201, keyed.body]);
    expectProblem(await call('POST', '/api/v1/orgs/engines/builds', { key: keys.ada, body: { ...withKey, eventId: 'ev-3' }, headers: { 'idempotency-key': 'retry-me' } }), 422, 'event-id-reused');
    expect(await rowsOf(t, 'builds')).toHaveLength(2);
    expect(await rowsOf(t, 'received_events')).toHaveLength(2);
    expect(await rowsOf(t, 'notification_work')).toHaveLength(2);
  });

  it('refusals: times in the future, an end before the start, a pipeline of another organization, unknown fields; nothing is written', async () => {
    const { keys, pipelineId, otherPipelineId, linus } = await world();
    const post = (body: unknown, org = 'engines') => call('POST', `/api/v1/orgs/${org}/builds`, { key: keys.ada, body });
    expectFieldRefused(await post(buildBody(pipelineId, { finishedAt: iso(t.clock.now + 6 * minute) })), '/finishedAt');
    expectFieldRefused(await post(buildBody(pipelineId, { startedAt: iso(t.clock.now + 6 * minute), finishedAt: iso(t.clock.now + 7 * minute) })), '/startedAt');
    expectFieldRefused(await post(buildBody(pipelineId, { finishedAt: iso(t.clock.now - 3 * minute) })), '/finishedAt');
    expectFieldRefused(await post(buildBody(pipelineId, { finishedAt: null })), '/finishedAt');
    expectFieldRefused(await post(buildBody(pipelineId, { status: 'running' })), '/finishedAt');
    expectFieldRefused(await post(buildBody(pipelineId, { startedBy: linus.userId })), '/startedBy');
    expectFieldRefused(await post({ ...buildBody(pipelineId), admin: true }), '/');
    expectFieldRefused(await post(buildBody(pipelineId, { commit: { sha: 'not hex', message: '', authorName: '', authorEmail: '' } })), '/commit/sha');
    expectFieldRefused(await post(buildBody(pipelineId, { status: 'exploded' })), '/status');
    expectFieldRefused(await post(buildBody(pipelineId, { startedAt: 'yesterday' })), '/startedAt');
    expectFieldRefused(await post(buildBody(pipelineId, { eventId: '' })), '/eventId');
    expectFieldRefused(await post(buildBody(pipelineId, { pipelineId: 1e300 })), '/pipelineId');
    // Within the allowed skew, a time a little ahead is accepted.
    expect((await post(buildBody(pipelineId, { buildId: 'skewed', finishedAt: iso(t.clock.now + 4 * minute) }))).statusCode).toBe(201);
    await t.app.inject({ method: 'GET', url: '/healthz' });
    const before = (await rowsOf(t, 'builds')).length;
    expectProblem(await post(buildBody(otherPipelineId)), 404, 'not-found');
    expectProblem(await post(buildBody(pipelineId), 'compilers'), 404, 'not-found');
    expectProblem(await post(buildBody(pipelineId), 'nowhere'), 404, 'not-found');
    expectProblem(await post(buildBody(999_999)), 404, 'not-found');
    expect(await rowsOf(t, 'builds')).toHaveLength(before);
    expect(await rowsOf(t, 'notification_work')).toHaveLength(before);
    expect(await rowsOf(t, 'received_events')).toHaveLength(before);
  });
});

describe('/api/v1 deploy reports', () => {
  it('a deploy with its commits, listed; an unknown project is 404', async () => {
    const { keys } = await world();
    const body = {
      eventId: 'deploy-1',
      project: 'web',
      environment: 'production',
      version: '2.0.0',
      finishedAt: iso(t.clock.now),
      commits: [
        { sha, authorEmail: 'Ada@Example.com' },
        { sha, authorEmail: 'ada@example.com' },
      ],
    };
    const made = await call('POST', '/api/v1/orgs/engines/deploys', { key: keys.grace, body });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ environment: 'production', version: '2.0.0', commits: [{ sha, authorEmail: 'ada@example.com' }], project: { slug: 'web' } });
    const again = await call('POST', '/api/v1/orgs/engines/deploys', { key: keys.grace, body });
    expect(again.body).toBe(made.body);
    expect((await call('GET', '/api/v1/orgs/engines/deploys', { key: keys.grace })).json()).toMatchObject({ items: [{ version: '2.0.0' }], hasNext: false });
    expectProblem(await call('POST', '/api/v1/orgs/engines/deploys', { key: keys.grace, body: { ...body, eventId: 'deploy-2', project: 'api' } }), 404, 'not-found');
    expectFieldRefused(await call('POST', '/api/v1/orgs/engines/deploys', { key: keys.grace, body: { ...body, eventId: 'deploy-3', finishedAt: iso(t.clock.now + 10 * minute) } }), '/finishedAt');
    expect(await rowsOf(t, 'deploys')).toHaveLength(1);
  });
});

describe('/api/v1 error events and issues', () => {
  it('an event opens an issue, the next with the same title counts; the issue shows the latest frames, its activity, and the caller\'s subscription', async () => {
    const { keys, grace } = await world();
    const first = await call('POST', '/api/v1/orgs/engines/events', { key: keys.ada, body: eventBody({ occurredAt: iso(t.clock.now - 5 * minute) }) });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ newIssue: true, regressed: false, issue: { title: 'RangeError: the engine overheated', eventCount: 1, status: 'unresolved' } });
    const issueId = first.json().issue.id as number;
    const frames = [{ file: 'src/other.ts', function: 'spin', line: null, inApp: false }];
    const second = await call('POST', '/api/v1/orgs/engines/events', { key: keys.ada, body: eventBody({ frames: [{ file: 'src/other.ts', function: 'spin' }] }) });
    expect(second.json()).toMatchObject({ newIssue: false, issue: { id: issueId, eventCount: 2, lastSeen: iso(t.clock.now - minute) } });

    const comment = await call('POST', `/api/v1/orgs/engines/issues/${issueId}/activity`, { key: keys.grace, body: { eventId: 'act-1', kind: 'comment', comment: 'On it.' } });
    expect(comment.statusCode, comment.body).toBe(201);
    expect(comment.json()).toMatchObject({ kind: 'comment', actor: { id: grace.userId, name: 'Grace Hopper' }, comment: 'On it.' });
    const assigned = await call('POST', `/api/v1/orgs/engines/issues/${issueId}/activity`, { key: keys.ada, body: { eventId: 'act-2', kind: 'assigned', assigneeId: grace.userId } });
    expect(assigned.json()).toMatchObject({ kind: 'assigned', assignee: { id: grace.userId } });

    const read = await call('GET', `/api/v1/orgs/engines/issues/${issueId}`, { key: keys.grace });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({ id: issueId, eventCount: 2, assigneeId: grace.userId, subscribed: true, latestEvent: { frames, message: 'it was very hot' } });
    expect(read.json().activity.map((a: { kind: string }) => a.kind)).toEqual(['comment', 'assigned']);
    expect((await call('GET', `/api/v1/orgs/engines/issues/${issueId}`, { key: keys.ada })).json().subscribed).toBe(false);
    expect((await call('GET', '/api/v1/orgs/engines/issues', { key: keys.grace })).json()).toMatchObject({ items: [{ id: issueId, eventCount: 2 }] });
    expect((await call('GET', '/api/v1/orgs/engines/issues?status=resolved', { key: keys.grace })).json().items).toEqual([]);
  });

  it('an event for a resolved issue reopens it as a regression by no one', async () => {
    const { keys } = await world();
    const issueId = (await call('POST', '/api/v1/orgs/engines/events', { key: keys.ada, body: eventBody() })).json().issue.id as number;
    expect((await call('POST', `/api/v1/orgs/engines/issues/${issueId}/activity`, { key: keys.ada, body: { eventId: 'r-1', kind: 'resolved' } })).statusCode).toBe(201);
    expect((await call('GET', `/api/v1/orgs/engines/issues/${issueId}`, { key: keys.ada })).json().status).toBe('resolved');
    const regressed = await call('POST', '/api/v1/orgs/engines/events', { key: keys.ada, body: eventBody() });
    expect(regressed.json()).toMatchObject({ regressed: true, issue: { status: 'unresolved', eventCount: 2 } });
    const activity = (await call('GET', `/api/v1/orgs/engines/issues/${issueId}`, { key: keys.ada })).json().activity;
    expect(activity.map((a: { kind: string; actor: unknown }) => [a.kind, a.actor === null])).toEqual([
      ['resolved', false],
      ['regressed', true],
    ]);
  });

  it('refusals: more than 200 frames, a trace over 64 KB, a future time, an unknown project or issue, activity that does not fit its kind', async () => {
    const { keys, linus } = await world();
    const post = (body: unknown) => call('POST', '/api/v1/orgs/engines/events', { key: keys.ada, body });
    const frame = { file: 'src/a.ts', function: 'f', line: 1, inApp: true };
    expectFieldRefused(await post(eventBody({ frames: Array.from({ length: 201 }, () => frame) })), '/frames');
    expect((await post(eventBody({ frames: Array.from({ length: 200 }, () => frame) }))).statusCode).toBe(201);
    const wide = { file: 'x'.repeat(1000), function: 'y'.repeat(1000), line: 1, inApp: true };
    expectFieldRefused(await post(eventBody({ frames: Array.from({ length: 40 }, () => wide) })), '/frames');
    expectFieldRefused(await post(eventBody({ occurredAt: iso(t.clock.now + 6 * minute) })), '/occurredAt');
    expectFieldRefused(await post(eventBody({ frames: [{ ...frame, line: -1 }] })), '/frames/0/line');
    expectFieldRefused(await post(eventBody({ frames: [{ ...frame, locals: { password: 'x' } }] })), '/frames/0');
    expectFieldRefused(await post(eventBody({ title: '' })), '/title');
    // Text that would pass for other text in a page or a mail's subject: a reversed file name, a hidden control.
    expectFieldRefused(await post(eventBody({ title: 'invoice\u202Efdp.exe' })), '/title');
    expectFieldRefused(await post(eventBody({ title: 'line\nbreak' })), '/title');
    expectFieldRefused(await post(eventBody({ message: 'bell\u0007' })), '/message');
    expectFieldRefused(await post(eventBody({ frames: [{ ...frame, file: 'src/\u202Ea.ts' }] })), '/frames/0/file');
    expect((await post(eventBody({ title: 'TypeError: ünïcode is fine 🚂', message: 'two\nlines\tand a tab' }))).statusCode).toBe(201);
    expectFieldRefused(await post(eventBody({ level: 'catastrophic' })), '/level');
    expectProblem(await post(eventBody({ project: 'api' })), 404, 'not-found');
    expectProblem(await call('POST', '/api/v1/orgs/engines/events', { key: keys.ada, body: { ...eventBody(), padding: 'x'.repeat(300_000) } }), 413, 'body-too-large');

    const issueId = (await rowsOf(t, 'issues'))[0]!.id as number;
    const act = (body: unknown, id = issueId) => call('POST', `/api/v1/orgs/engines/issues/${id}/activity`, { key: keys.ada, body });
    expectFieldRefused(await act({ eventId: 'a-1', kind: 'assigned', assigneeId: linus.userId }), '/assigneeId');
    expectFieldRefused(await act({ eventId: 'a-2', kind: 'assigned' }), '/assigneeId');
    expectFieldRefused(await act({ eventId: 'a-3', kind: 'resolved', comment: 'also this' }), '/');
    expectFieldRefused(await act({ eventId: 'a-4', kind: 'regressed' }), '/kind');
    expectFieldRefused(await act({ eventId: 'a-5', kind: 'comment', comment: '   ' }), '/comment');
    expectProblem(await act({ eventId: 'a-6', kind: 'resolved' }, issueId + 1000), 404, 'not-found');
    expect(await rowsOf(t, 'issue_activity')).toEqual([]);
    expect((await rowsOf(t, 'notification_work')).map((row) => row.event_kind)).toEqual(['issueEvent', 'issueEvent']);
  });
});

describe('/api/v1 platform: what is not yours', () => {
  it('a member of one organization gets 404 for everything of another', async () => {
    const { keys, linus, pipelineId } = await world();
    const issueId = (await call('POST', '/api/v1/orgs/engines/events', { key: keys.ada, body: eventBody() })).json().issue.id as number;
    const fill = (url: string) => url.replace('{org}', 'engines').replace('{userId}', String(linus.userId)).replace('{project}', 'web').replace('{pipelineId}', String(pipelineId)).replace('{id}', String(issueId));
    const bodies: Record<string, unknown> = {
      'POST /api/v1/orgs/{org}/members': { email: 'linus@example.com' },
      'PATCH /api/v1/orgs/{org}/members/{userId}': { role: 'owner' },
      'POST /api/v1/orgs/{org}/projects': { name: 'Mine', slug: 'mine' },
      'POST /api/v1/orgs/{org}/projects/{project}/pipelines': { name: 'mine' },
      'PATCH /api/v1/orgs/{org}/projects/{project}/pipelines/{pipelineId}': { notifyManualExecutions: true },
      'POST /api/v1/orgs/{org}/builds': buildBody(pipelineId),
      'POST /api/v1/orgs/{org}/deploys': { eventId: 'd', project: 'web', environment: 'prod', version: '1', finishedAt: iso(t.clock.now) },
      'POST /api/v1/orgs/{org}/events': eventBody(),
      'POST /api/v1/orgs/{org}/issues/{id}/activity': { eventId: 'c', kind: 'comment', comment: 'mine now' },
    };
    const before = await Promise.all(['organization_members', 'organization_invitations', 'builds', 'deploys', 'issues', 'issue_activity', 'notification_work', 'pipelines', 'projects'].map((table) => rowsOf(t, table)));
    for (const endpoint of platformEndpoints.filter((e) => e.url.includes('{org}'))) {
      const answer = await call(endpoint.method, fill(endpoint.url), { key: keys.linus, body: bodies[`${endpoint.method} ${endpoint.url}`] });
      expectProblem(answer, 404, 'not-found');
      expect(answer.body).not.toMatch(/owner|member/i);
    }
    const after = await Promise.all(['organization_members', 'organization_invitations', 'builds', 'deploys', 'issues', 'issue_activity', 'notification_work', 'pipelines', 'projects'].map((table) => rowsOf(t, table)));
    expect(after).toEqual(before);
  });

  it('a key without the scope gets 403 naming it, on every platform endpoint', async () => {
    const { ada } = await world();
    for (const endpoint of platformEndpoints) {
      const other: Scope = endpoint.scope.startsWith('issues') ? 'builds:write' : 'issues:write';
      const key = await makeKey(t, ada.userId, [other]);
      const url = endpoint.url.replace('{org}', 'engines').replace('{userId}', '1').replace('{project}', 'web').replace('{pipelineId}', '1').replace('{id}', '1');
      const refused = await call(endpoint.method, url, { key: key.secret, body: endpoint.method === 'GET' || endpoint.method === 'DELETE' ? undefined : {} });
      expectProblem(refused, 403, 'missing-scope');
      expect(refused.json().scope).toBe(endpoint.scope);
    }
    const reader = await makeKey(t, ada.userId, ['builds:read']);
    expectProblem(await call('POST', '/api/v1/orgs/engines/builds', { key: reader.secret, body: {} }), 403, 'missing-scope');
    expect((await call('GET', '/api/v1/orgs/engines/builds', { key: reader.secret })).statusCode).toBe(200);
  });

  it('no body a client can send is a 500: wrong types, huge numbers, __proto__, empty strings, unicode, nesting', async () => {
    const { keys, pipelineId } = await world();
    const issueId = (await call('POST', '/api/v1/orgs/engines/events', { key: keys.ada, body: eventBody() })).json().issue.id as number;
    const targets = [
      { url: '/api/v1/orgs', good: { name: 'N', slug: 'n' } },
      { url: '/api/v1/orgs/engines/members', good: { email: 'grace@example.com' } },
      { url: '/api/v1/orgs/engines/projects', good: { name: 'P', slug: 'p' } },
      { url: '/api/v1/orgs/engines/projects/web/pipelines', good: { name: 'p' } },
      { url: '/api/v1/orgs/engines/builds', good: buildBody(pipelineId) },
      { url: '/api/v1/orgs/engines/deploys', good: { eventId: 'd', project: 'web', environment: 'prod', version: '1', finishedAt: iso(t.clock.now) } },
      { url: '/api/v1/orgs/engines/events', good: eventBody() },
      { url: `/api/v1/orgs/engines/issues/${issueId}/activity`, good: { eventId: 'c', kind: 'comment', comment: 'x' } },
    ];
    const oddValues: unknown[] = [null, '', ' ', 0, -1, 1e308, 2 ** 63, -0, true, [], {}, [1, 2], 'ü\u0000\ud800', '🚂'.repeat(500), { __proto__: { admin: true } }, '9'.repeat(400)];
    for (const target of targets) {
      const fields = Object.keys(target.good);
      const raw = ['{"__proto__": {"admin": true}}', '{"constructor": {"prototype": {"admin": true}}}', '[]', '"text"', '1e999', 'null', '{"a":'.repeat(100)];
      for (const payload of raw) {
        const answer = await call('POST', target.url, { key: keys.ada, body: payload });
        expect(answer.statusCode, `${target.url} ${payload}`).toBeLessThan(500);
      }
      for (const field of fields) {
        for (const value of oddValues) {
          const body = { ...target.good, [field]: value };
          const answer = await call('POST', target.url, { key: keys.ada, body });
          expect(answer.statusCode, `${target.url} ${field}=${JSON.stringify(value)}: ${answer.body}`).toBeLessThan(500);
        }
      }
    }
    for (const url of ['/api/v1/orgs/%F0%9F%9A%82', `/api/v1/orgs/${'x'.repeat(300)}`, '/api/v1/orgs/engines/issues/99999999999999999999', '/api/v1/orgs/engines/issues/-1', '/api/v1/orgs/engines/builds?page=0', '/api/v1/orgs/engines/builds?pipelineId=abc']) {
      const answer = await call('GET', url, { key: keys.ada });
      expect(answer.statusCode, url).toBeLessThan(500);
      expect(answer.headers['content-type'], url).toMatch(/^application\/(problem\+)?json/);
    }
  });
});
