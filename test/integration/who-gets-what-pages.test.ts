import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userEmails } from '../../src/auth/tables.ts';
import { sqliteOf } from '../../src/db/client.ts';
import { systemActor, type Actor } from '../../src/lib/actor.ts';
import { memberships } from '../../src/platform/tables.ts';
import { BrowserSession, setUpAdministrator, signUp } from '../support/browser-session.ts';
import { shownText } from '../support/html-text.ts';
import { confirmPrimaryAddress, joinThroughInvitation, makeOrganization, makePerson, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** /orgs/<slug>/who-gets-what (owners) and /settings/notifications/who-gets-what (everyone, about themselves), as people use them. */

let t: TestApp;
let ada: BrowserSession;
let grace: BrowserSession;
let mallory: BrowserSession;
const ids: Record<string, number> = {};
const actors: Record<string, Actor> = {};
let acme: Awaited<ReturnType<typeof makeOrganization>>;
let elsewhere: Awaited<ReturnType<typeof makeOrganization>>;

const userIdOf = async (email: string) => (await rowsOf(t, 'users')).find((row) => row.email === email)?.id as number;
const text = (html: string) => shownText(html).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const orgPage = '/orgs/acme/who-gets-what';
const ownPage = '/settings/notifications/who-gets-what';

beforeAll(async () => {
  t = await createTestApp();
  ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
  mallory = await signUp(t.app, { email: 'mallory@example.com', name: 'Mallory Outsider' });
  for (const name of ['ada', 'grace', 'mallory']) {
    ids[name] = await userIdOf(`${name}@example.com`);
    actors[name] = systemActor(ids[name]!, 'who gets what page test');
  }
  await confirmPrimaryAddress(t, ids.ada!);
  acme = await makeOrganization(t, actors.ada!, 'acme');
  expect(await joinThroughInvitation(t, actors.ada!, 'acme', { userId: ids.grace!, actor: actors.grace! })).toBe('member');
  await t.app.services.notificationSettings.set(actors.ada!, { type: 'buildEmails', scope: 'user', scopeId: null }, 'failed');
  await t.db.insert(userEmails).values({ userId: ids.grace!, address: 'grace@work.example', isPrimary: false, verifiedAt: new Date(t.clock.now), createdAt: new Date(t.clock.now) });
  await t.app.services.notificationSettings.set(actors.grace!, { type: 'deploys', scope: 'organization', scopeId: acme.organization.id }, 'always');
  const eve = await makePerson(t, 'eve@example.com', 'Eve');
  elsewhere = await makeOrganization(t, eve.actor, 'elsewhere');
});
afterAll(async () => {
  await t.close();
});

describe('who may see what', () => {
  it('sends someone logged out to log in, from both pages', async () => {
    for (const path of [orgPage, ownPage, `${ownPage}?kind=build`]) {
      const page = await t.app.inject({ method: 'GET', url: path });
      expect(page.statusCode, path).toBe(303);
      expect(page.headers.location, path).toMatch(/^\/login/);
    }
  });

  it('shows an owner every member, and the organization page links to it for owners only', async () => {
    const page = await ada.get(`${orgPage}?kind=build&pipeline=${acme.pipeline.id}&status=failed&trigger=push&startedBy=`);
    expect(page.statusCode).toBe(200);
    const shown = text(page.body);
    expect(shown).toContain('Who gets what in Org acme');
    expect(shown).toContain('Failed build of Web / main, triggered by: A push');
    expect(shown).toMatch(/Ada Lovelace \(you\) Yes ada@example\.com \(primary address\) Build e-mails: Failed builds \(own default\) —/);
    expect(shown).toMatch(/Grace Hopper No — Build e-mails: Off \(the default, nothing chosen\) The setting turns it off\./);
    expect(shown).toContain('1 of 2 would get it.');
    // One's own row links to the setting that decided it; another's does not.
    expect(page.body).toContain('<a href="/settings/notifications/build-emails">Build e-mails: Failed builds</a>');
    expect(page.body.match(/<a href="\/settings\/notifications\/build-emails">/g)).toHaveLength(1);

    expect((await ada.get('/orgs/acme')).body).toContain(`href="${orgPage}"`);
    expect((await grace.get('/orgs/acme')).body).not.toContain(`href="${orgPage}"`);
  });

  it('refuses a member who is not an owner (403) and finds nothing for someone outside (404)', async () => {
    for (const query of ['', '?kind=issueAlert']) {
      expect((await grace.get(orgPage + query)).statusCode).toBe(403);
      expect((await mallory.get(orgPage + query)).statusCode).toBe(404);
    }
    expect((await ada.get('/orgs/elsewhere/who-gets-what')).statusCode).toBe(404);
    expect((await ada.get('/orgs/no-such-org/who-gets-what')).statusCode).toBe(404);
    expect((await ada.get('/orgs/NOT%20A%20SLUG/who-gets-what')).statusCode).toBe(404);
  });

  it('shows a member only their own row, never another member\u2019s name or address, and links from the overview', async () => {
    expect((await grace.get('/settings/notifications')).body).toContain(`href="${ownPage}"`);
    for (const query of ['', '?org=acme&kind=build&status=failed&trigger=push', `?org=acme&kind=deploy&project=${acme.project.id}&authors=grace%40work.example`, `?org=acme&kind=workflow&project=${acme.project.id}&actor=other&subscribed=${ids.grace}`]) {
      const page = await grace.get(ownPage + query);
      expect(page.statusCode, query).toBe(200);
      expect(page.body, query).not.toContain('Ada Lovelace');
      expect(page.body, query).not.toContain('ada@example.com');
    }
    const deploy = text((await grace.get(`${ownPage}?org=acme&kind=deploy&project=${acme.project.id}`)).body);
    expect(deploy).toMatch(/Grace Hopper \(you\) Yes grace@example\.com \(primary address\) Deploys: Always \(set for the organization Org acme\)/);
    const workflow = text((await grace.get(`${ownPage}?org=acme&kind=workflow&project=${acme.project.id}&actor=other`)).body);
    expect(workflow).toContain('They do not follow the issue.');
    const followed = text((await grace.get(`${ownPage}?org=acme&kind=workflow&project=${acme.project.id}&actor=other&subscribed=${ids.grace}`)).body);
    expect(followed).toMatch(/Grace Hopper \(you\) Yes grace@example\.com/);
    // Naming someone else on one's own page is refused, not answered.
    const named = await grace.get(`${ownPage}?org=acme&kind=build&status=failed&trigger=push&startedBy=${ids.ada}`);
    expect(named.statusCode).toBe(422);
    expect(named.body).not.toContain('Ada Lovelace');
    const picked = await grace.get(`${ownPage}?org=acme&kind=deploy&project=${acme.project.id}&authors=ada%40example.com`);
    expect(picked.statusCode).toBe(422);
  });

  it('answers for another of one\u2019s organizations when it is chosen, with its own projects', async () => {
    const second = await t.app.services.platform.organizations.create(actors.grace!, { name: 'Grace Works', slug: 'grace-works' });
    expect(second.ok).toBe(true);
    const project = await t.app.services.platform.organizations.createProject(actors.grace!, 'grace-works', { name: 'Compiler', slug: 'compiler' });
    expect(project.ok).toBe(true);
    // The form still carries Acme's project when the organization is switched.
    const switched = await grace.get(`${ownPage}?shown=acme&org=grace-works&kind=issueAlert&project=${acme.project.id}`, { 'hx-request': 'true' });
    expect(switched.statusCode).toBe(200);
    expect(text(switched.body)).toContain('An issue alert in Compiler');
    expect(switched.body).toContain('name="shown" value="grace-works"');
  });

  it('says so to someone in no organization, and refuses an organization they are not in', async () => {
    const none = await mallory.get(ownPage);
    expect(none.statusCode).toBe(200);
    expect(text(none.body)).toContain('You belong to no organization yet');
    const theirs = await grace.get(`${ownPage}?org=elsewhere&kind=issueAlert`);
    expect(theirs.statusCode).toBe(422);
    expect(theirs.body).not.toContain('Org elsewhere');
  });
});

describe('the question', () => {
  it('answers bad input with 422 and the message next to the field', async () => {
    const cases: Array<[string, string, string]> = [
      ['?kind=build&status=exploded', 'wgw-status', 'Choose one of the listed values.'],
      [`?kind=build&pipeline=${elsewhere.pipeline.id}`, 'wgw-pipeline', 'Choose one from the list: it must belong to this organization.'],
      ['?kind=build&pipeline=abc', 'wgw-pipeline', 'Choose one from the list: it must belong to this organization.'],
      [`?kind=issueAlert&project=${elsewhere.project.id}`, 'wgw-project', 'Choose one from the list: it must belong to this organization.'],
      ['?kind=build&startedBy=999999', 'wgw-startedBy', 'Choose people from the list: only members of this organization.'],
      [`?kind=deploy&project=${acme.project.id}&typed=not-an-address`, 'wgw-typed', 'Type e-mail addresses such as ada@example.com'],
      [`?kind=workflow&project=${acme.project.id}&subscribed=x`, 'wgw-subscribed', 'Choose people from the list'],
      ['?kind=build&kind=deploy', 'wgw-kind', 'Choose one value only.'],
      ['?kind=weather', 'wgw-kind', 'Choose one of the listed values.'],
    ];
    for (const [query, id, message] of cases) {
      const page = await ada.get(orgPage + query);
      expect(page.statusCode, query).toBe(422);
      expect(page.body, query).toMatch(new RegExp(`id="${id}"[^>]*aria-invalid="true"`));
      expect(text(page.body), query).toContain(message);
      expect(page.body, query).toContain(`<p class="field-error" id="${id}-error">`);
      expect(page.body, query).not.toContain('<table');
    }
  });

  it('with htmx answers the block alone, for the form to replace itself', async () => {
    const block = await ada.get(`${orgPage}?kind=issueAlert&project=${acme.project.id}`, { 'hx-request': 'true' });
    expect(block.statusCode).toBe(200);
    expect(block.body).not.toContain('<html');
    expect(block.body.trimStart()).toMatch(/^<div id="who-gets-what"/);
    expect(block.body).toContain('hx-push-url="true"');
    expect(text(block.body)).toContain('An issue alert in Web');
    // Going back to an answer htmx put in the history: the whole page, not the block alone.
    const restored = await ada.get(`${orgPage}?kind=issueAlert&project=${acme.project.id}`, { 'hx-request': 'true', 'hx-history-restore-request': 'true' });
    expect(restored.statusCode).toBe(200);
    expect(restored.body).toContain('<html');
    expect(text(restored.body)).toContain('An issue alert in Web');
    const refused = await ada.get(`${orgPage}?kind=build&status=exploded`, { 'hx-request': 'true' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).not.toContain('<html');
  });

  it('says when there is nothing to ask about: no project, no pipeline', async () => {
    const empty = await t.app.services.platform.organizations.create(actors.ada!, { name: 'Empty', slug: 'empty' });
    expect(empty.ok).toBe(true);
    const noPipeline = await ada.get('/orgs/empty/who-gets-what?kind=build');
    expect(noPipeline.statusCode).toBe(200);
    expect(text(noPipeline.body)).toContain('Empty has no pipeline yet.');
    const noProject = await ada.get('/orgs/empty/who-gets-what?kind=deploy');
    expect(text(noProject.body)).toContain('Empty has no project yet.');
  });
});

describe('its cost', () => {
  /** How many statements SQLite ran while `work` ran. */
  async function statementsDuring(work: () => Promise<unknown>): Promise<number> {
    const statement = Object.getPrototypeOf(sqliteOf(t.db).prepare('select 1')) as Record<'all' | 'get' | 'run' | 'iterate', (...args: unknown[]) => unknown>;
    const methods = ['all', 'get', 'run', 'iterate'] as const;
    const originals = methods.map((method) => statement[method]);
    let count = 0;
    methods.forEach((method, index) => {
      statement[method] = function counted(this: unknown, ...args: unknown[]) {
        count++;
        return originals[index]!.apply(this, args);
      };
    });
    try {
      await work();
    } finally {
      methods.forEach((method, index) => {
        statement[method] = originals[index]!;
      });
    }
    return count;
  }

  it('does not grow with the members: the same statements for 10 and for 200', async () => {
    const counts: number[] = [];
    for (const size of [10, 200]) {
      const slug = `size-${size}`;
      const made = await makeOrganization(t, actors.ada!, slug);
      const joinedAt = new Date(t.clock.now);
      for (let index = 1; index < size; index++) {
        const person = await makePerson(t, `member-${size}-${index}@example.com`, `Member ${index}`);
        await t.db.insert(memberships).values({ organizationId: made.organization.id, userId: person.userId, role: 'member', joinedAt });
        if (index % 3 === 0) await t.app.services.notificationSettings.set(person.actor, { type: 'buildEmails', scope: 'project', scopeId: made.project.id }, 'both');
      }
      const path = `/orgs/${slug}/who-gets-what?kind=build&pipeline=${made.pipeline.id}&status=failed&trigger=push`;
      const counted = await statementsDuring(async () => {
        const page = await ada.get(path);
        expect(page.statusCode).toBe(200);
        // One page of members at a time (50 by name): the answer is about those shown.
        expect(text(page.body)).toContain(`of ${Math.min(size, 50)} would get it.`);
        expect(text(page.body)).toContain(`Showing 1–${Math.min(size, 50)} of ${size} members.`);
      });
      counts.push(counted);
    }
    expect(counts[0]).toBeGreaterThan(0);
    expect(counts[1]).toBe(counts[0]);
  });
});
