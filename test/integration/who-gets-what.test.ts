import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userEmails } from '../../src/auth/tables.ts';
import type { Actor } from '../../src/lib/actor.ts';
import type { DescribedEvent } from '../../src/notify/who-gets-what.ts';
import { makeKey } from '../support/api-keys.ts';
import { joinThroughInvitation, makeOrganization, makePerson, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * "Who gets what" says what the dispatcher really does: for each event below, the people and
 * addresses it names are exactly those a real event of the same kind reaches, through the API, the
 * dispatcher and the SMTP server, in an organization whose members' settings differ in every way
 * that matters (overrides per project and organization, defaults, "only my commits" on a second
 * address, an unconfirmed address, one's own activity).
 */

let t: TestApp;
type Person = { userId: number; actor: Actor };
const people: Record<string, Person> = {};
let project: { id: number };
let otherProject: { id: number };
let pipeline: { id: number };
let post: (path: string, body: Record<string, unknown>) => Promise<{ statusCode: number; json(): unknown }>;

const at = (ms: number) => new Date(t.clock.now - ms).toISOString();
const commit = { sha: '9fceb02d0ae598e95dc970b74767f19372d61af8', message: 'Speed up the mill', authorName: 'Ada Lovelace', authorEmail: 'ada@example.com' };
const addAddress = (userId: number, address: string, verified: boolean) =>
  t.db.insert(userEmails).values({ userId, address, isPrimary: false, verifiedAt: verified ? new Date(t.clock.now) : null, createdAt: new Date(t.clock.now) });

beforeAll(async () => {
  t = await createTestApp();
  for (const [name, email] of [
    ['ada', 'ada@example.com'],
    ['grace', 'grace@example.com'],
    ['linus', 'linus@example.com'],
    ['mia', 'mia@example.com'],
    ['noah', 'noah@example.com'],
  ] as const) {
    people[name] = await makePerson(t, email, name[0]!.toUpperCase() + name.slice(1));
  }
  const { ada, grace, linus, mia, noah } = people as Record<string, Person>;
  const made = await makeOrganization(t, ada!.actor, 'engines');
  project = made.project;
  pipeline = made.pipeline;
  const second = await t.app.services.platform.organizations.createProject(ada!.actor, 'engines', { name: 'Docs', slug: 'docs' });
  if (!second.ok) throw new Error(second.reason);
  otherProject = second.project;
  await t.db.update(userEmails).set({ verifiedAt: new Date(t.clock.now) }).where(eq(userEmails.userId, ada!.userId));
  for (const person of [grace, linus, mia, noah]) expect(await joinThroughInvitation(t, ada!.actor, 'engines', person!)).toBe('member');

  const set = (person: Person, type: string, scope: 'user' | 'organization' | 'project', scopeId: number | null, value: string) =>
    t.app.services.notificationSettings.set(person.actor, { type: type as never, scope, scopeId }, value).then((saved) => expect(saved).toEqual({ ok: true }));
  const organizationId = made.organization.id;
  // Ada: failed builds by default; she starts builds by hand and does not hear of her own.
  await set(ada!, 'buildEmails', 'user', null, 'failed');
  // Grace: builds off by default but both for Web, where her mail goes to her work address; every deploy of the organization.
  await addAddress(grace!.userId, 'grace@work.example', true);
  await set(grace!, 'buildEmails', 'user', null, 'off');
  await set(grace!, 'buildEmails', 'project', project.id, 'both');
  await set(grace!, 'emailRouting', 'project', project.id, 'grace@work.example');
  await set(grace!, 'deploys', 'organization', organizationId, 'always');
  // Linus: successful builds; deploys with his commits (the default), which he makes from his second address; no alerts from Docs.
  await addAddress(linus!.userId, 'linus@home.example', true);
  await set(linus!, 'buildEmails', 'user', null, 'successful');
  await set(linus!, 'issueAlerts', 'project', otherProject.id, 'never');
  await set(linus!, 'workflow', 'user', null, 'always');
  // Mia: both, but her only confirmed address is gone: an unconfirmed one is never used; her commits come from it.
  await set(mia!, 'buildEmails', 'user', null, 'both');
  await t.db.update(userEmails).set({ verifiedAt: null }).where(eq(userEmails.userId, mia!.userId));
  await addAddress(mia!.userId, 'mia@unconfirmed.example', false);
  // Noah: failed builds, and his own activity too; deploys never, for the organization.
  await set(noah!, 'buildEmails', 'user', null, 'failed');
  await set(noah!, 'myActivity', 'user', null, 'on');
  await set(noah!, 'deploys', 'organization', organizationId, 'never');
  await set(noah!, 'workflow', 'project', project.id, 'never');

  const key = await makeKey(t, ada!.userId, ['builds:write', 'deploys:write', 'issues:write']);
  post = async (path, body) => {
    const answer = await t.app.inject({ method: 'POST', url: `/api/v1/orgs/engines${path}`, headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    expect(answer.statusCode, answer.body).toBeLessThan(300);
    return answer;
  };
});
afterAll(async () => {
  await t.close();
});

/** Who gets it and where, as "who gets what" says, for everyone in the organization. */
async function saidFor(event: DescribedEvent): Promise<string[]> {
  const looked = await t.app.services.whoGetsWhat.look(people.ada!.actor, { organization: 'engines', audience: 'everyone', event });
  if (!looked.ok || !looked.answer) throw new Error(JSON.stringify(looked));
  expect(looked.answer).toHaveLength(5);
  return looked.answer.filter((row) => row.gets).map((row) => `${row.userId} ${row.address}`).sort();
}

let deliveriesSeen = 0;
const expectedMail = new Map<string, number>();
/** Who the dispatcher really reached with the event just posted, and where. */
async function sentByTheDispatcher(): Promise<string[]> {
  await t.app.services.dispatcher.runOnce();
  // Security notices are deliveries too (they cannot be turned off); only the platform's events count here.
  const all = (await rowsOf(t, 'notification_deliveries')).slice(deliveriesSeen);
  deliveriesSeen += all.length;
  // Every delivery is a mail, security notices too, so all count towards the mail expected at an address.
  for (const row of all) expectedMail.set(String(row.address), (expectedMail.get(String(row.address)) ?? 0) + 1);
  const rows = all.filter((row) => row.event_kind !== 'security');
  return rows.map((row) => `${String(row.user_id)} ${String(row.address)}`).sort();
}

let counter = 0;
const build = (status: string, trigger: string, startedBy: number | null) => ({
  eventId: `b-${++counter}`,
  pipelineId: pipeline.id,
  buildId: String(counter),
  status,
  trigger,
  startedBy,
  startedAt: at(120_000),
  finishedAt: at(60_000),
  commit,
});

describe('who gets what equals what the dispatcher sends', () => {
  const buildCases: Array<[string, 'failed' | 'success' | 'terminated', 'push' | 'schedule' | 'manual' | 'api', string | null, boolean]> = [
    ['a failed build started by a push', 'failed', 'push', null, false],
    ['a successful build started by a schedule', 'success', 'schedule', null, false],
    ['a terminated build started through the API', 'terminated', 'api', null, false],
    ['a failed build started by hand, its pipeline silent on manual builds', 'failed', 'manual', 'ada', false],
    ['a failed build started by hand by Ada, once the pipeline reports them', 'failed', 'manual', 'ada', true],
    ['a failed build started by hand by Noah, who hears of his own actions', 'failed', 'manual', 'noah', true],
  ];
  it.each(buildCases)('%s', async (_, status, trigger, starter, reportsManual) => {
    const flagged = await t.app.services.platform.organizations.setNotifyManualExecutions(people.ada!.actor, { organization: 'engines', pipelineId: pipeline.id }, reportsManual);
    expect(flagged.ok).toBe(true);
    const startedBy = starter ? people[starter]!.userId : null;
    const said = await saidFor({ kind: 'build', pipelineId: pipeline.id, status, trigger, startedBy: startedBy === null ? null : { userId: startedBy } });
    await post('/builds', build(status, trigger, startedBy));
    expect(await sentByTheDispatcher()).toEqual(said);
  });

  it('the cases are not all alike: each setting makes a difference somewhere', async () => {
    const failedPush = await saidFor({ kind: 'build', pipelineId: pipeline.id, status: 'failed', trigger: 'push', startedBy: null });
    expect(failedPush).toEqual([`${people.ada!.userId} ada@example.com`, `${people.grace!.userId} grace@work.example`, `${people.noah!.userId} noah@example.com`].sort());
  });

  const deployCases: Array<[string, string[]]> = [
    ['a deploy with commits from Linus\u2019s second address', ['linus@home.example']],
    ['a deploy with commits from Mia\u2019s unconfirmed address and a stranger', ['mia@unconfirmed.example', 'someone@elsewhere.example']],
    ['a deploy with commits from Ada and Noah', ['ADA@example.com', 'noah@example.com']],
  ];
  it.each(deployCases)('%s', async (_, authors) => {
    const said = await saidFor({ kind: 'deploy', projectId: project.id, commitAuthorEmails: authors });
    await post('/deploys', { eventId: `d-${++counter}`, project: 'web', environment: 'production', version: `v${counter}`, finishedAt: at(5_000), commits: authors.map((authorEmail, index) => ({ sha: `${index}`.padStart(40, 'c'), authorEmail })) });
    expect(await sentByTheDispatcher()).toEqual(said);
  });

  it.each([
    ['a new issue in Web', 'web'],
    ['a new issue in Docs', 'docs'],
  ])('%s', async (_, slug) => {
    const said = await saidFor({ kind: 'issueAlert', projectId: slug === 'web' ? project.id : otherProject.id });
    await post('/events', { eventId: `e-${++counter}`, project: slug, level: 'error', occurredAt: at(10_000), title: `TypeError ${counter}`, message: 'the user was not loaded', frames: [{ file: 'src/users.ts', function: 'loadUser', line: 42, inApp: true }] });
    expect(await sentByTheDispatcher()).toEqual(said);
  });

  it('an issue assigned by Ada through the API, followed by Grace alone', async () => {
    const opened = await post('/events', { eventId: `e-${++counter}`, project: 'web', level: 'error', occurredAt: at(10_000), title: 'RangeError', message: 'out of range', frames: [] });
    await sentByTheDispatcher();
    const issueId = (opened.json() as { issue: { id: number } }).issue.id;
    const grace = people.grace!;
    const followed = await t.app.services.platform.issues.subscribe(grace.actor, 'engines', issueId);
    expect(followed.ok).toBe(true);
    const said = await saidFor({ kind: 'workflow', projectId: project.id, actor: { userId: people.ada!.userId }, subscriberIds: [grace.userId] });
    await post(`/issues/${issueId}/activity`, { eventId: `a-${++counter}`, kind: 'assigned', assigneeId: grace.userId });
    expect(await sentByTheDispatcher()).toEqual(said);
    expect(said).toContain(`${people.linus!.userId} linus@example.com`);
  });

  it('and the mails really arrive, as many at each address as it said', async () => {
    expect(expectedMail.size).toBeGreaterThan(3);
    for (const [address, count] of expectedMail) {
      await t.mail.waitFor(address);
      for (let waited = 0; t.mail.messagesTo(address).length < count && waited < 8000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(t.mail.messagesTo(address), address).toHaveLength(count);
    }
    expect(t.mail.messagesTo('mia@example.com')).toHaveLength(0);
    expect(t.mail.messagesTo('mia@unconfirmed.example')).toHaveLength(0);
  });
});

describe('what it refuses', () => {
  it('another organization\u2019s pipeline or project, a non-member, and asking about everyone as a member', async () => {
    const eve = await makePerson(t, 'eve@example.com', 'Eve');
    const theirs = await makeOrganization(t, eve.actor, 'elsewhere');
    const look = (actor: Actor, event: DescribedEvent, audience: 'everyone' | 'me' = 'everyone', organization = 'engines') => t.app.services.whoGetsWhat.look(actor, { organization, audience, event });
    const ada = people.ada!.actor;
    expect(await look(ada, { kind: 'build', pipelineId: theirs.pipeline.id, status: 'failed', trigger: 'push', startedBy: null })).toEqual({ ok: false, reason: 'refused', field: 'pipeline', why: 'notInOrganization' });
    expect(await look(ada, { kind: 'issueAlert', projectId: theirs.project.id })).toEqual({ ok: false, reason: 'refused', field: 'project', why: 'notInOrganization' });
    expect(await look(ada, { kind: 'build', pipelineId: pipeline.id, status: 'failed', trigger: 'push', startedBy: { userId: eve.userId } })).toEqual({ ok: false, reason: 'refused', field: 'startedBy', why: 'notAMember' });
    expect(await look(ada, { kind: 'workflow', projectId: project.id, actor: null, subscriberIds: [eve.userId] })).toEqual({ ok: false, reason: 'refused', field: 'subscribed', why: 'notAMember' });
    expect(await look(ada, { kind: 'build', pipelineId: pipeline.id, status: 'running' as never, trigger: 'push', startedBy: null })).toEqual({ ok: false, reason: 'refused', field: 'status', why: 'unknownValue' });
    expect(await look(eve.actor, { kind: 'issueAlert', projectId: project.id })).toEqual({ ok: false, reason: 'notFound' });
    expect(await look(people.grace!.actor, { kind: 'issueAlert', projectId: project.id })).toEqual({ ok: false, reason: 'ownerOnly' });
    // Asking about oneself names no one else: not as the starter of a build, not as a follower.
    const grace = people.grace!;
    expect(await look(grace.actor, { kind: 'build', pipelineId: pipeline.id, status: 'failed', trigger: 'push', startedBy: { userId: people.ada!.userId } }, 'me')).toEqual({ ok: false, reason: 'refused', field: 'startedBy', why: 'notAMember' });
    const mine = await look(grace.actor, { kind: 'build', pipelineId: pipeline.id, status: 'failed', trigger: 'push', startedBy: 'someoneElse' }, 'me');
    expect(mine.ok && mine.answer?.map((row) => [row.userId, row.address, row.decidedBy?.by])).toEqual([[grace.userId, 'grace@work.example', { scope: 'project', scopeId: project.id }]]);
    expect(mine.ok && mine.members.map((member) => member.userId)).toEqual([grace.userId]);
  });
});
