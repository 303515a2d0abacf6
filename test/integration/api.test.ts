import { Validator } from '@seriousme/openapi-schema-validator';
import Database from 'better-sqlite3';
import net from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionActor } from '../../src/lib/actor.ts';
import { generateKey } from '../../src/settings/api-keys/key-format.ts';
import type { Scope } from '../../src/settings/api-keys/scopes.ts';
import { enrolTotpDirectly, makeKey } from '../support/api-keys.ts';
import { setUpAdministrator, signUp } from '../support/browser-session.ts';
import { platformEndpoints } from '../support/platform.ts';
import { rawRequest } from '../support/raw-request.ts';
import { serviceTestClient } from '../support/service-caller.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** The JSON API as a script calls it: keys, scopes, errors as problem+json, limits, the trail. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const day = 24 * 60 * 60 * 1000;

async function withAda(environment: Record<string, string> = {}) {
  t = await createTestApp(environment);
  const browser = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  const userId = (await t.app.services.users.findForLogin('ada@example.com'))!.id;
  return { browser, userId };
}

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

/** Every endpoint, with a body it accepts and the scope it needs. */
const endpoints: Array<{ method: string; url: string; scope: Scope; body?: unknown; ok: number }> = [
  { method: 'GET', url: '/api/v1/user', scope: 'user:read', ok: 200 },
  { method: 'PATCH', url: '/api/v1/user', scope: 'user:write', body: { name: 'Ada King' }, ok: 200 },
  { method: 'GET', url: '/api/v1/preferences', scope: 'preferences:read', ok: 200 },
  { method: 'PATCH', url: '/api/v1/preferences', scope: 'preferences:write', body: { theme: 'dark' }, ok: 200 },
  { method: 'GET', url: '/api/v1/emails', scope: 'emails:read', ok: 200 },
  { method: 'GET', url: '/api/v1/sessions', scope: 'user:read', ok: 200 },
  { method: 'DELETE', url: '/api/v1/sessions/:session', scope: 'user:write', ok: 204 },
  { method: 'GET', url: '/api/v1/keys', scope: 'keys:read', ok: 200 },
  { method: 'GET', url: '/api/v1/keys/:key/uses', scope: 'keys:read', ok: 200 },
  { method: 'POST', url: '/api/v1/keys', scope: 'keys:write', body: { name: 'child', scopes: ['keys:read'] }, ok: 201 },
  { method: 'DELETE', url: '/api/v1/keys/:key', scope: 'keys:write', ok: 204 },
];

