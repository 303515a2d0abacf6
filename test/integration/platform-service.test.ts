import { afterEach, describe, expect, it } from 'vitest';
import { errorEvent, finishedBuild, joinThroughInvitation, makeOrganization, makePerson, receipt, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** The platform's services called directly, as the pages call them: each result of their unions. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const minute = 60_000;

async function withPeople() {
  t = await createTestApp();
  const ada = await makePerson(t, 'ada@example.com', 'Ada Lovelace');
  const grace = await makePerson(t, 'grace@example.com', 'Grace Hopper');
  const linus = await makePerson(t, 'linus@example.com', 'Linus Torvalds');
  return { ada, grace, linus, platform: t.app.services.platform };
}

describe('organizations', () => {
  it('are made by anyone, who becomes their owner; a slug is taken once', async () => {
    const { ada, grace, platform } = await withPeople();
    const made = await platform.organizations.create(ada.actor, { name: 'Analytical Engines', slug: 'engines' });
    expect(made).toEqual({ ok: true, organization: { id: expect.any(Number), name: 'Analytical Engines', slug: 'engines', role: 'owner', createdAt: new Date(t.clock.now) } });
    expect(await platform.organizations.create(grace.actor, { name: 'Other', slug: 'engines' })).toEqual({ ok: false, reason: 'slugTaken' });
    await platform.organizations.create(grace.actor, { name: 'Compilers', slug: 'compilers' });
    expect((await platform.organizations.mine(ada.actor)).map((org) => org.slug)).toEqual(['engines']);
    expect((await platform.organizations.mine(grace.actor)).map((org) => org.slug)).toEqual(['compilers']);
  });

  it('one by slug, for a member: its projects with their pipelines, and its members; a stranger finds nothing', async () => {
    const { ada, grace, platform } = await withPeople();
    const { pipeline } = await makeOrganization(t, ada.actor, 'engines');
    await platform.organizations.createProject(ada.actor, 'engines', { name: 'Api', slug: 'api' });
    await joinThroughInvitation(t, ada.actor, 'engines', grace);
    const found = await platform.organizations.find(grace.actor, 'engines');
    if (!found.ok) throw new Error(found.reason);
    expect(found.organization).toMatchObject({ slug: 'engines', role: 'member' });
    expect(found.organization.projects.map((project) => [project.slug, project.pipelines.map((p) => p.name)])).toEqual([
      ['api', []],
      ['web', ['main']],
    ]);
    expect(found.organization.projects[1]?.pipelines[0]).toEqual({ id: pipeline.id, projectId: expect.any(Number), name: 'main', notifyManualExecutions: false, createdAt: expect.any(Date) });
    expect(found.organization.members.map((member) => [member.name, member.email, member.role])).toEqual([
      ['Ada Lovelace', 'ada@example.com', 'owner'],
      ['Grace Hopper', 'grace@example.com', 'member'],
    ]);
    const { linus } = await withStranger();
    expect(await platform.organizations.find(linus, 'engines')).toEqual({ ok: false, reason: 'notFound' });
    expect(await platform.organizations.find(ada.actor, 'nowhere')).toEqual({ ok: false, reason: 'notFound' });
  });
});

async function withStranger() {
  const found = await t.app.services.users.findForLogin('linus@example.com');
  return { linus: { via: 'system' as const, userId: found!.id, job: 'test' } };
}

describe('members', () => {
  it('owners invite addresses; a member cannot (ownerOnly); a stranger finds nothing; nobody is added before accepting', async () => {
    const { ada, grace, linus, platform } = await withPeople();
    await makeOrganization(t, ada.actor, 'engines');
    const unknown = await platform.invitations.invite(ada.actor, 'engines', { email: ' Nobody@Example.com ', role: 'member' });
    const known = await platform.invitations.invite(ada.actor, 'engines', { email: 'grace@example.com', role: 'member' });
    expect(unknown).toEqual({ ok: true, invitation: { id: expect.any(Number), address: 'nobody@example.com', role: 'member', invitedAt: new Date(t.clock.now) } });
    expect(known).toEqual({ ok: true, invitation: { id: expect.any(Number), address: 'grace@example.com', role: 'member', invitedAt: new Date(t.clock.now) } });
    const members = await platform.organizations.members(ada.actor, 'engines');
    expect(members.ok && members.members.map((member) => member.userId)).toEqual([ada.userId]);
    expect(await platform.invitations.invite(ada.actor, 'engines', { email: 'ada@example.com', role: 'owner' })).toEqual({ ok: false, reason: 'alreadyMember' });
    expect(await platform.invitations.invite(grace.actor, 'engines', { email: 'linus@example.com', role: 'member' })).toEqual({ ok: false, reason: 'notFound' });
    await joinThroughInvitation(t, ada.actor, 'engines', grace);
    expect(await platform.invitations.invite(grace.actor, 'engines', { email: 'linus@example.com', role: 'member' })).toEqual({ ok: false, reason: 'ownerOnly' });
    expect(await platform.invitations.pending(grace.actor, 'engines')).toEqual({ ok: false, reason: 'ownerOnly' });
    expect(await platform.invitations.invite(linus.actor, 'engines', { email: 'linus@example.com', role: 'owner' })).toEqual({ ok: false, reason: 'notFound' });
    expect(await platform.organizations.changeRole(grace.actor, 'engines', grace.userId, 'owner')).toEqual({ ok: false, reason: 'ownerOnly' });
    expect(await platform.organizations.changeRole(ada.actor, 'engines', linus.userId, 'owner')).toEqual({ ok: false, reason: 'noSuchMember' });
  });

  it('the last owner can be neither demoted nor removed, and cannot leave; with a second owner they can', async () => {
    const { ada, grace, platform } = await withPeople();
    await makeOrganization(t, ada.actor, 'engines');
    await joinThroughInvitation(t, ada.actor, 'engines', grace);
    expect(await platform.organizations.changeRole(ada.actor, 'engines', ada.userId, 'member')).toEqual({ ok: false, reason: 'lastOwner' });
    expect(await platform.organizations.removeMember(ada.actor, 'engines', ada.userId)).toEqual({ ok: false, reason: 'lastOwner' });
    expect(await platform.organizations.removeMember(grace.actor, 'engines', ada.userId)).toEqual({ ok: false, reason: 'ownerOnly' });
    expect(await platform.organizations.changeRole(ada.actor, 'engines', grace.userId, 'owner')).toMatchObject({ ok: true, member: { role: 'owner' } });
    expect(await platform.organizations.changeRole(grace.actor, 'engines', ada.userId, 'member')).toMatchObject({ ok: true, member: { role: 'member' } });
    expect(await platform.organizations.removeMember(grace.actor, 'engines', grace.userId)).toEqual({ ok: false, reason: 'lastOwner' });
    // A member leaves on their own.
    expect(await platform.organizations.removeMember(ada.actor, 'engines', ada.userId)).toEqual({ ok: true });
    expect(await platform.organizations.find(ada.actor, 'engines')).toEqual({ ok: false, reason: 'notFound' });
    const members = await platform.organizations.members(grace.actor, 'engines');
    expect(members.ok && members.members.map((member) => member.userId)).toEqual([grace.userId]);
  });
});

describe('projects and pipelines', () => {
  it('owners make them and set the manual-executions flag; members read them; another organization\'s pipeline is not found', async () => {
    const { ada, grace, platform } = await withPeople();
    const { pipeline } = await makeOrganization(t, ada.actor, 'engines');
    const other = await makeOrganization(t, grace.actor, 'compilers');
    await joinThroughInvitation(t, ada.actor, 'engines', grace);
    expect(await platform.organizations.createProject(ada.actor, 'engines', { name: 'Web again', slug: 'web' })).toEqual({ ok: false, reason: 'slugTaken' });
    expect(await platform.organizations.createProject(grace.actor, 'engines', { name: 'Mine', slug: 'mine' })).toEqual({ ok: false, reason: 'ownerOnly' });
    expect(await platform.organizations.createPipeline(ada.actor, 'engines', 'web', { name: 'main' })).toEqual({ ok: false, reason: 'nameTaken' });
    expect(await platform.organizations.createPipeline(ada.actor, 'engines', 'nothing', { name: 'x' })).toEqual({ ok: false, reason: 'notFound' });
    expect(await platform.organizations.createPipeline(grace.actor, 'engines', 'web', { name: 'x' })).toEqual({ ok: false, reason: 'ownerOnly' });
    const nightly = await platform.organizations.createPipeline(ada.actor, 'engines', 'web', { name: 'nightly', notifyManualExecutions: true });
    expect(nightly).toMatchObject({ ok: true, pipeline: { name: 'nightly', notifyManualExecutions: true } });

    expect(await platform.organizations.setNotifyManualExecutions(grace.actor, { organization: 'engines', pipelineId: pipeline.id }, true)).toEqual({ ok: false, reason: 'ownerOnly' });
    expect(await platform.organizations.setNotifyManualExecutions(ada.actor, { organization: 'engines', pipelineId: other.pipeline.id }, true)).toEqual({ ok: false, reason: 'notFound' });
    expect(await platform.organizations.setNotifyManualExecutions(ada.actor, { organization: 'engines', project: 'api', pipelineId: pipeline.id }, true)).toEqual({ ok: false, reason: 'notFound' });
    expect(await platform.organizations.setNotifyManualExecutions(ada.actor, { organization: 'engines', project: 'web', pipelineId: pipeline.id }, true)).toMatchObject({
      ok: true,
      pipeline: { id: pipeline.id, notifyManualExecutions: true },
    });
    const listed = await platform.organizations.pipelines(grace.actor, 'engines', 'web');
    expect(listed.ok && listed.pipelines.map((p) => [p.name, p.notifyManualExecutions])).toEqual([
      ['main', true],
      ['nightly', true],
    ]);
    const projects = await platform.organizations.projects(grace.actor, 'engines');
    expect(projects.ok && projects.projects.map((p) => p.slug)).toEqual(['web']);
    expect(await platform.organizations.projects(grace.actor, 'nowhere')).toEqual({ ok: false, reason: 'notFound' });
  });
});

describe('feeds', () => {
  it('builds: newest first, a page at a time, filtered by pipeline and status', async () => {
    const { ada, grace, platform } = await withPeople();
    const { pipeline } = await makeOrganization(t, ada.actor, 'engines');
    const nightly = await platform.organizations.createPipeline(ada.actor, 'engines', 'web', { name: 'nightly' });
    if (!nightly.ok) throw new Error(nightly.reason);
    for (let index = 0; index < 5; index++) {
      const reported = await platform.reports.build(
        ada.actor,
        'engines',
        finishedBuild(index % 2 === 0 ? pipeline.id : nightly.pipeline.id, t.clock.now - (10 - index) * minute, { buildId: `b${index}`, status: index === 3 ? 'failed' : 'success' }),
        receipt(),
      );
      expect(reported.ok).toBe(true);
    }
    const first = await platform.feeds.builds(ada.actor, 'engines', { perPage: 2 });
    if (!first.ok) throw new Error(first.reason);
    expect(first.builds.items.map((build) => build.buildId)).toEqual(['b4', 'b3']);
    expect(first.builds).toMatchObject({ page: 1, perPage: 2, hasNext: true });
    const last = await platform.feeds.builds(ada.actor, 'engines', { perPage: 2, page: 3 });
    expect(last.ok && [last.builds.items.map((build) => build.buildId), last.builds.hasNext]).toEqual([['b0'], false]);
    const ofNightly = await platform.feeds.builds(ada.actor, 'engines', { pipelineId: nightly.pipeline.id });
    expect(ofNightly.ok && ofNightly.builds.items.map((build) => build.buildId)).toEqual(['b3', 'b1']);
    const failed = await platform.feeds.builds(ada.actor, 'engines', { status: 'failed' });
    expect(failed.ok && failed.builds.items).toEqual([
      expect.objectContaining({ buildId: 'b3', status: 'failed', pipeline: { id: nightly.pipeline.id, name: 'nightly' }, project: expect.objectContaining({ slug: 'web' }) }),
    ]);
    expect(await platform.feeds.builds(grace.actor, 'engines')).toEqual({ ok: false, reason: 'notFound' });
  });

  it('issues: the most recently seen first; deploys with their commits', async () => {
    const { ada, grace, platform } = await withPeople();
    await makeOrganization(t, ada.actor, 'engines');
    await platform.reports.errorEvent(ada.actor, 'engines', errorEvent('web', t.clock.now - 30 * minute, { title: 'Old' }), receipt());
    await platform.reports.errorEvent(ada.actor, 'engines', errorEvent('web', t.clock.now - 20 * minute, { title: 'Newer' }), receipt());
    await platform.reports.errorEvent(ada.actor, 'engines', errorEvent('web', t.clock.now - 10 * minute, { title: 'Old' }), receipt());
    const listed = await platform.feeds.issues(ada.actor, 'engines');
    if (!listed.ok) throw new Error(listed.reason);
    expect(listed.issues.items.map((issue) => [issue.title, issue.eventCount])).toEqual([
      ['Old', 2],
      ['Newer', 1],
    ]);
    expect(listed.issues.items[0]).toMatchObject({ firstSeen: new Date(t.clock.now - 30 * minute), lastSeen: new Date(t.clock.now - 10 * minute), status: 'unresolved' });
    const deployed = await platform.reports.deploy(
      ada.actor,
      'engines',
      { project: 'web', environment: 'production', version: '1.2.0', finishedAt: new Date(t.clock.now), commits: [{ sha: 'b'.repeat(40), authorEmail: 'Ada@Example.com' }] },
      receipt(),
    );
    expect(deployed.ok).toBe(true);
    const deploys = await platform.feeds.deploys(ada.actor, 'engines');
    expect(deploys.ok && deploys.deploys.items).toEqual([
      expect.objectContaining({ environment: 'production', version: '1.2.0', commits: [{ sha: 'b'.repeat(40), authorEmail: 'ada@example.com' }] }),
    ]);
    expect(await platform.feeds.issues(grace.actor, 'engines')).toEqual({ ok: false, reason: 'notFound' });
    expect(await platform.feeds.deploys(grace.actor, 'engines')).toEqual({ ok: false, reason: 'notFound' });
  });
});

describe('one issue', () => {
  it('shows its latest event\'s frames as reported, its activity and whether the viewer follows it', async () => {
    const { ada, grace, platform } = await withPeople();
    await makeOrganization(t, ada.actor, 'engines');
    await joinThroughInvitation(t, ada.actor, 'engines', grace);
    await platform.reports.errorEvent(ada.actor, 'engines', errorEvent('web', t.clock.now - 2 * minute), receipt());
    const frames = [{ file: 'src/late.ts', function: 'later', line: null, inApp: true }];
    await platform.reports.errorEvent(ada.actor, 'engines', errorEvent('web', t.clock.now - minute, { frames }), receipt());
    const [issue] = await rowsOf(t, 'issues');
    const issueId = issue!.id as number;

    const assigned = await platform.issues.act(ada.actor, 'engines', issueId, { kind: 'assigned', assigneeId: grace.userId });
    expect(assigned).toMatchObject({ ok: true, activity: { kind: 'assigned', actor: { id: ada.userId, name: 'Ada Lovelace' }, assignee: { id: grace.userId, name: 'Grace Hopper' } } });
    await platform.issues.act(grace.actor, 'engines', issueId, { kind: 'comment', comment: 'Looking.' });
    const seen = await platform.issues.find(grace.actor, 'engines', issueId);
    if (!seen.ok) throw new Error(seen.reason);
    expect(seen.issue).toMatchObject({ eventCount: 2, assigneeId: grace.userId, subscribed: true, latestEvent: { frames } });
    expect(seen.issue.activity.map((activity) => [activity.kind, activity.actor?.name, activity.comment])).toEqual([
      ['assigned', 'Ada Lovelace', null],
      ['comment', 'Grace Hopper', 'Looking.'],
    ]);
    const byAda = await platform.issues.find(ada.actor, 'engines', issueId);
    expect(byAda.ok && byAda.issue.subscribed).toBe(false);
    const { linus } = await withStranger();
    expect(await platform.issues.find(linus, 'engines', issueId)).toEqual({ ok: false, reason: 'notFound' });
    expect(await platform.issues.find(ada.actor, 'engines', issueId + 1)).toEqual({ ok: false, reason: 'notFound' });
    expect(await platform.issues.act(ada.actor, 'engines', issueId, { kind: 'assigned', assigneeId: linus.userId })).toEqual({
      ok: false,
      reason: 'invalid',
      errors: [{ field: '/assigneeId', message: 'is not a member of this organization' }],
    });
  });

  it('subscribe and unsubscribe; an unsubscribed person who comments or is assigned stays unsubscribed', async () => {
    const { ada, grace, platform } = await withPeople();
    await makeOrganization(t, ada.actor, 'engines');
    await joinThroughInvitation(t, ada.actor, 'engines', grace);
    await platform.reports.errorEvent(ada.actor, 'engines', errorEvent('web', t.clock.now), receipt());
    const issueId = (await rowsOf(t, 'issues'))[0]!.id as number;
    expect(await platform.issues.subscribe(ada.actor, 'engines', issueId)).toEqual({ ok: true, subscribed: true });
    expect(await platform.issues.unsubscribe(ada.actor, 'engines', issueId)).toEqual({ ok: true, subscribed: false });
    await platform.issues.act(ada.actor, 'engines', issueId, { kind: 'comment', comment: 'Still here.' });
    await platform.issues.act(grace.actor, 'engines', issueId, { kind: 'assigned', assigneeId: ada.userId });
    const found = await platform.issues.find(ada.actor, 'engines', issueId);
    expect(found.ok && found.issue.subscribed).toBe(false);
    expect(await platform.issues.subscribe(ada.actor, 'engines', issueId)).toEqual({ ok: true, subscribed: true });
    expect(await platform.issues.subscribe(ada.actor, 'other', issueId)).toEqual({ ok: false, reason: 'notFound' });
  });
});

describe('reports', () => {
  it('a build reported started, then finished, is one row; a late "started" does not make it run again', async () => {
    const { ada, platform } = await withPeople();
    const { pipeline } = await makeOrganization(t, ada.actor, 'engines');
    const started = { ...finishedBuild(pipeline.id, t.clock.now, { buildId: 'b1' }), status: 'running' as const, finishedAt: null };
    expect(await platform.reports.build(ada.actor, 'engines', started, receipt())).toMatchObject({ ok: true, repeated: false });
    expect(await platform.reports.build(ada.actor, 'engines', finishedBuild(pipeline.id, t.clock.now, { buildId: 'b1', status: 'failed' }), receipt())).toMatchObject({ ok: true });
    expect(await platform.reports.build(ada.actor, 'engines', started, receipt())).toMatchObject({ ok: true });
    const rows = await rowsOf(t, 'builds');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failed', finished_at: t.clock.now });
    expect(await rowsOf(t, 'notification_work')).toHaveLength(3);
  });

  it('a repeated event id is answered with the first answer and writes nothing; the same id with another request is refused', async () => {
    const { ada, platform } = await withPeople();
    const { pipeline } = await makeOrganization(t, ada.actor, 'engines');
    const build = finishedBuild(pipeline.id, t.clock.now);
    const first = await platform.reports.build(ada.actor, 'engines', build, receipt('same', build));
    const again = await platform.reports.build(ada.actor, 'engines', build, receipt('same', build, 200));
    expect(first).toMatchObject({ ok: true, repeated: false });
    expect(again).toEqual({ ...first, repeated: true });
    expect(await platform.reports.build(ada.actor, 'engines', { ...build, status: 'failed' }, receipt('same', { ...build, status: 'failed' }))).toEqual({ ok: false, reason: 'eventIdReused' });
    expect(await rowsOf(t, 'builds')).toHaveLength(1);
    expect(await rowsOf(t, 'notification_work')).toHaveLength(1);
    expect(await rowsOf(t, 'received_events')).toHaveLength(1);
  });

  it('an event for a resolved issue reopens it and records a regression by no one', async () => {
    const { ada, platform } = await withPeople();
    await makeOrganization(t, ada.actor, 'engines');
    const firstEvent = await platform.reports.errorEvent(ada.actor, 'engines', errorEvent('web', t.clock.now - minute), receipt());
    expect(firstEvent.ok && JSON.parse(firstEvent.answer.body)).toMatchObject({ newIssue: true, regressed: false });
    const issueId = (await rowsOf(t, 'issues'))[0]!.id as number;
    await platform.issues.act(ada.actor, 'engines', issueId, { kind: 'resolved' });
    const again = await platform.reports.errorEvent(ada.actor, 'engines', errorEvent('web', t.clock.now), receipt());
    expect(again.ok && JSON.parse(again.answer.body)).toMatchObject({ newIssue: false, regressed: true, issue: { status: 'unresolved', eventCount: 2 } });
    const found = await platform.issues.find(ada.actor, 'engines', issueId);
    expect(found.ok && found.issue.activity.map((activity) => [activity.kind, activity.actor])).toEqual([
      ['resolved', { id: ada.userId, name: 'Ada Lovelace' }],
      ['regressed', null],
    ]);
    const work = await rowsOf(t, 'notification_work');
    expect(work.map((row) => row.event_kind)).toEqual(['issueEvent', 'issueActivity', 'issueEvent', 'issueActivity']);
  });

  it('refusals name the field, and write nothing', async () => {
    const { ada, grace, platform } = await withPeople();
    const { pipeline } = await makeOrganization(t, ada.actor, 'engines');
    const other = await makeOrganization(t, grace.actor, 'compilers');
    const build = finishedBuild(pipeline.id, t.clock.now);
    const refused = async (result: Promise<unknown>, expected: unknown) => expect(await result).toEqual(expected);
    await refused(platform.reports.build(ada.actor, 'engines', { ...build, finishedAt: new Date(t.clock.now + 6 * minute) }, receipt()), {
      ok: false,
      reason: 'invalid',
      errors: [{ field: '/finishedAt', message: 'is in the future' }],
    });
    await refused(platform.reports.build(ada.actor, 'engines', { ...build, finishedAt: new Date(build.startedAt.getTime() - 1) }, receipt()), {
      ok: false,
      reason: 'invalid',
      errors: [{ field: '/finishedAt', message: 'is before startedAt' }],
    });
    await refused(platform.reports.build(ada.actor, 'engines', { ...build, pipelineId: other.pipeline.id }, receipt()), { ok: false, reason: 'notFound', what: 'pipeline' });
    await refused(platform.reports.build(ada.actor, 'compilers', build, receipt()), { ok: false, reason: 'notFound', what: 'organization' });
    await refused(platform.reports.build(ada.actor, 'engines', { ...build, startedBy: grace.userId }, receipt()), {
      ok: false,
      reason: 'invalid',
      errors: [{ field: '/startedBy', message: 'is not a member of this organization' }],
    });
    await refused(platform.reports.errorEvent(ada.actor, 'engines', errorEvent('api', t.clock.now), receipt()), { ok: false, reason: 'notFound', what: 'project' });
    const manyFrames = Array.from({ length: 201 }, (_, index) => ({ file: 'a.ts', function: 'f', line: index, inApp: true }));
    await refused(platform.reports.errorEvent(ada.actor, 'engines', errorEvent('web', t.clock.now, { frames: manyFrames }), receipt()), {
      ok: false,
      reason: 'invalid',
      errors: [{ field: '/frames', message: 'must have at most 200 frames' }],
    });
    const bigFrames = Array.from({ length: 100 }, () => ({ file: 'x'.repeat(700), function: 'f', line: 1, inApp: true }));
    await refused(platform.reports.errorEvent(ada.actor, 'engines', errorEvent('web', t.clock.now, { frames: bigFrames }), receipt()), {
      ok: false,
      reason: 'invalid',
      errors: [{ field: '/frames', message: 'must be at most 65536 bytes as JSON' }],
    });
    for (const table of ['builds', 'issues', 'issue_events', 'notification_work', 'received_events']) expect(await rowsOf(t, table), table).toEqual([]);
  });

  it('notification work exists exactly when its event row does: an error after the event row takes both back', async () => {
    const { ada, platform } = await withPeople();
    const { pipeline } = await makeOrganization(t, ada.actor, 'engines');
    const failing = { ...receipt(), answer: () => { throw new Error('the answer could not be made'); } };
    await expect(platform.reports.build(ada.actor, 'engines', finishedBuild(pipeline.id, t.clock.now), failing)).rejects.toThrow('the answer could not be made');
    await expect(platform.reports.errorEvent(ada.actor, 'engines', errorEvent('web', t.clock.now), failing)).rejects.toThrow('the answer could not be made');
    for (const table of ['builds', 'issues', 'issue_events', 'notification_work', 'received_events']) expect(await rowsOf(t, table), table).toEqual([]);

    await platform.reports.build(ada.actor, 'engines', finishedBuild(pipeline.id, t.clock.now), receipt());
    await platform.reports.deploy(ada.actor, 'engines', { project: 'web', environment: 'prod', version: '1', finishedAt: new Date(t.clock.now), commits: [] }, receipt());
    await platform.reports.errorEvent(ada.actor, 'engines', errorEvent('web', t.clock.now), receipt());
    const issueId = (await rowsOf(t, 'issues'))[0]!.id as number;
    await platform.reports.issueActivity(ada.actor, 'engines', { issueId, activity: { kind: 'comment', comment: 'Hm.' } }, receipt());
    const work = await rowsOf(t, 'notification_work');
    const ids = async (table: string) => (await rowsOf(t, table)).map((row) => row.id);
    expect(work.map((row) => [row.event_kind, row.event_row_id, row.state])).toEqual([
      ['build', (await ids('builds'))[0], 'pending'],
      ['deploy', (await ids('deploys'))[0], 'pending'],
      ['issueEvent', (await ids('issue_events'))[0], 'pending'],
      ['issueActivity', (await ids('issue_activity'))[0], 'pending'],
    ]);
  });
});
