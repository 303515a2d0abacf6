import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { closeDatabase, openDatabase, type Db } from '../../src/db/client.ts';
import { createWeeklyReports } from '../../src/jobs/weekly-reports.ts';
import { createReportAudience } from '../../src/platform/report-audience.ts';
import type { WeeklyReportBuilder } from '../../src/reports/weekly-types.ts';
import { confirmPrimaryAddress, finishedBuild, joinThroughInvitation, makeOrganization, makePerson, receipt, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { createStandInBuilder } from '../support/weekly-builder.ts';

/** Weekly reports go out once per person, organization and week, at the reader's own hour, whatever happens to the processes. */

let t: TestApp;
const others: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of others.splice(0)) await close();
  await t.close();
});

const minute = 60_000;
const hour = 60 * minute;
const setClock = (iso: string) => {
  t.clock.now = Date.parse(iso);
};

type Person = Awaited<ReturnType<typeof makePerson>>;

async function inZone(person: Person, timezone: string) {
  await t.app.services.account.savePreferences(person.actor, { language: 'en', timezone, clock24h: true, dateFormat: 'iso', theme: 'system', stackTraceOrder: 'default' });
}

/** An organization "engines" of Ada (owner) and Grace, both in Berlin; builds are reported through the platform's service. */
async function anOrganization(options: { builder?: (db: Db) => WeeklyReportBuilder } = {}) {
  // Normal locking: a second process may open the file too.
  t = await createTestApp({ SQLITE_LOCKING: 'normal' }, { weeklyReportBuilder: options.builder ?? createStandInBuilder });
  setClock('2026-01-01T00:00:00Z');
  const ada = await makePerson(t, 'ada@example.com', 'Ada Lovelace');
  await confirmPrimaryAddress(t, ada.userId);
  const made = await makeOrganization(t, ada.actor, 'engines');
  const grace = await makePerson(t, 'grace@example.com', 'Grace Hopper');
  await joinThroughInvitation(t, ada.actor, 'engines', grace);
  for (const person of [ada, grace]) await inZone(person, 'Europe/Berlin');
  /** A build of the project "web" that finished at `iso` (the clock moves past it if it must). */
  const build = async (iso: string, pipelineId = made.pipeline.id) => {
    const at = Date.parse(iso);
    if (t.clock.now < at + minute) t.clock.now = at + minute;
    const reported = await t.app.services.platform.reports.build(ada.actor, 'engines', finishedBuild(pipelineId, at), receipt());
    expect(reported.ok).toBe(true);
  };
  return { ada, grace, made, build };
}

const run = () => t.app.services.weeklyReports!.run('schedule');
const reportRows = async () => (await rowsOf(t, 'weekly_reports')).map((row) => ({ userId: row.user_id, week: row.week, state: row.state, skipped: row.skipped }));
const queued = async () => (await rowsOf(t, 'mail_outbox')).filter((row) => row.kind === 'weekly-report').map((row) => ({ to: row.recipient as string, subject: row.subject as string }));

/** Another Dials process on the same database file, with its own connection and its own name in claims. */
async function anotherProcess(builder: (db: Db) => WeeklyReportBuilder = createStandInBuilder) {
  const db = openDatabase(t.config.databaseFile, { exclusive: false });
  const app = await buildApp(t.config, { db, now: () => t.clock.now, dispatchInBackground: false, scheduleJobs: false, weeklyReportBuilder: builder(db) });
  await app.ready();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
    closeDatabase(db);
  };
  others.push(close);
  return { app, run: () => app.services.weeklyReports!.run('schedule'), close };
}

/** A builder whose mails fail to compose: a run claims its reports, then stops, as a process that died midway would. */
const dyingBuilder = (db: Db): WeeklyReportBuilder => ({
  ...createStandInBuilder(db),
  mail: () => {
    throw new Error('the process stopped here');
  },
});

