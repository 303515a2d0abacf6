import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionStore, type SessionStore } from '../../src/auth/sessions.ts';
import { createUserDirectory } from '../../src/auth/users.ts';
import { closeDatabase, openDatabase, type Db } from '../../src/db/client.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { isReauthenticated, sessionActor, sessionIdOf, systemActor, type Actor } from '../../src/lib/actor.ts';
import { cookieNames } from '../../src/web/cookies.ts';
import { registerSessionLayer, sessionCookieAuthenticator, type Authenticator } from '../../src/web/session.ts';
import { anonymousPreferences } from '../../src/web/viewer.ts';
import '../../src/web/request-types.ts';

const hour = 60 * 60 * 1000;
const cookies = cookieNames(false);
const client = { ipAddress: '203.0.113.9', userAgent: 'test' };

describe('actor resolution', () => {
  const clock = { now: Date.parse('2026-03-10T14:05:00Z') };
  let dataDir: string;
  let db: Db;
  let sessions: SessionStore;
  let userId: number;

  /** A bare Fastify with the session layer and the given authenticators, answering who each request acts for. */
  async function appWith(authenticators: Authenticator[]): Promise<FastifyInstance> {
    const app = Fastify();
    await app.register(cookie);
    registerSessionLayer(app, { authenticators, loadPreferences: () => ({ ...anonymousPreferences, language: 'de' }) });
    app.get('/who', async (request) => ({ actor: request.actor, viewer: request.viewer ? { userId: request.viewer.user.id, language: request.viewer.preferences.language } : null }));
    await app.ready();
    return app;
  }
  const sessionCookie = () => sessionCookieAuthenticator({ cookies, secure: false, validate: (token, details) => sessions.validate(token, details) });
  const ask = async (app: FastifyInstance, token?: string) => {
    const response = await app.inject({ method: 'GET', url: '/who', ...(token === undefined ? {} : { cookies: { [cookies.session]: token } }) });
    return { body: response.json() as { actor: Actor | null; viewer: { userId: number; language: string } | null }, setCookie: String(response.headers['set-cookie'] ?? '') };
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-actor-'));
    db = openDatabase(path.join(dataDir, 'dials.db'));
    applyMigrations(db);
    sessions = createSessionStore(db, { lifetimeMs: 720 * hour, idleMs: 168 * hour, now: () => clock.now });
    userId = (await createUserDirectory(db, () => clock.now).create({ email: 'ada@example.com', name: 'Ada', passwordHash: 'x', activated: true }, async () => {})).id;
  });
  afterAll(() => {
    closeDatabase(db);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('acts for no one without a cookie', async () => {
    const app = await appWith([sessionCookie()]);
    expect((await ask(app)).body).toEqual({ actor: null, viewer: null });
  });

  it('acts for the session user with a live session, and builds the viewer for pages', async () => {
    const app = await appWith([sessionCookie()]);
    const { token, session } = await sessions.create(userId, client);
    const { body, setCookie } = await ask(app, token);
    expect(body.actor).toEqual({ via: 'session', userId, sessionId: session.id, reauthenticatedAt: session.reauthenticatedAt?.toISOString() });
    expect(body.viewer).toEqual({ userId, language: 'de' });
    expect(setCookie).toBe('');
  });

  it('acts for no one with an expired session, and clears its cookie', async () => {
    const app = await appWith([sessionCookie()]);
    const { token } = await sessions.create(userId, client);
    clock.now += 169 * hour;
    const { body, setCookie } = await ask(app, token);
    expect(body).toEqual({ actor: null, viewer: null });
    expect(setCookie).toContain(`${cookies.session}=;`);
  });

  it('acts for no one with a session that was ended (logged out elsewhere), and clears its cookie', async () => {
    const app = await appWith([sessionCookie()]);
    const { token, session } = await sessions.create(userId, client);
    await sessions.invalidate(session.id, 'ended-elsewhere');
    const { body, setCookie } = await ask(app, token);
    expect(body).toEqual({ actor: null, viewer: null });
    expect(setCookie).toContain(`${cookies.session}=;`);
  });

  it('acts for no one with an unknown or oversized token', async () => {
    const app = await appWith([sessionCookie()]);
    expect((await ask(app, 'a'.repeat(32))).body.actor).toBeNull();
    expect((await ask(app, 'a'.repeat(65))).body.actor).toBeNull();
  });

  it('works the same with a session store and preferences that answer with Promises', async () => {
    const app = Fastify();
    await app.register(cookie);
    const asyncCookie = sessionCookieAuthenticator({ cookies, secure: false, validate: async (token, details) => sessions.validate(token, details) });
    registerSessionLayer(app, { authenticators: [asyncCookie], loadPreferences: async () => ({ ...anonymousPreferences, language: 'fr' }) });
    app.get('/who', async (request) => ({ actor: request.actor, viewer: request.viewer ? { userId: request.viewer.user.id, language: request.viewer.preferences.language } : null }));
    await app.ready();
    const { token, session } = await sessions.create(userId, client);
    expect((await ask(app, token)).body).toMatchObject({ actor: { via: 'session', userId, sessionId: session.id }, viewer: { userId, language: 'fr' } });
    await sessions.invalidate(session.id);
    const ended = await ask(app, token);
    expect(ended.body).toEqual({ actor: null, viewer: null });
    expect(ended.setCookie).toContain(`${cookies.session}=;`);
  });

  it('asks the authenticators in order: the first that recognises the request decides, one without a viewer shows no page', async () => {
    const calls: string[] = [];
    const bearer: Authenticator = {
      name: 'bearer',
      async authenticate(request) {
        calls.push('bearer');
        if (request.headers.authorization !== 'Bearer k') return null;
        return { actor: { via: 'apiKey', userId, keyId: 'k1', scopes: ['read'] }, viewer: null };
      },
    };
    const never: Authenticator = { name: 'never', authenticate: () => { calls.push('never'); return null; } };
    const app = await appWith([sessionCookie(), bearer, never]);
    const response = await app.inject({ method: 'GET', url: '/who', headers: { authorization: 'Bearer k' } });
    expect(response.json()).toEqual({ actor: { via: 'apiKey', userId, keyId: 'k1', scopes: ['read'] }, viewer: null });
    expect(calls).toEqual(['bearer']);
    const { token } = await sessions.create(userId, client);
    calls.length = 0;
    expect((await ask(app, token)).body.actor?.via).toBe('session');
    expect(calls).toEqual([]);
  });
});

describe('actors', () => {
  const policy = { windowMs: hour, now: () => Date.parse('2026-03-10T14:05:00Z') };

  it('keep the session a session actor came with; a system actor has none', () => {
    const actor = sessionActor(7, { id: 's1', reauthenticatedAt: null });
    expect(actor).toEqual({ via: 'session', userId: 7, sessionId: 's1', reauthenticatedAt: null });
    expect(sessionIdOf(actor)).toBe('s1');
    expect(sessionIdOf(systemActor(7, 'weekly-report'))).toBeNull();
  });

  it('pass re-authentication only from their own session, within the window', () => {
    expect(isReauthenticated(sessionActor(7, { id: 's', reauthenticatedAt: new Date(policy.now() - hour / 2) }), policy)).toBe(true);
    expect(isReauthenticated(sessionActor(7, { id: 's', reauthenticatedAt: new Date(policy.now() - hour) }), policy)).toBe(false);
    expect(isReauthenticated(sessionActor(7, { id: 's', reauthenticatedAt: null }), policy)).toBe(false);
    expect(isReauthenticated(systemActor(7, 'job'), policy)).toBe(false);
    expect(isReauthenticated({ via: 'support', userId: 7, sessionId: 's', staffUserId: 1 }, policy)).toBe(false);
  });
});
