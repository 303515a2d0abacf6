import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, setUpAdministrator, signUp } from '../support/browser-session.ts';
import { shownText } from '../support/html-text.ts';
import { makeKey } from '../support/api-keys.ts';
import { confirmPrimaryAddress, makeOrganization, makePerson, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Invitations instead of adding people: an owner's answer never tells whether an address has an
 * account, nobody joins without accepting, and only the person who confirmed the address sees it.
 */

let t: TestApp;

function call(method: string, url: string, key: string, body?: unknown): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return t.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload }) });
}

function expectProblem(response: LightMyRequestResponse, status: number, type: string) {
  expect(response.statusCode, response.body).toBe(status);
  expect(response.json()).toMatchObject({ type: `urn:dials:problem:${type}`, status });
}

const scopes = ['organizations:read', 'organizations:write'] as const;

describe('invitations through the API', () => {
  afterEach(async () => {
    await t.close();
  });

  /** Ada owns `engines`; Grace (address confirmed) and Linus (address not confirmed) have accounts; Eve is in nothing. */
  async function world() {
    t = await createTestApp();
    const ada = await makePerson(t, 'ada@example.com', 'Ada Lovelace');
    const grace = await makePerson(t, 'grace@example.com', 'Grace Hopper');
    const linus = await makePerson(t, 'linus@example.com', 'Linus Torvalds');
    const eve = await makePerson(t, 'eve@example.com', 'Eve Outsider');
    await confirmPrimaryAddress(t, grace.userId);
    await confirmPrimaryAddress(t, eve.userId);
    await makeOrganization(t, ada.actor, 'engines');
    const keys = {
      ada: (await makeKey(t, ada.userId, [...scopes])).secret,
      grace: (await makeKey(t, grace.userId, [...scopes])).secret,
      linus: (await makeKey(t, linus.userId, [...scopes])).secret,
      eve: (await makeKey(t, eve.userId, [...scopes])).secret,
    };
    return { ada, grace, linus, eve, keys };
  }

  it("an invitation made by an owner who was removed or demoted, or older than 30 days, can no longer be accepted", async () => {
    const { ada, grace, keys } = await world();
    // Grace joins as owner and invites Eve as owner; then Ada removes Grace.
    const toGrace = (await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'grace@example.com', role: 'owner' })).json() as { id: number };
    expect((await call('POST', `/api/v1/invitations/${toGrace.id}/accept`, keys.grace)).statusCode).toBe(200);
    const toEve = (await call('POST', '/api/v1/orgs/engines/members', keys.grace, { email: 'eve@example.com', role: 'owner' })).json() as { id: number };
    expect((await call('DELETE', `/api/v1/orgs/engines/members/${grace.userId}`, keys.ada)).statusCode).toBe(204);
    expect((await call('GET', '/api/v1/invitations', keys.eve)).json()).toEqual([]);
    expect((await call('GET', '/api/v1/orgs/engines/invitations', keys.ada)).json()).toEqual([]);
    expectProblem(await call('POST', `/api/v1/invitations/${toEve.id}/accept`, keys.eve), 404, 'not-found');

    // Invited again by Ada, it holds; 30 days later it has lapsed.
    const again = (await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'eve@example.com', role: 'member' })).json() as { id: number };
    expect(((await call('GET', '/api/v1/invitations', keys.eve)).json() as unknown[]).length).toBe(1);
    t.clock.advance(31 * 24 * 60 * 60 * 1000);
    expectProblem(await call('POST', `/api/v1/invitations/${again.id}/accept`, keys.eve), 404, 'not-found');
    expect(ada.userId).toBeGreaterThan(0);
  });

  it("tells a member's log-in address apart, and no other address of theirs", async () => {
    const { grace, keys } = await world();
    const toGrace = (await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'grace@example.com', role: 'member' })).json() as { id: number };
    expect((await call('POST', `/api/v1/invitations/${toGrace.id}/accept`, keys.grace)).statusCode).toBe(200);
    const { userEmails } = await import('../../src/auth/tables.ts');
    await t.db.insert(userEmails).values({ userId: grace.userId, address: 'grace.private@secret.example', isPrimary: false, verifiedAt: new Date(t.clock.now), createdAt: new Date(t.clock.now) });
    expect((await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'grace@example.com', role: 'member' })).statusCode).toBe(409);
    const secondAddress = await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'grace.private@secret.example', role: 'member' });
    const nobody = await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'random@secret.example', role: 'member' });
    expect([secondAddress.statusCode, nobody.statusCode]).toEqual([202, 202]);
  });

  it('answers a known and an unknown address alike (202, the invitation, no name) and writes the same kind of row; no mail is sent', async () => {
    const { ada, keys } = await world();
    const mailsBefore = (await rowsOf(t, 'mail_outbox')).length;
    const known = await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: ' Grace@Example.com ', role: 'owner' });
    const unknown = await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'nobody@example.com', role: 'owner' });
    for (const [answer, email] of [
      [known, 'grace@example.com'],
      [unknown, 'nobody@example.com'],
    ] as const) {
      expect(answer.statusCode, answer.body).toBe(202);
      expect(answer.json()).toEqual({ id: expect.any(Number), email, role: 'owner', invitedAt: new Date(t.clock.now).toISOString() });
      expect(answer.body).not.toMatch(/Grace Hopper|userId|name/);
    }
    expect(Object.keys(known.json())).toEqual(Object.keys(unknown.json()));
    const rows = await rowsOf(t, 'organization_invitations');
    expect(rows.map((row) => [row.address, row.role, row.invited_by])).toEqual([
      ['grace@example.com', 'owner', ada.userId],
      ['nobody@example.com', 'owner', ada.userId],
    ]);
    expect(Object.keys(rows[0]!)).toEqual(Object.keys(rows[1]!));
    expect((await rowsOf(t, 'organization_members')).map((row) => row.user_id)).toEqual([ada.userId]);
    expect((await rowsOf(t, 'mail_outbox')).length).toBe(mailsBefore);

    // Inviting again changes the role of the one invitation.
    const again = await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'grace@example.com', role: 'member' });
    expect(again.statusCode).toBe(202);
    expect(again.json()).toMatchObject({ id: known.json().id, role: 'member' });
    const pending = await call('GET', '/api/v1/orgs/engines/invitations', keys.ada);
    expect(pending.json().map((each: { email: string; role: string }) => [each.email, each.role])).toEqual([
      ['grace@example.com', 'member'],
      ['nobody@example.com', 'owner'],
    ]);
    // A current member's address is refused.
    expectProblem(await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'ada@example.com' }), 409, 'conflict');
  });

  it('the person who confirmed the address sees it and accepts: a member with the invited role; nobody else can', async () => {
    const { ada, grace, keys } = await world();
    const id = (await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'grace@example.com', role: 'owner' })).json().id as number;
    const seen = await call('GET', '/api/v1/invitations', keys.grace);
    expect(seen.json()).toEqual([{ id, organization: { name: 'Org engines', slug: 'engines' }, role: 'owner', invitedBy: 'Ada Lovelace', invitedAt: expect.any(String) }]);
    for (const other of [keys.eve, keys.linus, keys.ada]) {
      expect((await call('GET', '/api/v1/invitations', other)).json()).toEqual([]);
      expectProblem(await call('POST', `/api/v1/invitations/${id}/accept`, other), 404, 'not-found');
      expectProblem(await call('POST', `/api/v1/invitations/${id}/decline`, other), 404, 'not-found');
    }
    const accepted = await call('POST', `/api/v1/invitations/${id}/accept`, keys.grace);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ slug: 'engines', role: 'owner' });
    const members = (await call('GET', '/api/v1/orgs/engines/members', keys.grace)).json() as Array<{ userId: number; role: string }>;
    expect(members.map((member) => [member.userId, member.role])).toEqual([
      [ada.userId, 'owner'],
      [grace.userId, 'owner'],
    ]);
    expect(await rowsOf(t, 'organization_invitations')).toEqual([]);
    expectProblem(await call('POST', `/api/v1/invitations/${id}/accept`, keys.grace), 404, 'not-found');
  });

  it('an unconfirmed address does not see its invitation; a confirmed second address does', async () => {
    const { grace, keys } = await world();
    const toLinus = (await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'linus@example.com' })).json().id as number;
    expect((await call('GET', '/api/v1/invitations', keys.linus)).json()).toEqual([]);
    expectProblem(await call('POST', `/api/v1/invitations/${toLinus}/accept`, keys.linus), 404, 'not-found');

    const added = await t.app.services.emailAddresses.add(grace.userId, 'hopper@example.org');
    if (typeof added !== 'object') throw new Error(added);
    const toSecond = (await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'hopper@example.org' })).json().id as number;
    expect((await call('GET', '/api/v1/invitations', keys.grace)).json()).toEqual([]);
    await t.app.services.emailAddresses.markVerified(grace.userId, added.id);
    expect((await call('GET', '/api/v1/invitations', keys.grace)).json().map((each: { id: number }) => each.id)).toEqual([toSecond]);
  });

  it('the invited person declines; an owner cancels; a member cannot invite, list or cancel (403); an outsider gets 404', async () => {
    const { grace, keys } = await world();
    const first = (await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'grace@example.com' })).json().id as number;
    expect((await call('POST', `/api/v1/invitations/${first}/decline`, keys.grace)).statusCode).toBe(204);
    expect(await rowsOf(t, 'organization_invitations')).toEqual([]);
    expect((await rowsOf(t, 'organization_members')).some((row) => row.user_id === grace.userId)).toBe(false);

    const second = (await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'grace@example.com' })).json().id as number;
    expectProblem(await call('DELETE', `/api/v1/orgs/engines/invitations/${second}`, keys.eve), 404, 'not-found');
    expect((await call('DELETE', `/api/v1/orgs/engines/invitations/${second}`, keys.ada)).statusCode).toBe(204);
    expectProblem(await call('DELETE', `/api/v1/orgs/engines/invitations/${second}`, keys.ada), 404, 'not-found');
    expectProblem(await call('POST', `/api/v1/invitations/${second}/accept`, keys.grace), 404, 'not-found');

    const third = (await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'grace@example.com' })).json().id as number;
    expect((await call('POST', `/api/v1/invitations/${third}/accept`, keys.grace)).statusCode).toBe(200);
    const pending = (await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email: 'someone@example.com' })).json().id as number;
    expectProblem(await call('POST', '/api/v1/orgs/engines/members', keys.grace, { email: 'eve@example.com' }), 403, 'role-required');
    expectProblem(await call('GET', '/api/v1/orgs/engines/invitations', keys.grace), 403, 'role-required');
    expectProblem(await call('DELETE', `/api/v1/orgs/engines/invitations/${pending}`, keys.grace), 403, 'role-required');
    for (const [method, url, body] of [
      ['POST', '/api/v1/orgs/engines/members', { email: 'eve@example.com' }],
      ['GET', '/api/v1/orgs/engines/invitations', undefined],
      ['DELETE', `/api/v1/orgs/engines/invitations/${pending}`, undefined],
    ] as const) {
      const answer = await call(method, url, keys.eve, body);
      expectProblem(answer, 404, 'not-found');
      expect(answer.body).not.toMatch(/owner|member/i);
    }
    expect((await rowsOf(t, 'organization_invitations')).map((row) => row.id)).toEqual([pending]);
  });

  it('no odd input is a 500', async () => {
    const { keys } = await world();
    for (const email of [null, '', ' ', 0, true, [], {}, 'a@b', 'ü\u0000\ud800@example.com', `${'x'.repeat(300)}@example.com`, '"quoted"@example.com', { __proto__: { admin: true } }]) {
      const answer = await call('POST', '/api/v1/orgs/engines/members', keys.ada, { email });
      expect(answer.statusCode, JSON.stringify(email)).toBeLessThan(500);
    }
    for (const payload of ['{"__proto__": {"admin": true}}', '[]', 'null', '{"a":'.repeat(50)]) {
      expect((await call('POST', '/api/v1/orgs/engines/members', keys.ada, payload)).statusCode, payload).toBeLessThan(500);
    }
    for (const id of ['0', '-1', 'abc', '1.5', '1e3', '9'.repeat(40), '%00']) {
      for (const [method, url] of [
        ['POST', `/api/v1/invitations/${id}/accept`],
        ['POST', `/api/v1/invitations/${id}/decline`],
        ['DELETE', `/api/v1/orgs/engines/invitations/${id}`],
      ] as const) {
        const answer = await call(method, url, keys.grace);
        expect(answer.statusCode, `${method} ${url}`).toBeGreaterThanOrEqual(400);
        expect(answer.statusCode, `${method} ${url}`).toBeLessThan(500);
      }
    }
  });
});