describe('when weekly reports go out', () => {
  it("at the reader's chosen weekday and hour in their zone, not a minute before, and once", async () => {
    const { ada, grace, build } = await anOrganization();
    await build('2026-03-04T10:00:00Z'); // a Wednesday of 2026-W10
    await t.app.services.reportTimes.save(grace.actor, { weekday: 2, hour: 18 });

    setClock('2026-03-09T07:59:00Z'); // Monday 08:59 in Berlin
    expect(await run()).toMatchObject({ sent: 0, skipped: 0, failures: 0 });
    expect(await reportRows()).toEqual([]);

    setClock('2026-03-09T08:00:00Z'); // Monday 09:00 in Berlin: Ada's default hour
    expect(await run()).toMatchObject({ sent: 1, failures: 0 });
    const mail = await t.mail.waitFor('ada@example.com', /Org engines — your 2026-W10 report/);
    expect(mail.text).toContain('1 events');
    expect(mail.text).toContain('/reports/weekly/engines/2026-W10');
    expect(mail.text).toContain('/settings/notifications/weekly-reports');
    expect(mail.text).toMatch(/Turn off these e-mails for Org engines: http:\/\/[^\s]+\/unsubscribe\/\d+\.weeklyReports\.o\d+\./);
    expect(t.mail.messagesTo('grace@example.com')).toHaveLength(0);

    // Every five minutes through the week: Grace's comes on Tuesday at 18:00 in Berlin, and nothing twice.
    for (let at = Date.parse('2026-03-09T08:05:00Z'); at <= Date.parse('2026-03-15T22:55:00Z'); at += at < Date.parse('2026-03-10T18:00:00Z') ? 5 * minute : hour) {
      t.clock.now = at;
      await run();
      if (at < Date.parse('2026-03-10T17:00:00Z')) expect((await queued()).length, new Date(at).toISOString()).toBe(1);
    }
    expect((await queued()).map((entry) => entry.to).sort()).toEqual(['ada@example.com', 'grace@example.com']);
    await t.mail.waitFor('grace@example.com', /2026-W10/);
    expect(await reportRows()).toEqual([
      { userId: ada.userId, week: '2026-W10', state: 'sent', skipped: null },
      { userId: grace.userId, week: '2026-W10', state: 'sent', skipped: null },
    ]);
  });

  it('across the daylight-saving changes of March and October, exactly one a week, at 09:00 local', async () => {
    const { ada, build } = await anOrganization();
    const weeks = ['2026-03-18', '2026-03-25', '2026-04-01', '2026-10-14', '2026-10-21', '2026-10-28'];
    for (const day of weeks) await build(`${day}T12:00:00Z`);
    const firstQueued = new Map<string, number>();
    const stepThrough = async (from: string, to: string) => {
      for (let at = Date.parse(from); at <= Date.parse(to); at += hour) {
        t.clock.now = at;
        await run();
        for (const entry of (await queued()).filter((mail) => mail.to === 'ada@example.com')) {
          const week = /\d{4}-W\d{2}/.exec(entry.subject)![0];
          if (!firstQueued.has(week)) firstQueued.set(week, at);
        }
      }
    };
    await stepThrough('2026-03-22T00:00:00Z', '2026-04-08T00:00:00Z');
    await stepThrough('2026-10-18T00:00:00Z', '2026-11-04T00:00:00Z');
    expect(Object.fromEntries([...firstQueued].map(([week, at]) => [week, new Date(at).toISOString()]))).toEqual({
      '2026-W12': '2026-03-23T08:00:00.000Z', // CET: 09:00 is 08:00 UTC
      '2026-W13': '2026-03-30T07:00:00.000Z', // clocks went forward on Sunday 29 March: 09:00 CEST is 07:00 UTC
      '2026-W14': '2026-04-06T07:00:00.000Z',
      '2026-W42': '2026-10-19T07:00:00.000Z',
      '2026-W43': '2026-10-26T08:00:00.000Z', // back on Sunday 25 October: 09:00 CET is 08:00 UTC
      '2026-W44': '2026-11-02T08:00:00.000Z',
    });
    const subjects = (await queued()).filter((entry) => entry.to === 'ada@example.com').map((entry) => entry.subject);
    expect(subjects).toHaveLength(6);
    expect(new Set(subjects).size).toBe(6);
    expect((await queued()).filter((entry) => entry.to === 'grace@example.com')).toHaveLength(6);
    // The weeks before each stretch had no activity: skipped as quiet, never mailed.
    const adas = (await reportRows()).filter((row) => row.userId === ada.userId);
    expect(adas.filter((row) => row.state === 'sent').map((row) => row.week)).toEqual(['2026-W12', '2026-W13', '2026-W14', '2026-W42', '2026-W43', '2026-W44']);
    expect(adas.filter((row) => row.state !== 'sent').map((row) => [row.week, row.skipped])).toEqual([
      ['2026-W11', 'quietWeek'],
      ['2026-W41', 'quietWeek'],
    ]);
  });

  it('after downtime, the current week’s report still goes out; last week’s never does', async () => {
    const { build } = await anOrganization();
    await build('2026-03-04T10:00:00Z'); // W10
    await build('2026-03-11T10:00:00Z'); // W11
    // A run on Monday of W11 claims W10's reports and stops (its process died); then Dials is down until Wednesday of W12.
    const dying = await anotherProcess(dyingBuilder);
    setClock('2026-03-09T08:00:00Z');
    expect((await dying.run()).failures).toBe(2);
    await dying.close();
    setClock('2026-03-18T10:00:00Z');
    expect(await run()).toMatchObject({ sent: 2, skipped: 2 });
    const subjects = (await queued()).map((entry) => entry.subject);
    expect(subjects).toHaveLength(2);
    expect(subjects.every((subject) => subject.includes('2026-W11'))).toBe(true);
    expect((await reportRows()).filter((row) => row.week === '2026-W10').map((row) => [row.state, row.skipped])).toEqual([
      ['skipped', 'late'],
      ['skipped', 'late'],
    ]);
  });

  it('a week without activity sends nothing, and says so as a skipped report', async () => {
    await anOrganization();
    setClock('2026-03-09T08:00:00Z');
    expect(await run()).toMatchObject({ sent: 0, skipped: 2 });
    expect(await queued()).toEqual([]);
    expect((await reportRows()).map((row) => row.skipped)).toEqual(['quietWeek', 'quietWeek']);
  });
});

