import { afterEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/lib/actor.ts';
import { appWithAdaLoggedIn, serviceTestClient } from '../support/service-caller.ts';
import type { TestApp } from '../support/test-app.ts';

/** The E-mails service called directly, as a job or an API handler would: each result of its unions. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const client = serviceTestClient;

async function withAda() {
  const ready = await appWithAdaLoggedIn();
  t = ready.t;
  return { ...ready, emails: t.app.services.emails };
}
const liveIds = async (userId: number) => (await t.app.services.sessions.listForUser(userId)).map((session) => session.id);

describe('e-mails service', () => {
  it('add: a new address, then the reasons it is refused', async () => {
    const { emails, actor, userId } = await withAda();
    const added = await emails.add(actor, 'Ada.Work@example.com', client);
    expect(added).toEqual({ ok: true, emailId: expect.any(Number) });
    expect((await emails.find(actor, added.ok ? added.emailId : -1))?.address).toBe('ada.work@example.com');
    expect(await emails.add(actor, 'ada.work@example.com', client)).toEqual({ ok: false, reason: 'taken' });
    expect(await emails.add(actor, 'ada@example.com', client)).toEqual({ ok: false, reason: 'taken' });
    for (let index = 0; index < 8; index++) expect((await emails.add(actor, `ada${index}@example.com`, client)).ok).toBe(true);
    expect(await emails.add(systemActor(userId, 'test'), 'one.more@example.com', client)).toEqual({ ok: false, reason: 'tooMany' });
    expect((await emails.list(actor)).length).toBe(10);
  });

  it('add: ten a day at most', async () => {
    const { emails, actor } = await withAda();
    for (let index = 0; index < 10; index++) {
      const added = await emails.add(actor, `ada${index}@example.com`, client);
      expect(added.ok).toBe(true);
      if (added.ok) expect((await emails.remove(actor, added.emailId, client)).ok).toBe(true);
    }
    expect(await emails.add(actor, 'eleven@example.com', client)).toEqual({ ok: false, reason: 'tooManyToday' });
  });

  it('add: five links a day to one address, removing and adding it again included', async () => {
    const { emails, actor } = await withAda();
    for (let index = 0; index < 5; index++) {
      const added = await emails.add(actor, 'ada.work@example.com', client);
      expect(added.ok).toBe(true);
      if (added.ok) await emails.remove(actor, added.emailId, client);
    }
    expect(await emails.add(actor, 'ada.work@example.com', client)).toEqual({ ok: false, reason: 'addressLinkLimit' });
  });

  it('resend: not another user\'s address, not a confirmed one, not twice a minute', async () => {
    const { emails, actor, userId } = await withAda();
    const added = await emails.add(actor, 'ada.work@example.com', client);
    const emailId = added.ok ? added.emailId : -1;
    expect(await emails.resend(actor, emailId)).toEqual({ ok: false, reason: 'tooSoon' });
    t.clock.advance(61_000);
    expect(await emails.resend(actor, emailId)).toEqual({ ok: true });
    expect(await emails.resend(systemActor(userId + 1, 'test'), emailId)).toEqual({ ok: false, reason: 'notFound' });
    await t.app.services.emailAddresses.markVerified(userId, emailId);
    expect(await emails.resend(actor, emailId)).toEqual({ ok: false, reason: 'alreadyVerified' });
  });

  it('resend: of several sent at once, one mails the link and the others are paced', async () => {
    const { emails, actor } = await withAda();
    const added = await emails.add(actor, 'ada.work@example.com', client);
    const emailId = added.ok ? added.emailId : -1;
    t.clock.advance(61_000);
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => emails.resend(actor, emailId)));
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect(outcomes.filter((outcome) => !outcome.ok && outcome.reason === 'tooSoon')).toHaveLength(5);
  });

  it('makePrimary: needs a confirmed address of the user\'s own, keeps the actor\'s session, and never changes a viewer', async () => {
    const { emails, actor, userId, here } = await withAda();
    const added = await emails.add(actor, 'ada.work@example.com', client);
    const emailId = added.ok ? added.emailId : -1;
    expect(await emails.makePrimary(actor, emailId, client)).toEqual({ ok: false, reason: 'unverified' });
    expect(await emails.makePrimary(systemActor(userId + 1, 'test'), emailId, client)).toEqual({ ok: false, reason: 'notFound' });
    await t.app.services.emailAddresses.markVerified(userId, emailId);
    expect(await emails.makePrimary(actor, emailId, client)).toEqual({ ok: true, address: 'ada.work@example.com', changed: true });
    expect(await liveIds(userId)).toEqual([here]);
    expect((await t.app.services.users.profile(userId))?.email).toBe('ada.work@example.com');
    expect(await emails.makePrimary(actor, emailId, client)).toEqual({ ok: true, address: 'ada.work@example.com', changed: false });
  });

  it('makePrimary by a system actor ends every session', async () => {
    const { emails, actor, userId } = await withAda();
    const added = await emails.add(actor, 'ada.work@example.com', client);
    const emailId = added.ok ? added.emailId : -1;
    await t.app.services.emailAddresses.markVerified(userId, emailId);
    expect((await emails.makePrimary(systemActor(userId, 'test'), emailId, client)).ok).toBe(true);
    expect(await liveIds(userId)).toEqual([]);
  });

  it('remove: not the primary address, not another user\'s', async () => {
    const { emails, actor, userId } = await withAda();
    const primary = (await emails.list(actor)).find((email) => email.isPrimary)!;
    expect(await emails.remove(actor, primary.id, client)).toEqual({ ok: false, reason: 'primary' });
    const added = await emails.add(actor, 'ada.work@example.com', client);
    const emailId = added.ok ? added.emailId : -1;
    expect(await emails.remove(systemActor(userId + 1, 'test'), emailId, client)).toEqual({ ok: false, reason: 'notFound' });
    expect(await emails.remove(actor, emailId, client)).toEqual({ ok: true });
    expect(await emails.remove(actor, emailId, client)).toEqual({ ok: false, reason: 'notFound' });
  });
});