describe('invitations on the pages', () => {
  let ada: BrowserSession;
  let grace: BrowserSession;
  let mallory: BrowserSession;
  const invitationIdIn = (answer: LightMyRequestResponse) => Number(new URL(answer.headers.location as string, 'http://x').searchParams.get('invited'));

  beforeAll(async () => {
    t = await createTestApp();
    ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
    grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    mallory = await signUp(t.app, { email: 'mallory@example.com', name: 'Mallory Outsider' });
    expect((await ada.post('/orgs', { name: 'Acme', slug: 'acme' })).statusCode).toBe(303);
  });
  afterAll(async () => {
    await t.close();
  });

  it('an owner sees pending invitations (address, role, when) and cancels one', async () => {
    const invited = await ada.post('/orgs/acme/members', { email: 'someone@example.com', role: 'owner' });
    const id = invitationIdIn(invited);
    const page = await ada.get('/orgs/acme');
    const text = shownText(page.body);
    expect(text).toContain('Pending invitations');
    expect(text).toContain('someone@example.com');
    expect(page.body).toMatch(/<td data-label="Role">Owner<\/td>\s*<td data-label="Invited"><time datetime=/);
    expect(page.body).toContain(`action="/orgs/acme/invitations/${id}/cancel"`);
    // A made-up invitation number in the address says nothing.
    expect(shownText((await ada.get('/orgs/acme?invited=999999')).body)).not.toContain('Invited someone');
    expect(shownText((await ada.get('/orgs/acme?invited=abc')).body)).not.toContain('Invited someone');
    expect(shownText((await ada.get(invited.headers.location as string)).body)).toContain('Invited someone@example.com.');

    expect((await ada.post(`/orgs/acme/invitations/${id}/cancel`, {}, { csrf: false })).statusCode).toBe(403);
    const cancelled = await ada.post(`/orgs/acme/invitations/${id}/cancel`, {});
    expect(cancelled.statusCode).toBe(303);
    expect(cancelled.headers.location).toBe('/orgs/acme');
    const after = shownText((await ada.get('/orgs/acme')).body);
    expect(after).toContain('Invitation cancelled.');
    expect(after).toContain('No pending invitations.');
    expect((await ada.post(`/orgs/acme/invitations/${id}/cancel`, {})).statusCode).toBe(404);
  });

  it('the invited person declines on /orgs; another person cannot answer it (404); forms without CSRF are 403', async () => {
    const id = invitationIdIn(await ada.post('/orgs/acme/members', { email: 'grace@example.com', role: 'member' }));
    expect(shownText((await mallory.get('/orgs')).body)).not.toContain('Acme');
    expect((await mallory.post(`/invitations/${id}/accept`, {})).statusCode).toBe(404);
    expect((await mallory.post(`/invitations/${id}/decline`, {})).statusCode).toBe(404);
    for (const path of [`/invitations/${id}/accept`, `/invitations/${id}/decline`, `/orgs/acme/invitations/${id}/cancel`]) {
      expect((await grace.post(path, {}, { csrf: false })).statusCode, path).toBe(403);
    }
    expect(shownText((await grace.get('/orgs')).body)).toContain('Invitations for you');
    const declined = await grace.post(`/invitations/${id}/decline`, {});
    expect(declined.statusCode).toBe(303);
    expect(declined.headers.location).toBe('/orgs');
    const list = shownText((await grace.get('/orgs')).body);
    expect(list).toContain('Invitation declined.');
    expect(list).not.toContain('Invitations for you');
    expect(await rowsOf(t, 'organization_invitations')).toEqual([]);
    expect((await grace.get('/orgs/acme')).statusCode).toBe(404);
  });

  it('a member cannot invite or cancel (the owners-only page, 403); an outsider gets 404; odd ids are 404', async () => {
    const id = invitationIdIn(await ada.post('/orgs/acme/members', { email: 'grace@example.com', role: 'member' }));
    expect((await grace.post(`/invitations/${id}/accept`, {})).headers.location).toBe('/orgs/acme');
    const pending = invitationIdIn(await ada.post('/orgs/acme/members', { email: 'later@example.com', role: 'member' }));
    const page = await grace.get('/orgs/acme');
    expect(page.body).not.toContain('Pending invitations');
    expect(page.body).not.toContain('later@example.com');
    const refused = await grace.post('/orgs/acme/members', { email: 'mallory@example.com', role: 'member' });
    expect(refused.statusCode).toBe(403);
    expect(shownText(refused.body)).toContain('Only an owner of this organization can do this.');
    expect((await grace.post(`/orgs/acme/invitations/${pending}/cancel`, {})).statusCode).toBe(403);
    expect((await mallory.post('/orgs/acme/members', { email: 'mallory@example.com', role: 'owner' })).statusCode).toBe(404);
    expect((await mallory.post(`/orgs/acme/invitations/${pending}/cancel`, {})).statusCode).toBe(404);
    expect((await rowsOf(t, 'organization_invitations')).map((row) => row.address)).toEqual(['later@example.com']);
    for (const odd of ['0', '-1', 'abc', '1.5', '9'.repeat(40), '%00']) {
      for (const path of [`/invitations/${odd}/accept`, `/invitations/${odd}/decline`, `/orgs/acme/invitations/${odd}/cancel`]) {
        expect((await ada.post(path, {})).statusCode, path).toBe(404);
      }
    }
  });
});
