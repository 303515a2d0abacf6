import { afterEach, describe, expect, it } from 'vitest';
import { userEmails } from '../../src/auth/tables.ts';
import { overwriteAskedFrom } from '../../src/notify/settings.ts';
import { makeOrganization, makePerson, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** Notification settings as stored: narrow rows, checked against the registry, places and addresses. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

async function withAdaInAnOrganization() {
  t = await createTestApp();
  const ada = await makePerson(t, 'ada@example.com', 'Ada Lovelace');
  const made = await makeOrganization(t, ada.actor, 'acme');
  const stranger = await makePerson(t, 'eve@example.com', 'Eve');
  const elsewhere = await makeOrganization(t, stranger.actor, 'other');
  return { ada, made, elsewhere, settings: t.app.services.notificationSettings };
}

describe('notification settings', () => {
  it('stores one narrow row per setting; setting again replaces it; removing it falls back to the wider one', async () => {
    const { ada, made, settings } = await withAdaInAnOrganization();
    const project = { type: 'issueAlerts' as const, scope: 'project' as const, scopeId: made.project.id };
    expect(await settings.set(ada.actor, project, 'never')).toEqual({ ok: true });
    expect(await settings.set(ada.actor, project, 'always')).toEqual({ ok: true });
    expect(await settings.set(ada.actor, { type: 'issueAlerts', scope: 'user', scopeId: null }, 'never')).toEqual({ ok: true });
    expect(await settings.rows(ada.actor)).toEqual(
      expect.arrayContaining([
        { type: 'issueAlerts', scope: 'project', scopeId: made.project.id, value: 'always' },
        { type: 'issueAlerts', scope: 'user', scopeId: null, value: 'never' },
      ]),
    );
    expect(await rowsOf(t, 'notification_settings')).toHaveLength(2);
    expect(await settings.remove(ada.actor, project)).toBe(true);
    expect(await settings.remove(ada.actor, project)).toBe(false);
    expect((await settings.overview(ada.actor)).find((type) => type.type === 'issueAlerts')).toEqual({ type: 'issueAlerts', value: 'never', by: { scope: 'user', scopeId: null }, overrides: 0 });
  });

  it('refuses an unknown type, a scope the type does not have, a value it does not take, and a place the person cannot see', async () => {
    const { ada, made, elsewhere, settings } = await withAdaInAnOrganization();
    expect(await settings.set(ada.actor, { type: 'weather' as never, scope: 'user', scopeId: null }, 'on')).toEqual({ ok: false, reason: 'unknownType' });
    expect(await settings.set(ada.actor, { type: 'deploys', scope: 'project', scopeId: made.project.id }, 'never')).toEqual({ ok: false, reason: 'scopeNotAllowed' });
    expect(await settings.set(ada.actor, { type: 'deploys', scope: 'organization', scopeId: null }, 'never')).toEqual({ ok: false, reason: 'scopeNotAllowed' });
    expect(await settings.set(ada.actor, { type: 'deploys', scope: 'user', scopeId: 7 }, 'never')).toEqual({ ok: false, reason: 'scopeNotAllowed' });
    expect(await settings.set(ada.actor, { type: 'deploys', scope: 'user', scopeId: null }, 'sometimes')).toEqual({ ok: false, reason: 'valueNotAllowed' });
    expect(await settings.set(ada.actor, { type: 'deploys', scope: 'organization', scopeId: elsewhere.organization.id }, 'never')).toEqual({ ok: false, reason: 'placeNotFound' });
    expect(await settings.set(ada.actor, { type: 'issueAlerts', scope: 'project', scopeId: elsewhere.project.id }, 'never')).toEqual({ ok: false, reason: 'placeNotFound' });
    expect(await settings.set(ada.actor, { type: 'issueAlerts', scope: 'project', scopeId: 987654 }, 'never')).toEqual({ ok: false, reason: 'placeNotFound' });
    expect(await rowsOf(t, 'notification_settings')).toHaveLength(0);
  });

  it('routes mail only to a verified address of the person, and falls back to the primary when that address goes', async () => {
    const { ada, made, settings } = await withAdaInAnOrganization();
    await t.db.insert(userEmails).values({ userId: ada.userId, address: 'ada@work.example', isPrimary: false, verifiedAt: null, createdAt: new Date(t.clock.now) });
    const routing = { type: 'emailRouting' as const, scope: 'project' as const, scopeId: made.project.id };
    expect(await settings.set(ada.actor, routing, 'ada@work.example')).toEqual({ ok: false, reason: 'addressNotVerified' });
    expect(await settings.set(ada.actor, routing, 'eve@example.com')).toEqual({ ok: false, reason: 'addressNotVerified' });
    await t.db.update(userEmails).set({ verifiedAt: new Date(t.clock.now) });
    expect(await settings.set(ada.actor, routing, 'ada@work.example')).toEqual({ ok: true });
    const place = { organizationId: made.organization.id, projectId: made.project.id };
    expect(await settings.addressFor(ada.userId, place)).toEqual({ value: 'ada@work.example', by: { scope: 'project', scopeId: made.project.id } });
    expect(await settings.addressFor(ada.userId, { ...place, projectId: null })).toEqual({ value: 'ada@example.com', by: 'default' });
    const { eq } = await import('drizzle-orm');
    await t.db.delete(userEmails).where(eq(userEmails.address, 'ada@work.example'));
    expect(await settings.addressFor(ada.userId, place)).toEqual({ value: 'ada@example.com', by: 'default' });
  });

  it(`turning a type off everywhere asks first once ${overwriteAskedFrom} places have their own setting, then overwrites them`, async () => {
    const { ada, made, settings } = await withAdaInAnOrganization();
    const { organizations } = t.app.services.platform;
    const more = [await organizations.createProject(ada.actor, 'acme', { name: 'API', slug: 'api' }), await organizations.createProject(ada.actor, 'acme', { name: 'Docs', slug: 'docs' })];
    const projectIds = [made.project.id, ...more.map((made_) => (made_.ok ? made_.project.id : 0))];
    for (const [index, scopeId] of projectIds.slice(0, 2).entries()) await settings.set(ada.actor, { type: 'issueAlerts', scope: 'project', scopeId }, index ? 'always' : 'never');
    expect(await settings.turnOffEverywhere(ada.actor, 'issueAlerts', false)).toEqual({ ok: true });
    expect(await settings.rows(ada.actor)).toEqual([{ type: 'issueAlerts', scope: 'user', scopeId: null, value: 'never' }]);

    for (const scopeId of projectIds) await settings.set(ada.actor, { type: 'workflow', scope: 'project', scopeId }, 'always');
    expect(await settings.turnOffEverywhere(ada.actor, 'workflow', false)).toEqual({ ok: false, reason: 'wouldOverwrite', overrides: 3 });
    expect((await settings.rows(ada.actor)).filter((row) => row.type === 'workflow')).toHaveLength(3);
    expect(await settings.turnOffEverywhere(ada.actor, 'workflow', true)).toEqual({ ok: true });
    expect((await settings.rows(ada.actor)).filter((row) => row.type === 'workflow')).toEqual([{ type: 'workflow', scope: 'user', scopeId: null, value: 'never' }]);
    expect(await settings.turnOffEverywhere(ada.actor, 'selfAssignOnResolve', true)).toEqual({ ok: false, reason: 'cannotTurnOff' });
    for (const odd of ['emailRouting', 'weather', 'constructor', '__proto__']) {
      expect(await settings.turnOffEverywhere(ada.actor, odd as never, true)).toEqual({ ok: false, reason: 'unknownType' });
    }
  });

  it('resets one type, or everything, to the defaults', async () => {
    const { ada, made, settings } = await withAdaInAnOrganization();
    await settings.set(ada.actor, { type: 'deploys', scope: 'organization', scopeId: made.organization.id }, 'always');
    await settings.set(ada.actor, { type: 'buildEmails', scope: 'user', scopeId: null }, 'failed');
    await settings.set(ada.actor, { type: 'myActivity', scope: 'user', scopeId: null }, 'on');
    expect(await settings.reset(ada.actor, 'deploys')).toBe(1);
    expect((await settings.rows(ada.actor)).map((row) => row.type).sort()).toEqual(['buildEmails', 'myActivity']);
    expect(await settings.reset(ada.actor, null)).toBe(2);
    expect((await settings.overview(ada.actor)).every((type) => type.by === 'default')).toBe(true);
  });

  it("reads the settings of many people in one query", async () => {
    const { ada, settings } = await withAdaInAnOrganization();
    const grace = await makePerson(t, 'grace@example.com', 'Grace Hopper');
    await settings.set(ada.actor, { type: 'buildEmails', scope: 'user', scopeId: null }, 'both');
    await settings.set(grace.actor, { type: 'buildEmails', scope: 'user', scopeId: null }, 'failed');
    const rows = await settings.rowsOfEach([ada.userId, grace.userId, 999], ['buildEmails']);
    expect(rows.get(ada.userId)?.map((row) => row.value)).toEqual(['both']);
    expect(rows.get(grace.userId)?.map((row) => row.value)).toEqual(['failed']);
    expect(rows.get(999)).toEqual([]);
  });
});
