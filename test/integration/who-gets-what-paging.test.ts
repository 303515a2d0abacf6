import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { userEmails } from '../../src/auth/tables.ts';
import { systemActor, type Actor } from '../../src/lib/actor.ts';
import { memberships } from '../../src/platform/tables.ts';
import { logIn, setUpAdministrator, signUp, type BrowserSession } from '../support/browser-session.ts';
import { shownText } from '../support/html-text.ts';
import { confirmPrimaryAddress, makeOrganization, makePerson, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * "Who gets what" in an organization of 230: the owner's look a page of 50 members at a time, the
 * pickers bounded, one's own look reading only oneself, and no member's secondary addresses shown
 * to an owner unless routing picked one for the event asked about.
 */

let t: TestApp;
let ada: BrowserSession;
let adaActor: Actor;
let grace: { userId: number; actor: Actor };
let graceSession: BrowserSession;
let acme: Awaited<ReturnType<typeof makeOrganization>>;
const orgPage = '/orgs/acme/who-gets-what';
const ownPage = '/settings/notifications/who-gets-what';
const total = 230;

const text = (html: string) => shownText(html).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const rowNames = (html: string) => [...html.matchAll(/<th scope="row">([^<]*)<\/th>/g)].map((match) => match[1]);
const nextLink = (html: string) => /<a href="([^"]+)" rel="next">/.exec(html)?.[1]?.replaceAll('&amp;', '&') ?? null;
const previousLink = (html: string) => /<a href="([^"]+)" rel="prev">/.exec(html)?.[1]?.replaceAll('&amp;', '&') ?? null;
const memberName = (index: number) => `Member ${String(index).padStart(3, '0')}`;