describe('/api/v1 authentication, the same for every endpoint', () => {
  it.each(endpoints)('$method $url: good key, none, malformed, bad checksum, expired, revoked, wrong scope', async (endpoint) => {
    const { userId } = await withAda();
    const { session } = await t.app.services.sessions.create(userId, serviceTestClient);
    const target = await makeKey(t, userId, ['user:read'], { name: 'target' });
    const url = endpoint.url.replace(':session', session.id).replace(':key', target.id);
    const good = await makeKey(t, userId, [endpoint.scope]);
    const expiring = await makeKey(t, userId, [endpoint.scope], { expiresAt: new Date(t.clock.now + day) });
    const revoked = await makeKey(t, userId, [endpoint.scope]);
    const wrongScope = await makeKey(t, userId, [endpoint.scope === 'emails:read' ? 'user:read' : 'emails:read']);
    await t.app.services.apiKeys.revoke(revoked.actor, revoked.id, serviceTestClient);
    const body = endpoint.body;

    expectProblem(await call(endpoint.method, url, { body }), 401, 'missing-key');
    expectProblem(await call(endpoint.method, url, { key: 'hello', body }), 401, 'malformed-key');
    const badChecksum = good.secret.slice(0, -1) + (good.secret.endsWith('a') ? 'b' : 'a');
    expectProblem(await call(endpoint.method, url, { key: badChecksum, body }), 401, 'malformed-key');
    const unknown = await call(endpoint.method, url, { key: generateKey().key, body });
    expectProblem(unknown, 401, 'invalid-key');
    const gone = await call(endpoint.method, url, { key: revoked.secret, body });
    expectProblem(gone, 401, 'invalid-key');
    expect(gone.body).toBe(unknown.body);
    expect(gone.headers['www-authenticate']).toMatch(/^Bearer realm="dials"/);
    const refused = await call(endpoint.method, url, { key: wrongScope.secret, body });
    expectProblem(refused, 403, 'missing-scope');
    expect(refused.json().scope).toBe(endpoint.scope);
    t.clock.advance(day);
    const expired = await call(endpoint.method, url, { key: expiring.secret, body });
    expectProblem(expired, 401, 'invalid-key');
    expect(expired.body).toBe(unknown.body);

    const answered = await call(endpoint.method, url, { key: good.secret, body });
    expect(answered.statusCode, answered.body).toBe(endpoint.ok);
    if (endpoint.ok !== 204) expect(answered.headers['content-type']).toMatch(/^application\/json/);
    expect(answered.headers['ratelimit-policy']).toBe('"key";q=600;w=60');
    expect(answered.headers.ratelimit).toMatch(/^"key";r=\d+;t=\d+$/);
  });

  it('HTTP Basic with the key as password works like Bearer', async () => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, ['user:read']);
    const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`anything:${password}`).toString('base64')}` });
    const answered = await call('GET', '/api/v1/user', { headers: basic(key.secret) });
    expect(answered.statusCode).toBe(200);
    expect(answered.json()).toEqual({ id: userId, name: 'Ada Lovelace', email: 'ada@example.com' });
    expectProblem(await call('GET', '/api/v1/emails', { headers: basic(key.secret) }), 403, 'missing-scope');
    expectProblem(await call('GET', '/api/v1/user', { headers: basic('wrong') }), 401, 'malformed-key');
    expectProblem(await call('GET', '/api/v1/user', { headers: { authorization: 'Basic !!!' } }), 401, 'malformed-key');
    expectProblem(await call('GET', '/api/v1/user', { headers: { authorization: 'Token abc' } }), 401, 'malformed-key');
  });

  it('ignores cookies: a logged-in browser reaches nothing, and a key with a cookie acts as the key', async () => {
    const { browser, userId } = await withAda();
    expectProblem(await call('GET', '/api/v1/user', { headers: { cookie: browser.cookieHeader() } }), 401, 'missing-key');
    const key = await makeKey(t, userId, ['user:read']);
    const answered = await call('GET', '/api/v1/user', { key: key.secret, headers: { cookie: browser.cookieHeader() } });
    expect(answered.statusCode).toBe(200);
    expect(answered.headers['set-cookie']).toBeUndefined();
  });

  it('decides on the routed path, not the raw request line: absolute form and escaped letters are API calls too', async () => {
    const { browser, userId } = await withAda();
    const key = await makeKey(t, userId, ['user:write']);
    for (const target of ['http://localhost/api/v1/user', 'http://localhost/api/v1/user?x=1', '/%61pi/v1/user']) {
      const withKey = await rawRequest(t.app, [`GET ${target} HTTP/1.1`, 'Host: localhost', `Authorization: Bearer ${key.secret}`]);
      expect(withKey.status, `${target}: ${withKey.body}`).toBe(200);
      expect(JSON.parse(withKey.body)).toMatchObject({ id: userId });
      const withCookie = await rawRequest(t.app, [`GET ${target} HTTP/1.1`, 'Host: localhost', `Cookie: ${browser.cookieHeader()}`]);
      expect(withCookie.status, target).toBe(401);
      expect(JSON.parse(withCookie.body)).toMatchObject({ type: 'urn:dials:problem:missing-key' });
    }
    const renamed = await rawRequest(
      t.app,
      ['PATCH http://localhost/api/v1/user HTTP/1.1', 'Host: localhost', `Authorization: Bearer ${key.secret}`, 'Content-Type: application/json'],
      JSON.stringify({ name: 'Ada King' }),
    );
    expect(renamed.status, renamed.body).toBe(200);
    expect((await t.app.services.users.profile(userId))?.name).toBe('Ada King');
  });

  it('a key never reaches /settings or any page', async () => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, allScopesForTest());
    for (const path of ['/settings/account', '/settings/security', '/settings/emails', '/admin/outbox']) {
      const page = await call('GET', path, { key: key.secret });
      expect(page.statusCode, path).toBe(303);
      expect(page.headers.location).toMatch(/^\/login/);
    }
    const posted = await t.app.inject({
      method: 'POST',
      url: '/settings/account/details',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=Mallory',
    });
    expect(posted.statusCode).toBeGreaterThanOrEqual(300);
    expect((await t.app.services.users.profile(userId))?.name).toBe('Ada Lovelace');
  });

  it('needs no CSRF token, and refuses bodies other than JSON (what a page of another site could send)', async () => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, ['user:write']);
    const renamed = await call('PATCH', '/api/v1/user', { key: key.secret, body: { name: 'Ada King' }, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().name).toBe('Ada King');
    expectProblem(await call('PATCH', '/api/v1/user', { key: key.secret, body: 'name=Mallory', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported-media-type');
    expectProblem(await call('PATCH', '/api/v1/user', { key: key.secret, body: 'Mallory', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported-media-type');
    expect((await t.app.services.users.profile(userId))?.name).toBe('Ada King');
  });
});

function allScopesForTest(): Scope[] {
  return ['user:write', 'preferences:write', 'emails:read', 'keys:write'];
}

describe('/api/v1 headers', () => {
  const apiHeaders = {
    'content-security-policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'cache-control': 'no-store',
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
  const pageOnly = ['cross-origin-opener-policy', 'origin-agent-cluster', 'x-dns-prefetch-control', 'x-permitted-cross-domain-policies', 'x-xss-protection'];

  it('every JSON answer, a refusal or an unknown route included, may not be kept, framed, read by another site or sniffed', async () => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, ['user:read']);
    const answers = [
      await call('GET', '/api/v1/user', { key: key.secret }),
      await call('GET', '/api/v1/user'),
      await call('GET', '/api/v1/keys', { key: key.secret }),
      await call('GET', '/api/v1/nothing', { key: key.secret }),
      await call('GET', '/api/v1', { key: key.secret }),
      await call('GET', '/api/v2/user', { key: key.secret }),
    ];
    // A path the router cannot decode is refused before any hook runs.
    answers.push(await call('DELETE', '/api/v1/keys/%ZZ', { key: key.secret }));
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 401, 403, 404, 404, 404, 400]);
    for (const answer of answers) {
      expect(answer.headers).toMatchObject(apiHeaders);
      for (const name of pageOnly) expect(answer.headers[name]).toBeUndefined();
      // SECURITY.md rule 26, as for pages: no script or object (default-src covers both), no frame, no other base for links.
      const csp = String(answer.headers['content-security-policy']);
      for (const directive of ["default-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]) expect(csp).toContain(directive);
    }
  });

  it('a page path the router cannot decode still gets the pages\' headers', async () => {
    t = await createTestApp();
    const answer = await t.app.inject({ method: 'GET', url: '/settings/%ZZ' });
    expect(answer.statusCode).toBe(400);
    expect(String(answer.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });

  it('the documentation, an HTML page beside the API, keeps the pages\' headers', async () => {
    t = await createTestApp();
    for (const url of ['/api/docs/', '/api/docs']) {
      const page = await call('GET', url);
      expect(page.headers['content-security-policy'], url).toMatch(/script-src 'self';/);
      expect(page.headers['cross-origin-opener-policy'], url).toBe('same-origin');
      expect(page.headers['referrer-policy'], url).toBe('same-origin');
    }
  });

  it('over HTTPS, the JSON answers ask for HTTPS from then on too', async () => {
    const { userId } = await withAda({ PUBLIC_URL: 'https://dials.example.com' });
    const key = await makeKey(t, userId, ['user:read']);
    expect((await call('GET', '/api/v1/user', { key: key.secret })).headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  });
});

describe('/api/v1 bodies', () => {
  const writes = endpoints.filter((endpoint) => endpoint.body !== undefined);

  it.each(writes)('$method $url: bad JSON, too large, unknown fields are refused and change nothing', async (endpoint) => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, allScopesForTest());
    const before = { profile: await t.app.services.users.profile(userId), keys: (await t.app.services.apiKeys.list(key.actor)).length, preferences: await t.app.services.account.preferences(userId) };
    expectProblem(await call(endpoint.method, endpoint.url, { key: key.secret, body: '{"name": ' }), 400, 'invalid-json');
    expectProblem(await call(endpoint.method, endpoint.url, { key: key.secret, body: '' }), 400, 'invalid-json');
    expectProblem(await call(endpoint.method, endpoint.url, { key: key.secret, body: { ...(endpoint.body as object), padding: 'x'.repeat(20_000) } }), 413, 'body-too-large');
    const unknownField = await call(endpoint.method, endpoint.url, { key: key.secret, body: { ...(endpoint.body as object), role: 'admin' } });
    expectProblem(unknownField, 400, 'invalid-request');
    expect(unknownField.json().errors[0].message).toMatch(/role/);
    expectProblem(await call(endpoint.method, endpoint.url, { key: key.secret, body: '{"__proto__": {"isAdmin": true}}' }), 400, 'invalid-json');
    expectProblem(await call(endpoint.method, endpoint.url, { key: key.secret, body: [endpoint.body] }), 400, 'invalid-request');
    const after = { profile: await t.app.services.users.profile(userId), keys: (await t.app.services.apiKeys.list(key.actor)).length, preferences: await t.app.services.account.preferences(userId) };
    expect(after).toEqual(before);
  });

  it('an unknown route or method, or a URL that cannot be read, is a problem too, never a page or a 500', async () => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, ['user:write']);
    expectProblem(await call('PUT', '/api/v1/user', { key: key.secret }), 404, 'not-found');
    expectProblem(await call('POST', '/api/v1/nothing', { key: key.secret, body: {} }), 404, 'not-found');
    expectProblem(await call('DELETE', '/api/v1/keys/%ZZ', { key: key.secret }), 400, 'invalid-request');
    expectProblem(await call('GET', '/api/v2/user', { key: key.secret }), 404, 'not-found');
  });

  it('PATCH /preferences checks each value as the account page does, and saves only what is sent', async () => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, ['preferences:write']);
    const before = (await call('GET', '/api/v1/preferences', { key: key.secret })).json();
    for (const bad of [{ timeZone: 'Mars/Olympus' }, { language: 'xx' }, { theme: 'neon' }, { clock24h: 'yes' }, { dateFormat: 'roman' }, { stackTraceOrder: 'up' }]) {
      expectProblem(await call('PATCH', '/api/v1/preferences', { key: key.secret, body: bad }), 400, 'invalid-request');
    }
    expect((await call('GET', '/api/v1/preferences', { key: key.secret })).json()).toEqual(before);
    const changed = await call('PATCH', '/api/v1/preferences', { key: key.secret, body: { timeZone: 'Europe/Berlin', clock24h: true, language: 'de' } });
    expect(changed.json()).toEqual({ ...before, timeZone: 'Europe/Berlin', clock24h: true, language: 'de' });
    expect(await t.app.services.account.preferences(userId)).toMatchObject({ timeZone: 'Europe/Berlin', clock24h: true, language: 'de', theme: before.theme });
  });

  it('PATCH /user refuses a blank name with the page\'s message', async () => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, ['user:write']);
    const blank = await call('PATCH', '/api/v1/user', { key: key.secret, body: { name: '   ' } });
    expectProblem(blank, 400, 'invalid-request');
    expect(blank.json().errors[0]).toEqual({ pointer: '/name', message: expect.not.stringMatching(/^errors\./) });
  });
});

describe('/api/v1 objects of the caller only', () => {
  it("another user's session or key is not found, and nothing changes", async () => {
    const { userId } = await withAda();
    await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    const graceId = (await t.app.services.users.findForLogin('grace@example.com'))!.id;
    const graceKey = await makeKey(t, graceId, ['user:read']);
    const graceSession = (await t.app.services.sessions.listForUser(graceId))[0]!;
    const graceSessions = (await t.app.services.sessions.listForUser(graceId)).length;
    const ada = await makeKey(t, userId, ['user:write', 'keys:write']);
    expectProblem(await call('DELETE', `/api/v1/keys/${graceKey.id}`, { key: ada.secret }), 404, 'not-found');
    expectProblem(await call('GET', `/api/v1/keys/${graceKey.id}/uses`, { key: ada.secret }), 404, 'not-found');
    expectProblem(await call('DELETE', `/api/v1/sessions/${graceSession.id}`, { key: ada.secret }), 404, 'not-found');
    expectProblem(await call('DELETE', '/api/v1/keys/not-a-key', { key: ada.secret }), 400, 'invalid-request');
    expect((await call('GET', '/api/v1/user', { key: graceKey.secret })).statusCode).toBe(200);
    expect(await t.app.services.sessions.listForUser(graceId)).toHaveLength(graceSessions);
    const listed = (await call('GET', '/api/v1/keys', { key: ada.secret })).json() as Array<{ id: string }>;
    expect(listed.map((key) => key.id)).toEqual([ada.id]);
  });
});

describe('/api/v1 keys', () => {
  it('a key makes a key within its scopes; the new key works at once and is shown only in that answer', async () => {
    const { userId } = await withAda();
    const parent = await makeKey(t, userId, ['keys:write', 'user:read']);
    const wide = await call('POST', '/api/v1/keys', { key: parent.secret, body: { name: 'wide', scopes: ['user:write'] } });
    expectProblem(wide, 403, 'scope-beyond-key');
    expect(wide.json().scope).toBe('user:write');
    const made = await call('POST', '/api/v1/keys', { key: parent.secret, body: { name: 'reader', scopes: ['user:read'], expiresAt: new Date(t.clock.now + day).toISOString() } });
    expect(made.statusCode).toBe(201);
    expect(made.headers['cache-control']).toBe('no-store');
    const child = made.json();
    expect(child).toMatchObject({ name: 'reader', scopes: ['user:read'], expiresAt: new Date(t.clock.now + day).toISOString(), lastUsed: null });
    expect((await call('GET', '/api/v1/user', { key: child.key })).statusCode).toBe(200);
    const listed = await call('GET', '/api/v1/keys', { key: parent.secret });
    expect(listed.body).not.toContain(child.key);
    expect(listed.body).not.toContain(child.key.split('.')[1]);
    expectProblem(await call('POST', '/api/v1/keys', { key: parent.secret, body: { name: 'x', scopes: ['user:read'], expiresAt: new Date(t.clock.now - day).toISOString() } }), 422, 'unprocessable');
    expectProblem(await call('POST', '/api/v1/keys', { key: parent.secret, body: { name: 'x', scopes: ['root'] } }), 400, 'invalid-request');
    expectProblem(await call('POST', '/api/v1/keys', { key: parent.secret, body: { name: 'x', scopes: [] } }), 400, 'invalid-request');
  });

  it('turning on a second factor revokes the keys made before it; a key made after, past it, works', async () => {
    const { userId } = await withAda();
    const before = await makeKey(t, userId, ['keys:write', 'user:read']);
    expect((await call('GET', '/api/v1/user', { key: before.secret })).statusCode).toBe(200);
    await enrolTotpDirectly(t, userId);
    expectProblem(await call('GET', '/api/v1/user', { key: before.secret }), 401, 'invalid-key');
    expectProblem(await call('POST', '/api/v1/keys', { key: before.secret, body: { name: 'x', scopes: ['keys:read'] } }), 401, 'invalid-key');
    const after = await makeKey(t, userId, ['keys:write', 'user:read']);
    expect((await call('GET', '/api/v1/user', { key: after.secret })).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/keys', { key: after.secret, body: { name: 'x', scopes: ['keys:read'] } })).statusCode).toBe(201);
  });

  it('revocation takes effect on the very next request, the calling key included', async () => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, ['keys:write', 'user:read']);
    const other = await makeKey(t, userId, ['user:read']);
    expect((await call('GET', '/api/v1/user', { key: other.secret })).statusCode).toBe(200);
    expect((await call('DELETE', `/api/v1/keys/${other.id}`, { key: key.secret })).statusCode).toBe(204);
    expectProblem(await call('GET', '/api/v1/user', { key: other.secret }), 401, 'invalid-key');
    expect((await call('DELETE', `/api/v1/keys/${key.id}`, { key: key.secret })).statusCode).toBe(204);
    expectProblem(await call('GET', '/api/v1/user', { key: key.secret }), 401, 'invalid-key');
    const { events } = await t.app.services.securityLog.list(userId, 1, 10);
    expect(events.filter((event) => event.type === 'apiKey.revoked')).toHaveLength(2);
  });

  it('a key checked a moment ago is checked again after any change: narrowed scopes and expiry hold on the next call', async () => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, ['user:read', 'emails:read'], { expiresAt: new Date(t.clock.now + 2000) });
    expect((await call('GET', '/api/v1/user', { key: key.secret })).statusCode).toBe(200);
    expect((await t.app.services.apiKeys.setScopes(key.actor, key.id, ['emails:read'], serviceTestClient)).ok).toBe(true);
    expectProblem(await call('GET', '/api/v1/user', { key: key.secret }), 403, 'missing-scope');
    expect((await call('GET', '/api/v1/emails', { key: key.secret })).statusCode).toBe(200);
    t.clock.advance(2500);
    expectProblem(await call('GET', '/api/v1/emails', { key: key.secret }), 401, 'invalid-key');
  });

  it('a key deleted from the database file by another process is refused on the next call (SQLITE_LOCKING=normal)', async () => {
    const { userId } = await withAda({ SQLITE_LOCKING: 'normal' });
    const key = await makeKey(t, userId, ['user:read']);
    expect((await call('GET', '/api/v1/user', { key: key.secret })).statusCode).toBe(200);
    const other = new Database(t.config.databaseFile);
    try {
      expect(other.prepare('DELETE FROM api_keys WHERE id = ?').run(key.id).changes).toBe(1);
    } finally {
      other.close();
    }
    expectProblem(await call('GET', '/api/v1/user', { key: key.secret }), 401, 'invalid-key');
  });

  it('notes a call whose client hung up before the answer: what it changed is in the trail', async () => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, ['user:read', 'user:write']);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as net.AddressInfo;
    const body = JSON.stringify({ name: 'Mallory' });
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.write(
      `PATCH /api/v1/user HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key.secret}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    socket.resetAndDestroy();
    await expect.poll(async () => (await t.app.services.users.profile(userId))?.name).toBe('Mallory');
    await expect.poll(async () => (await t.app.services.apiKeys.uses(key.actor, key.id)).map((use) => `${use.method} ${use.path}`)).toEqual(['PATCH /api/v1/user']);
  });

  it('keeps the newest 100 calls of a key in its trail, however many came in one go', async () => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, ['user:read', 'keys:read']);
    for (let call_ = 1; call_ <= 250; call_++) await call('GET', `/api/v1/user?call=${call_}`, { key: key.secret });
    const uses = await t.app.services.apiKeys.uses(key.actor, key.id);
    expect(uses).toHaveLength(100);
    expect(uses[0]?.path).toBe('/api/v1/user?call=250');
    expect(uses.at(-1)?.path).toBe('/api/v1/user?call=151');
  });

  it('writes last used and the trail of calls, refused ones included', async () => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, ['keys:read']);
    await call('GET', '/api/v1/keys', { key: key.secret, headers: { 'user-agent': 'deploy-script/1.0' } });
    t.clock.advance(60_000);
    await call('GET', '/api/v1/user', { key: key.secret, headers: { 'user-agent': 'deploy-script/1.1' } });
    const [listed] = (await call('GET', '/api/v1/keys', { key: key.secret })).json() as Array<{ lastUsed: { at: string; ipAddress: string; userAgent: string } }>;
    expect(listed?.lastUsed).toEqual({ at: new Date(t.clock.now).toISOString(), ipAddress: '127.0.0.1', userAgent: 'deploy-script/1.1' });
    const uses = (await call('GET', `/api/v1/keys/${key.id}/uses`, { key: key.secret })).json() as Array<{ method: string; path: string; status: number }>;
    expect(uses.map((use) => `${use.method} ${use.path} ${use.status}`)).toEqual(['GET /api/v1/keys 200', 'GET /api/v1/user 403', 'GET /api/v1/keys 200']);
    expect(await t.app.services.apiKeys.uses(sessionActor(userId, { id: 'x', reauthenticatedAt: null }), key.id)).toHaveLength(4);
  });
});

