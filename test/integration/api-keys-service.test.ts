import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/lib/actor.ts';
import { enrolTotpDirectly, makeKey } from '../support/api-keys.ts';
import { appWithAdaLoggedIn, serviceTestClient } from '../support/service-caller.ts';
import type { TestApp } from '../support/test-app.ts';

/** The API keys service called directly: making, checking, changing and revoking keys, and their trail. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const client = serviceTestClient;
const day = 24 * 60 * 60 * 1000;

async function withAda() {
  const ready = await appWithAdaLoggedIn();
  t = ready.t;
  return { ...ready, apiKeys: t.app.services.apiKeys };
}

async function storedRows() {
  const { sqliteOf } = await import('../../src/db/client.ts');
  return sqliteOf(t.db).prepare('select * from api_keys').all() as Array<Record<string, unknown>>;
}

describe('API keys service', () => {
  it('makes a key shown once and stores only its digest and preview', async () => {
    const { apiKeys, actor } = await withAda();
    const made = await apiKeys.create(actor, { name: 'CI', scopes: ['user:read', 'user:write', 'emails:read'], expiresAt: null }, client);
    if (!made.ok) throw new Error(made.reason);
    expect(made.secret).toMatch(/^dials_[a-z2-7]{16}\.[a-z2-7]{39}$/);
    expect(made.key).toMatchObject({ name: 'CI', scopes: ['user:write', 'emails:read'], expiresAt: null, lastUsed: null, preview: made.secret.slice(23, 27) });
    const [row] = await storedRows();
    expect(Buffer.from(row!.digest as Uint8Array).toString('hex')).toBe(createHash('sha256').update(made.secret).digest('hex'));
    const everything = JSON.stringify((await storedRows()).map((stored) => ({ ...stored, digest: null })));
    expect(everything).not.toContain(made.secret.split('.')[1]);
    expect((await apiKeys.list(actor)).map((key) => key.id)).toEqual([made.key.id]);
    expect((await t.app.services.securityLog.list(actor.userId, 1, 10)).events[0]?.type).toBe('apiKey.created');
  });

  it('authenticates a good key; a malformed one, a bad checksum, an unknown, expired or revoked one are refused', async () => {
    const { apiKeys, userId } = await withAda();
    const key = await makeKey(t, userId, ['user:read'], { expiresAt: new Date(t.clock.now + 7 * day) });
    expect(await apiKeys.authenticate(key.secret)).toEqual({ ok: true, actor: { via: 'apiKey', userId, keyId: key.id, scopes: ['user:read'] } });
    expect(await apiKeys.authenticate('hello')).toEqual({ ok: false, reason: 'malformed' });
    const last = key.secret.at(-1) === 'a' ? 'b' : 'a';
    expect(await apiKeys.authenticate(key.secret.slice(0, -1) + last)).toEqual({ ok: false, reason: 'malformed' });
    const other = await makeKey(t, userId, ['user:read']);
    await apiKeys.revoke(other.actor, other.id, client);
    expect(await apiKeys.authenticate(other.secret)).toEqual({ ok: false, reason: 'rejected' });
    t.clock.advance(7 * day);
    expect(await apiKeys.authenticate(key.secret)).toEqual({ ok: false, reason: 'rejected' });
    expect((await apiKeys.find(key.actor, key.id))?.expired).toBe(true);
  });

  it('a key with the right id but another secret is refused', async () => {
    const { apiKeys, userId } = await withAda();
    const key = await makeKey(t, userId, ['user:read']);
    const { generateKey } = await import('../../src/settings/api-keys/key-format.ts');
    const forged = generateKey().key.replace(/^dials_[a-z2-7]{16}/, `dials_${key.id}`);
    const { crc32 } = await import('node:zlib');
    const { encodeBase32LowerCaseNoPadding } = await import('@oslojs/encoding');
    const body = forged.slice(0, -7);
    const value = crc32(body);
    const sum = encodeBase32LowerCaseNoPadding(new Uint8Array([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]));
    expect(await apiKeys.authenticate(body + sum)).toEqual({ ok: false, reason: 'rejected' });
  });

  it('a key makes keys only within its own scopes and lifetime', async () => {
    const { apiKeys, userId } = await withAda();
    const caller = await makeKey(t, userId, ['keys:write', 'user:read'], { expiresAt: new Date(t.clock.now + 30 * day) });
    const within = await apiKeys.create(caller.actor, { name: 'child', scopes: ['keys:read'], expiresAt: new Date(t.clock.now + day) }, client);
    expect(within.ok).toBe(true);
    expect(await apiKeys.create(caller.actor, { name: 'wide', scopes: ['user:write'], expiresAt: new Date(t.clock.now + day) }, client)).toEqual({
      ok: false,
      reason: 'scopeBeyondCaller',
      scope: 'user:write',
    });
    expect(await apiKeys.create(caller.actor, { name: 'long', scopes: ['user:read'], expiresAt: null }, client)).toEqual({ ok: false, reason: 'expiryBeyondCaller' });
    expect(await apiKeys.create(caller.actor, { name: 'past', scopes: ['user:read'], expiresAt: new Date(t.clock.now - 1) }, client)).toEqual({ ok: false, reason: 'expiryInPast' });
    expect(await apiKeys.create(caller.actor, { name: 'none', scopes: [], expiresAt: null }, client)).toEqual({ ok: false, reason: 'noScopes' });
    expect(await apiKeys.create(systemActor(userId, 'test'), { name: 'job', scopes: ['user:read'], expiresAt: null }, client)).toEqual({ ok: false, reason: 'notAllowed' });
  });

  it('a password alone never leads to a key on an account with a second factor', async () => {
    const { apiKeys, userId } = await withAda();
    await enrolTotpDirectly(t, userId);
    // A key made without the second factor on such an account (none is left by its enabling) may not make keys.
    const without = await makeKey(t, userId, ['keys:write']);
    const { sqliteOf } = await import('../../src/db/client.ts');
    sqliteOf(t.db).prepare('update api_keys set second_factor = 0 where id = ?').run(without.id);
    expect(await apiKeys.create(without.actor, { name: 'child', scopes: ['keys:read'], expiresAt: null }, client)).toEqual({ ok: false, reason: 'secondFactorRequired' });
    const after = await makeKey(t, userId, ['keys:write']);
    const child = await apiKeys.create(after.actor, { name: 'child', scopes: ['keys:write'], expiresAt: null }, client);
    expect(child.ok).toBe(true);
    if (!child.ok) return;
    const grandchild = await apiKeys.create({ via: 'apiKey', userId, keyId: child.key.id, scopes: child.key.scopes }, { name: 'grandchild', scopes: ['keys:read'], expiresAt: null }, client);
    expect(grandchild.ok).toBe(true);
  });

  it('turning on a second factor revokes the keys made without one, with a log entry each and word in the notice mail', async () => {
    const { apiKeys, actor, userId } = await withAda();
    const deploys = await makeKey(t, userId, ['user:read'], { name: 'Old deploys' });
    await makeKey(t, userId, ['emails:read'], { name: 'Old backups' });
    expect((await apiKeys.authenticate(deploys.secret)).ok).toBe(true);
    await enrolTotpDirectly(t, userId);
    expect(await apiKeys.authenticate(deploys.secret)).toEqual({ ok: false, reason: 'rejected' });
    expect(await apiKeys.list(actor)).toEqual([]);
    const events = (await t.app.services.securityLog.list(userId, 1, 50)).events.map((event) => event.type);
    expect(events.filter((type) => type === 'apiKey.revoked')).toHaveLength(2);
    const notice = await t.mail.waitFor('ada@example.com', /Two-factor authentication was turned on/);
    expect(notice.text).toContain('Your API keys made before two-factor authentication were revoked: make new ones.');
    expect(notice.text).toContain('Old deploys');
    expect(notice.text).toContain('Old backups');
    const kept = await makeKey(t, userId, ['user:read']);
    expect((await apiKeys.authenticate(kept.secret)).ok).toBe(true);
  });

  it('renames, rescopes and revokes only the owner\'s keys', async () => {
    const { apiKeys, actor, userId } = await withAda();
    const key = await makeKey(t, userId, ['user:read']);
    expect(await apiKeys.rename(actor, key.id, 'Deploys')).toMatchObject({ ok: true, key: { name: 'Deploys' } });
    expect(await apiKeys.setScopes(actor, key.id, ['user:write', 'keys:read'], client)).toMatchObject({ ok: true, key: { scopes: ['user:write', 'keys:read'] } });
    expect(await apiKeys.setScopes(actor, key.id, [], client)).toEqual({ ok: false, reason: 'noScopes' });
    const stranger = { ...actor, userId: userId + 1000 };
    expect(await apiKeys.find(stranger, key.id)).toBeUndefined();
    expect(await apiKeys.rename(stranger, key.id, 'Mine')).toEqual({ ok: false, reason: 'notFound' });
    expect(await apiKeys.setScopes(stranger, key.id, ['user:read'], client)).toEqual({ ok: false, reason: 'notFound' });
    expect(await apiKeys.revoke(stranger, key.id, client)).toEqual({ ok: false, reason: 'notFound' });
    expect(await apiKeys.revoke(actor, key.id, client)).toEqual({ ok: true, name: 'Deploys' });
    expect(await apiKeys.list(actor)).toEqual([]);
  });

  it('notes the last use and keeps the newest 100 calls for 30 days', async () => {
    const { apiKeys, actor, userId } = await withAda();
    const key = await makeKey(t, userId, ['user:read']);
    for (let index = 0; index < 105; index++) {
      apiKeys.recordUse(key.id, { method: 'GET', path: `/api/v1/user?n=${index}`, status: 200, ipAddress: '203.0.113.9', userAgent: 'curl/8' });
    }
    const uses = await apiKeys.uses(actor, key.id);
    expect(uses).toHaveLength(100);
    expect(uses[0]).toMatchObject({ method: 'GET', path: '/api/v1/user?n=104', status: 200, ipAddress: '203.0.113.9' });
    expect(uses.at(-1)?.path).toBe('/api/v1/user?n=5');
    expect((await apiKeys.find(actor, key.id))?.lastUsed).toEqual({ at: new Date(t.clock.now), ipAddress: '203.0.113.9', userAgent: 'curl/8' });
    expect(await apiKeys.uses({ ...actor, userId: userId + 1 }, key.id)).toEqual([]);
    t.clock.advance(31 * day);
    expect(await apiKeys.uses(actor, key.id)).toEqual([]);
    await apiKeys.sweepUses();
    const { sqliteOf } = await import('../../src/db/client.ts');
    expect(sqliteOf(t.db).prepare('select count(*) as n from api_key_uses').get()).toEqual({ n: 0 });
  });

  it('tells the owner once, 7 days before a key expires, and a mail goes out when a key is made', async () => {
    const { apiKeys, userId } = await withAda();
    const made = await makeKey(t, userId, ['user:read'], { name: 'Nightly export', expiresAt: new Date(t.clock.now + 10 * day) });
    await makeKey(t, userId, ['user:read'], { name: 'Forever' });
    const created = await t.mail.waitFor('ada@example.com', /new API key/);
    expect(created.text).toContain('Nightly export');
    expect(created.text).toContain('user:read');
    expect(await apiKeys.sendExpiryNotices()).toBe(0);
    t.clock.advance(3 * day + 60_000);
    expect(await apiKeys.sendExpiryNotices()).toBe(1);
    expect(await apiKeys.sendExpiryNotices()).toBe(0);
    const notice = await t.mail.waitFor('ada@example.com', /expires soon/);
    expect(notice.subject).toContain('Nightly export');
    expect(notice.text).toContain('/settings/api-keys');
    await apiKeys.revoke(made.actor, made.id, client);
    t.clock.advance(30 * day);
    expect(await apiKeys.sendExpiryNotices()).toBe(0);
  });

  it('tells the owner when a key is given more access, not when it is given less', async () => {
    const { apiKeys, actor, userId } = await withAda();
    const key = await makeKey(t, userId, ['user:read', 'emails:read'], { name: 'Deploys' });
    await t.mail.waitFor('ada@example.com', /new API key/);
    expect(await apiKeys.setScopes(actor, key.id, ['user:read'], client)).toMatchObject({ ok: true });
    expect(await apiKeys.setScopes(actor, key.id, ['user:write', 'keys:read'], client)).toMatchObject({ ok: true });
    const changed = await t.mail.waitFor('ada@example.com', /access of an API key was changed/);
    expect(changed.text).toContain('Deploys');
    expect(changed.text).toContain('user:write, keys:read');
    expect(changed.text).toContain('/settings/api-keys');
    expect(t.mail.messagesTo('ada@example.com').filter((mail) => /access of an API key/.test(mail.subject))).toHaveLength(1);
  });

  it('sends no "expires soon" notice for a key made with 7 days or less to live', async () => {
    const { apiKeys, userId } = await withAda();
    await makeKey(t, userId, ['user:read'], { name: 'Short', expiresAt: new Date(t.clock.now + 7 * day) });
    await makeKey(t, userId, ['user:read'], { name: 'Shorter', expiresAt: new Date(t.clock.now + day) });
    expect(await apiKeys.sendExpiryNotices()).toBe(0);
    t.clock.advance(day / 2);
    expect(await apiKeys.sendExpiryNotices()).toBe(0);
  });
});
