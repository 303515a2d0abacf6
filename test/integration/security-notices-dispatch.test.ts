import { afterEach, describe, expect, it } from 'vitest';
import { notificationSettings } from '../../src/notify/tables.ts';
import { notificationTypeNames } from '../../src/notify/registry.ts';
import { setUpAdministrator } from '../support/browser-session.ts';
import { shownText } from '../support/html-text.ts';
import { confirmPrimaryAddress, makeOrganization, makePerson, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** Security notices go through the dispatcher's path (a delivery of the `security` type with its outbox row, with the event) and cannot be turned off. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const client = { ipAddress: '203.0.113.9', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' };

async function withAda() {
  t = await createTestApp();
  const ada = await makePerson(t, 'ada@example.com', 'Ada Lovelace');
  await confirmPrimaryAddress(t, ada.userId);
  return ada;
}

type Delivery = { event_kind: string; event_row_id: number; user_id: number; type: string; address: string };

describe('security notices through the dispatcher', () => {
  it('are recorded as a delivery of the security type for their event, with their outbox row, and arrive', async () => {
    const ada = await withAda();
    await t.app.services.securityLog.record(ada.userId, 'password.changed', client);
    const [event] = (await rowsOf(t, 'security_events')).filter((row) => row.type === 'password.changed');
    expect(event).toBeDefined();
    expect((await rowsOf(t, 'notification_deliveries')) as Delivery[]).toEqual([
      expect.objectContaining({ event_kind: 'security', event_row_id: event?.id, user_id: ada.userId, type: 'security', address: 'ada@example.com' }),
    ]);
    expect((await rowsOf(t, 'mail_outbox')).map((row) => row.kind)).toEqual(['notice:password.changed']);
    const mail = await t.mail.waitFor('ada@example.com', /password/i);
    expect(mail.text).toContain('203.0.113.9');
    expect(mail.text).toContain('Firefox');
    // A notice is no subscription: no unsubscribe link.
    expect(mail.listUnsubscribe).toBeNull();

    // Events without a notice record no delivery.
    await t.app.services.securityLog.record(ada.userId, 'login.succeeded', client);
    expect(await rowsOf(t, 'notification_deliveries')).toHaveLength(1);
  });

  it('keep what their page adds: the new address, named in the notice of an added one', async () => {
    const ada = await withAda();
    const added = await t.app.services.emails.add(ada.actor, 'ada@work.example', client);
    expect(added.ok).toBe(true);
    const notice = await t.mail.waitFor('ada@example.com', /address/i);
    expect(notice.text).toContain('ada@work.example');
    const deliveries = (await rowsOf(t, 'notification_deliveries')) as Delivery[];
    expect(deliveries.map((row) => [row.type, row.address])).toEqual([['security', 'ada@example.com']]);
    const [event] = (await rowsOf(t, 'security_events')).filter((row) => row.type === 'email.added');
    expect(deliveries[0]?.event_row_id).toBe(event?.id);
    // The confirmation link of the new address is account mail, not a notification.
    expect((await rowsOf(t, 'mail_outbox')).map((row) => row.kind).sort()).toEqual(['notice:email.added', 'verify-email']);
  });

  it('cannot be turned off by any setting, page, or stored row', async () => {
    const ada = await withAda();
    const settings = t.app.services.notificationSettings;
    for (const value of ['always', 'never', 'off', 'on']) {
      expect(await settings.set(ada.actor, { type: 'security', scope: 'user', scopeId: null }, value), value).toEqual({ ok: false, reason: 'valueNotAllowed' });
    }
    const { organization, project } = await makeOrganization(t, ada.actor, 'acme');
    expect((await settings.set(ada.actor, { type: 'security', scope: 'organization', scopeId: organization.id }, 'never')).ok).toBe(false);
    expect((await settings.set(ada.actor, { type: 'security', scope: 'project', scopeId: project.id }, 'never')).ok).toBe(false);
    expect(await settings.turnOffEverywhere(ada.actor, 'security', true)).toEqual({ ok: false, reason: 'cannotTurnOff' });
    expect(await settings.turnOffAt(ada.userId, 'security', 'organization', organization.id)).toBe(false);
    expect((await rowsOf(t, 'notification_settings')).filter((row) => row.type === 'security')).toEqual([]);

    // Everything else turned off, and a row for security notices written straight into the table: they still go out.
    for (const type of notificationTypeNames) await settings.turnOffEverywhere(ada.actor, type, true);
    await t.db.insert(notificationSettings).values({ userId: ada.userId, type: 'security', scope: 'user', scopeId: 0, value: 'off', updatedAt: new Date(t.clock.now) });
    await t.app.services.securityLog.record(ada.userId, 'totp.removed', client);
    await t.mail.waitFor('ada@example.com', /./);
    expect(((await rowsOf(t, 'notification_deliveries')) as Delivery[]).map((row) => row.type)).toEqual(['security']);
  });

  it('show on the overview as always sent, with no form, and have no page or address to change them', async () => {
    t = await createTestApp();
    const ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
    const overview = await ada.get('/settings/notifications');
    const text = shownText(overview.body).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Security notices Always sent; they cannot be turned off.');
    const section = /<section class="card notify-fixed"[\s\S]*?<\/section>/.exec(overview.body)?.[0] ?? '';
    expect(section).toContain('Security notices');
    expect(section).not.toMatch(/<form|<input|<select|<button/);
    expect(overview.body).not.toContain('/settings/notifications/security');
    expect((await ada.get('/settings/notifications/security')).statusCode).toBe(404);
    for (const path of ['/settings/notifications/security/default', '/settings/notifications/security/turn-off', '/settings/notifications/security/reset', '/settings/notifications/security/test']) {
      expect((await ada.post(path, { value: 'never', from: 'overview' })).statusCode, path).toBe(404);
    }
    expect((await rowsOf(t, 'notification_settings')).filter((row) => row.type === 'security')).toEqual([]);
  });
});