describe('/api/v1 limits', () => {
  it('limits calls per key with RateLimit headers and Retry-After; another key is unaffected', async () => {
    const { userId } = await withAda({ API_RATE_LIMIT_PER_MINUTE: '3' });
    const key = await makeKey(t, userId, ['user:read']);
    const other = await makeKey(t, userId, ['user:read']);
    const remaining = [];
    for (let index = 0; index < 3; index++) remaining.push((await call('GET', '/api/v1/user', { key: key.secret })).headers.ratelimit);
    expect(remaining.map((value) => String(value).split(';')[1])).toEqual(['r=2', 'r=1', 'r=0']);
    const limited = await call('GET', '/api/v1/user', { key: key.secret });
    expectProblem(limited, 429, 'too-many-requests');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-policy']).toBe('"key";q=3;w=60');
    expect((await call('GET', '/api/v1/user', { key: other.secret })).statusCode).toBe(200);
  });

  it('limits refused calls per client address: 60 a minute, then 429 with Retry-After; another address is unaffected', async () => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, ['user:read']);
    const from = (remoteAddress: string, secret: string) =>
      t.app.inject({ method: 'GET', url: '/api/v1/user', remoteAddress, headers: { authorization: `Bearer ${secret}` } });
    for (let index = 0; index < 60; index++) expectProblem(await from('203.0.113.7', generateKey().key), 401, 'invalid-key');
    const limited = await from('203.0.113.7', generateKey().key);
    expectProblem(limited, 429, 'too-many-refusals');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-policy']).toBe('"refused";q=60;w=60');
    expect(String(limited.headers.ratelimit)).toMatch(/^"refused";r=0;t=\d+$/);
    expectProblem(await from('203.0.113.7', 'hello'), 429, 'too-many-refusals');
    expectProblem(await from('198.51.100.4', generateKey().key), 401, 'invalid-key');
    expect((await from('203.0.113.7', key.secret)).statusCode).toBe(200);
  });
});