describe('sent once, whatever happens to the processes', () => {
  it('a run that stopped midway (its claim made, its process gone) is taken over once the claim lapses, and each report is sent once', async () => {
    const { build } = await anOrganization();
    await build('2026-03-04T10:00:00Z');
    const dying = await anotherProcess(dyingBuilder);
    setClock('2026-03-09T08:00:00Z');
    expect(await dying.run()).toMatchObject({ sent: 0, failures: 2 });
    await dying.close();
    expect((await reportRows()).map((row) => row.state)).toEqual(['claimed', 'claimed']);

    // The restarted Dials ticks: the claim is still the old process's for a while.
    t.clock.advance(5 * minute);
    expect((await run()).sent).toBe(0);
    t.clock.advance(6 * minute);
    expect((await run()).sent).toBe(2);
    t.clock.advance(5 * minute);
    expect((await run()).sent).toBe(0);
    expect((await queued()).map((entry) => entry.to).sort()).toEqual(['ada@example.com', 'grace@example.com']);
  });

  it('a process that stalls past its claim, and wakes after another took its reports over, queues nothing', async () => {
    const { build } = await anOrganization();
    await build('2026-03-04T10:00:00Z');
    let wake = () => {};
    const stalled = new Promise<void>((resolve) => (wake = resolve));
    const slow = await anotherProcess((db) => {
      const standIn = createStandInBuilder(db);
      return { ...standIn, organizationWeek: async (organizationId, week) => stalled.then(() => standIn.organizationWeek(organizationId, week)) };
    });
    setClock('2026-03-09T08:00:00Z');
    const slowRun = slow.run();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await reportRows()).map((row) => row.state)).toEqual(['claimed', 'claimed']);
    t.clock.advance(11 * minute);
    expect((await run()).sent).toBe(2);
    wake();
    expect(await slowRun).toMatchObject({ sent: 0 });
    expect((await queued()).map((entry) => entry.to).sort()).toEqual(['ada@example.com', 'grace@example.com']);
  });

  it('a clock that jumps back and forth sends nothing twice', async () => {
    const { build } = await anOrganization();
    await build('2026-03-04T10:00:00Z');
    for (const at of ['2026-03-09T09:00:00Z', '2026-03-09T07:00:00Z', '2026-03-09T09:30:00Z', '2026-03-01T09:00:00Z', '2026-03-10T09:00:00Z', '2026-03-09T08:00:00Z']) {
      setClock(at);
      await run();
    }
    expect((await queued()).map((entry) => entry.to).sort()).toEqual(['ada@example.com', 'grace@example.com']);
  });

  it('two processes ticking at once on the same database file send each report once', async () => {
    const { ada, made, build } = await anOrganization();
    // 40 more members, so the two runs interleave over many rows.
    for (let index = 0; index < 40; index++) {
      const person = await makePerson(t, `member${index}@example.com`, `Member ${index}`);
      await joinThroughInvitation(t, ada.actor, 'engines', person);
    }
    await build('2026-03-04T10:00:00Z', made.pipeline.id);
    const second = await anotherProcess();
    setClock('2026-03-09T12:00:00Z');
    const [one, two] = await Promise.all([run(), second.run(), run(), second.run()]).then((results) => [results[0]!.sent + results[2]!.sent, results[1]!.sent + results[3]!.sent]);
    expect(one! + two!).toBe(42);
    const recipients = (await queued()).map((entry) => entry.to);
    expect(recipients).toHaveLength(42);
    expect(new Set(recipients).size).toBe(42);
  });
});