beforeAll(async () => {
  t = await createTestApp();
  await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  const adaId = (await rowsOf(t, 'users')).find((row) => row.email === 'ada@example.com')?.id as number;
  adaActor = systemActor(adaId, 'who gets what paging test');
  await confirmPrimaryAddress(t, adaId);
  acme = await makeOrganization(t, adaActor, 'acme');
  const joinedAt = new Date(t.clock.now);
  graceSession = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
  const graceId = (await rowsOf(t, 'users')).find((row) => row.email === 'grace@example.com')?.id as number;
  grace = { userId: graceId, actor: systemActor(graceId, 'who gets what paging test') };
  await confirmPrimaryAddress(t, grace.userId);
  await t.db.insert(userEmails).values({ userId: grace.userId, address: 'grace@work.example', isPrimary: false, verifiedAt: joinedAt, createdAt: joinedAt });
  await t.db.insert(memberships).values({ organizationId: acme.organization.id, userId: grace.userId, role: 'member', joinedAt });
  // Made in another order than their names', so the order shown is the names'.
  for (let index = total - 2; index >= 1; index--) {
    const person = await makePerson(t, `member-${index}@example.com`, memberName(index));
    await t.db.insert(memberships).values({ organizationId: acme.organization.id, userId: person.userId, role: 'member', joinedAt });
  }
  ada = (await logIn(t.app, 'ada@example.com')).browser;
});
afterAll(async () => {
  await t.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('the owner’s look, a page of members at a time', () => {
  it('shows 50 members by name, says which, and pages with Previous and Next links that keep the question', async () => {
    const first = await ada.get(`${orgPage}?kind=build&pipeline=${acme.pipeline.id}&status=success&trigger=manual`);
    expect(first.statusCode).toBe(200);
    expect(text(first.body)).toContain('Showing 1–50 of 230 members.');
    expect(rowNames(first.body)).toEqual(['Ada Lovelace (you)', 'Grace Hopper', ...Array.from({ length: 48 }, (_, index) => memberName(index + 1))]);
    expect(previousLink(first.body)).toBeNull();
    const next = nextLink(first.body);
    expect(next).not.toBeNull();
    const nextUrl = new URL(next ?? '', 'http://x');
    expect(nextUrl.pathname).toBe(orgPage);
    expect(Object.fromEntries(nextUrl.searchParams)).toEqual({ kind: 'build', pipeline: String(acme.pipeline.id), status: 'success', trigger: 'manual', page: '2' });

    const second = await ada.get(next ?? '');
    expect(second.statusCode).toBe(200);
    expect(text(second.body)).toContain('Showing 51–100 of 230 members.');
    expect(text(second.body)).toContain('Successful build of Web / main, triggered by: Someone, by hand');
    expect(rowNames(second.body)).toEqual(Array.from({ length: 50 }, (_, index) => memberName(index + 49)));
    expect(previousLink(second.body)).toBe(`${orgPage}?kind=build&pipeline=${acme.pipeline.id}&status=success&trigger=manual&page=1`);

    const last = await ada.get(`${orgPage}?kind=build&pipeline=${acme.pipeline.id}&page=5`);
    expect(text(last.body)).toContain('Showing 201–230 of 230 members.');
    expect(rowNames(last.body)).toHaveLength(30);
    expect(nextLink(last.body)).toBeNull();
    expect((await ada.get(`${orgPage}?kind=build&pipeline=${acme.pipeline.id}&page=6`)).statusCode).toBe(404);
    // A page that is not a number is the first.
    expect(text((await ada.get(`${orgPage}?kind=build&page=two`)).body)).toContain('Showing 1–50 of 230 members.');
  });

  it('reads the settings and addresses of that page’s members only', async () => {
    const rowsOfEach = vi.spyOn(t.app.services.notificationSettings, 'rowsOfEach');
    const listOfEach = vi.spyOn(t.app.services.emailAddresses, 'listOfEach');
    const page = await ada.get(`${orgPage}?kind=issueAlert&project=${acme.project.id}&page=3`);
    expect(page.statusCode).toBe(200);
    const shownIds = (await rowsOf(t, 'users')).filter((row) => rowNames(page.body).includes(row.name as string)).map((row) => row.id);
    expect(shownIds).toHaveLength(50);
    expect(rowsOfEach).toHaveBeenCalledTimes(1);
    expect([...(rowsOfEach.mock.calls[0]?.[0] ?? [])].sort()).toEqual([...shownIds].sort());
    expect(listOfEach).toHaveBeenCalledTimes(1);
    expect([...(listOfEach.mock.calls[0]?.[0] ?? [])].sort()).toEqual([...shownIds].sort());
  });

  it('offers at most the first 50 members by name to pick who started a build, who acted, who follows', async () => {
    const build = await ada.get(`${orgPage}?kind=build&page=3`);
    const startedBy = /<select id="wgw-startedBy"[\s\S]*?<\/select>/.exec(build.body)?.[0] ?? '';
    expect(startedBy.match(/<option /g)).toHaveLength(52);
    expect(startedBy).toContain('>Member 048</option>');
    expect(startedBy).not.toContain('Member 049');
    expect(text(build.body)).toContain('Lists the first 50 members by name.');
    const workflow = await ada.get(`${orgPage}?kind=workflow&project=${acme.project.id}`);
    for (const field of ['actor', 'subscribed']) {
      const select = new RegExp(`<select id="wgw-${field}"[\\s\\S]*?</select>`).exec(workflow.body)?.[0] ?? '';
      expect(select.match(/<option /g)?.length, field).toBeLessThanOrEqual(52);
    }
  });
});

describe('addresses an owner sees', () => {
  it('offers each member by their primary address alone, never their other verified ones', async () => {
    const page = await ada.get(`${orgPage}?kind=deploy&project=${acme.project.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<option value="grace@example\.com">Grace Hopper<\/option>/);
    expect(page.body).not.toContain('grace@work.example');
    expect(text(page.body)).toContain('Commits by members (their primary address)');
    // A member picked means their primary address; any other is typed.
    const picked = await ada.get(`${orgPage}?kind=deploy&project=${acme.project.id}&authors=grace%40example.com`);
    expect(picked.statusCode).toBe(200);
    expect(text(picked.body)).toMatch(/Grace Hopper Yes grace@example\.com/);
    const smuggled = await ada.get(`${orgPage}?kind=deploy&project=${acme.project.id}&authors=grace%40work.example`);
    expect(smuggled.statusCode).toBe(422);
    const typed = await ada.get(`${orgPage}?kind=deploy&project=${acme.project.id}&typed=someone%40elsewhere.example`);
    expect(typed.statusCode).toBe(200);
  });

  it('shows a secondary address only as the routed address of the answer', async () => {
    const routing = { type: 'emailRouting' as const, scope: 'project' as const, scopeId: acme.project.id };
    expect((await t.app.services.notificationSettings.set(grace.actor, routing, 'grace@work.example')).ok).toBe(true);
    await t.app.services.notificationSettings.set(grace.actor, { type: 'deploys', scope: 'organization', scopeId: acme.organization.id }, 'always');
    try {
      const page = await ada.get(`${orgPage}?kind=deploy&project=${acme.project.id}`);
      expect(text(page.body)).toMatch(/Grace Hopper Yes grace@work\.example/);
      expect(page.body.match(/grace@work\.example/g)).toHaveLength(1);
      expect(page.body).not.toContain('value="grace@work.example"');
    } finally {
      await t.app.services.notificationSettings.remove(grace.actor, routing);
    }
  });
});

describe('one’s own look', () => {
  it('reads only one’s own membership, settings and addresses, and offers one’s own addresses', async () => {
    const profiles = vi.spyOn(t.app.services.users, 'profiles');
    const rowsOfEach = vi.spyOn(t.app.services.notificationSettings, 'rowsOfEach');
    const listOfEach = vi.spyOn(t.app.services.emailAddresses, 'listOfEach');
    const page = await graceSession.get(`${ownPage}?org=acme&kind=deploy&project=${acme.project.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<option value="grace@work.example">grace@work.example</option>');
    expect(page.body).not.toContain('Member 001');
    expect(page.body).not.toContain('Showing');
    for (const call of profiles.mock.calls) expect(call[0]).toEqual([grace.userId]);
    expect(rowsOfEach.mock.calls.map((call) => call[0])).toEqual([[grace.userId]]);
    expect(listOfEach.mock.calls.map((call) => call[0])).toEqual([[grace.userId]]);
  });
});