describe('/api/v1 OpenAPI document', () => {
  it('validates against the OpenAPI 3.1 schema and lists every route under /api/v1, the platform\'s included', async () => {
    t = await createTestApp();
    const response = await call('GET', '/api/v1/openapi.json');
    expect(response.statusCode).toBe(200);
    const document = response.json();
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const listed = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const routes = [
      ...endpoints.map((endpoint) => `${endpoint.method} ${endpoint.url.replace(':session', '{id}').replace(':key', '{id}')}`),
      ...platformEndpoints.map((endpoint) => `${endpoint.method} ${endpoint.url}`),
    ];
    expect(listed.sort()).toEqual([...new Set(routes)].sort());
  });

  it('is shown at /api/docs from the package, under the same CSP, with no inline script', async () => {
    t = await createTestApp();
    const page = await call('GET', '/api/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self';/);
    expect(page.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    for (const asset of page.body.matchAll(/(?:src|href)="\.\/([^"]+)"/g)) {
      expect((await call('GET', `/api/docs/${asset[1]}`)).statusCode, asset[1]).toBe(200);
    }
    const redirected = await call('GET', '/api/docs');
    expect([200, 302]).toContain(redirected.statusCode);
  });

  it('forwards only paths that stay under /api/docs once resolved: dot segments never reach the routes behind it', async () => {
    const { userId } = await withAda();
    const key = await makeKey(t, userId, ['keys:read']);
    for (const target of ['/api/docs/../v1/openapi.json', '/api/docs/%2e%2e/v1/openapi.json', '/api/docs/%2E%2E/v1/keys', '/api/docs/x/../../v1/keys']) {
      const answer = await rawRequest(t.app, [`GET ${target} HTTP/1.1`, 'Host: localhost', `Authorization: Bearer ${key.secret}`]);
      expect(answer.status, `${target}: ${answer.body}`).toBe(404);
      expect(answer.headers['content-type'], target).toMatch(/^application\/problem\+json/);
      expect(answer.body, target).not.toContain('openapi');
    }
    const inside = await rawRequest(t.app, ['GET /api/docs/x/../ HTTP/1.1', 'Host: localhost']);
    expect(inside.status).toBe(200);
  });
});