describe('who gets a report', () => {
  it("the mail's one-click unsubscribe turns that organization's reports off: the next week sends none", async () => {
    const { grace, build } = await anOrganization();
    await build('2026-03-04T10:00:00Z');
    setClock('2026-03-09T08:00:00Z');
    await run();
    const mail = await t.mail.waitFor('grace@example.com', /2026-W10/);
    const link = /^<(https?:\/\/[^>]+\/unsubscribe\/[^>]+)>$/.exec(mail.listUnsubscribe ?? '')?.[1] ?? '';
    expect(mail.text).toContain(link);
    const clicked = await t.app.inject({ method: 'POST', url: new URL(link).pathname, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(clicked.statusCode).toBe(200);
    await build('2026-03-11T10:00:00Z');
    setClock('2026-03-16T08:00:00Z');
    expect(await run()).toMatchObject({ sent: 1 });
    expect((await queued()).filter((entry) => entry.to === 'grace@example.com')).toHaveLength(1);
    expect((await reportRows()).filter((row) => row.userId === grace.userId).map((row) => row.week)).toEqual(['2026-W10']);
  });

  it('no one who turned them off, left out every project, or left the organization; a left-out project is not counted', async () => {
    const { ada, grace, made, build } = await anOrganization();
    const settings = t.app.services.notificationSettings;
    const api = await t.app.services.platform.organizations.createProject(ada.actor, 'engines', { name: 'API', slug: 'api' });
    if (!api.ok) throw new Error(api.reason);
    const apiPipeline = await t.app.services.platform.organizations.createPipeline(ada.actor, 'engines', 'api', { name: 'main' });
    if (!apiPipeline.ok) throw new Error(apiPipeline.reason);
    const people: Record<string, Person> = {};
    for (const name of ['off', 'orgOff', 'excludedAll', 'excludedOne', 'leaver']) {
      people[name] = await makePerson(t, `${name}@example.com`, name);
      await joinThroughInvitation(t, ada.actor, 'engines', people[name]);
    }
    const orgId = made.organization.id;
    await settings.set(people.off!.actor, { type: 'weeklyReports', scope: 'user', scopeId: null }, 'off');
    await settings.set(people.orgOff!.actor, { type: 'weeklyReports', scope: 'organization', scopeId: orgId }, 'off');
    for (const project of [made.project.id, api.project.id]) await settings.set(people.excludedAll!.actor, { type: 'weeklyReports', scope: 'project', scopeId: project }, 'off');
    await settings.set(people.excludedOne!.actor, { type: 'weeklyReports', scope: 'project', scopeId: api.project.id }, 'off');
    // Grace turned hers off for everything but this organization.
    await settings.set(grace.actor, { type: 'weeklyReports', scope: 'user', scopeId: null }, 'off');
    await settings.set(grace.actor, { type: 'weeklyReports', scope: 'organization', scopeId: orgId }, 'on');
    expect((await t.app.services.platform.organizations.removeMember(ada.actor, 'engines', people.leaver!.userId)).ok).toBe(true);

    await build('2026-03-04T10:00:00Z');
    await build('2026-03-05T10:00:00Z', apiPipeline.pipeline.id);
    await build('2026-03-06T10:00:00Z', apiPipeline.pipeline.id);
    setClock('2026-03-09T10:00:00Z');
    expect(await run()).toMatchObject({ sent: 3, skipped: 0 });
    expect((await queued()).map((entry) => entry.to).sort()).toEqual(['ada@example.com', 'excludedone@example.com', 'grace@example.com']);
    expect((await t.mail.waitFor('excludedone@example.com', /2026-W10/)).text).toContain('1 events');
    expect((await t.mail.waitFor('ada@example.com', /2026-W10/)).text).toContain('3 events');
  });

  it('someone who leaves between the report being written and sent gets none: it is skipped as "not a member"', async () => {
    const { ada, grace, build } = await anOrganization();
    await build('2026-03-04T10:00:00Z');
    const dying = await anotherProcess(dyingBuilder);
    setClock('2026-03-09T08:00:00Z');
    await dying.run();
    await dying.close();
    expect((await t.app.services.platform.organizations.removeMember(ada.actor, 'engines', grace.userId)).ok).toBe(true);
    t.clock.advance(15 * minute);
    expect(await run()).toMatchObject({ sent: 1, skipped: 1 });
    expect((await queued()).map((entry) => entry.to)).toEqual(['ada@example.com']);
    expect((await reportRows()).find((row) => row.userId === grace.userId)).toMatchObject({ state: 'skipped', skipped: 'notMember' });
  });

  it('reads people in a fixed number of queries per batch, whatever their number', async () => {
    const { ada, build } = await anOrganization();
    await build('2026-03-04T10:00:00Z');
    const services = t.app.services;
    const calls = new Map<string, number>();
    const counted = <A extends unknown[], R>(name: string, call: (...args: A) => Promise<R>) => (...args: A) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return call(...args);
    };
    const audience = createReportAudience(t.db);
    const job = (db: Db) =>
      createWeeklyReports(db, {
        owner: 'counting',
        now: () => t.clock.now,
        builder: createStandInBuilder(db),
        audience: { ...audience, membersAfter: counted('members', audience.membersAfter), projectIdsOf: counted('projects', audience.projectIdsOf) },
        reportTimes: { ofEach: counted('times', (ids: readonly number[]) => services.reportTimes.ofEach(ids)) },
        preferencesOfEach: counted('preferences', (ids: readonly number[]) => services.account.preferencesOfEach(ids)),
        settings: { rowsOfEach: counted('settings', (ids: readonly number[], types: Parameters<typeof services.notificationSettings.rowsOfEach>[1]) => services.notificationSettings.rowsOfEach(ids, types)) },
        profiles: counted('profiles', (ids: readonly number[]) => services.users.profiles(ids)),
        addressesOfEach: counted('addresses', async (ids: readonly number[]) => new Map([...(await services.emailAddresses.listOfEach(ids))].map(([userId, list]) => [userId, { primary: list.find((entry) => entry.isPrimary)?.address ?? '', verified: list.map((entry) => entry.address) }]))),
        outbox: services.outbox,
        publicUrl: t.config.publicUrl,
        unsubscribeTokens: services.unsubscribeTokens,
        log: { warn: () => {} },
      });
    setClock('2026-03-09T12:00:00Z');
    expect((await job(t.db).run('schedule')).sent).toBe(2);
    const withTwo = new Map(calls);
    calls.clear();
    for (let index = 0; index < 60; index++) {
      const person = await makePerson(t, `many${index}@example.com`, `Many ${index}`);
      await joinThroughInvitation(t, ada.actor, 'engines', person);
    }
    setClock('2026-03-16T12:00:00Z');
    await build('2026-03-11T10:00:00Z');
    expect((await job(t.db).run('schedule')).sent).toBe(62);
    // Two pages of members each time (the second one empty), and one read of each kind per batch.
    expect(Object.fromEntries(calls)).toEqual(Object.fromEntries(withTwo));
    expect(calls.get('settings')).toBe(1);
  });

  it("reads each organization's week once per run, whatever the number of its readers", async () => {
    const builders: Array<ReturnType<typeof createStandInBuilder>> = [];
    const { ada, build } = await anOrganization({
      builder: (db) => {
        const made = createStandInBuilder(db);
        builders.push(made);
        return made;
      },
    });
    for (let index = 0; index < 10; index++) {
      const person = await makePerson(t, `reader${index}@example.com`, `Reader ${index}`);
      await joinThroughInvitation(t, ada.actor, 'engines', person);
    }
    await build('2026-03-04T10:00:00Z');
    setClock('2026-03-09T12:00:00Z');
    expect((await run()).sent).toBe(12);
    expect(builders[0]!.organizationWeeksRead).toEqual([{ organizationId: expect.any(Number), week: '2026-W10' }]);
  });
});
