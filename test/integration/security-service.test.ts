import { afterEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/lib/actor.ts';
import { strongPassword } from '../support/browser-session.ts';
import { appWithAdaLoggedIn, serviceTestClient } from '../support/service-caller.ts';
import type { TestApp } from '../support/test-app.ts';
import { totpCode } from '../support/totp.ts';

/** The security service called directly, as a job or an API handler would: each result of its unions. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const client = serviceTestClient;
const newPassword = 'a brand new passphrase for testing';

async function withAda() {
  const ready = await appWithAdaLoggedIn();
  t = ready.t;
  return { ...ready, security: t.app.services.security, sessions: t.app.services.sessions };
}
const change = (input: Partial<{ currentPassword: string; newPassword: string; confirmPassword: string; code: string; recoveryCode: string }> = {}) => ({
  currentPassword: strongPassword,
  newPassword,
  confirmPassword: input.newPassword ?? newPassword,
  ...input,
});
const liveIds = async (userId: number) => (await t.app.services.sessions.listForUser(userId)).map((session) => session.id);

describe('security service', () => {
  it('changePassword: refuses a wrong current password and a weak, unchanged or unconfirmed new one, each with its reason', async () => {
    const { security, actor } = await withAda();
    const noFactor = { secondFactorRequired: false };
    expect(await security.changePassword(actor, change({ currentPassword: 'not the password at all' }), client, noFactor)).toEqual({ ok: false, reason: 'currentPasswordWrong' });
    const weak = await security.changePassword(actor, change({ newPassword: 'passwordpassword' }), client, noFactor);
    expect(weak).toMatchObject({ ok: false, reason: 'newPasswordRefused', confirmationMismatch: false });
    expect(weak.ok === false && weak.reason === 'newPasswordRefused' && weak.newPassword).toBeTruthy();
    expect(await security.changePassword(actor, change({ newPassword: strongPassword }), client, noFactor)).toMatchObject({ ok: false, reason: 'newPasswordRefused', newPassword: 'unchanged' });
    expect(await security.changePassword(actor, change({ confirmPassword: 'something else entirely' }), client, noFactor)).toMatchObject({
      ok: false,
      reason: 'newPasswordRefused',
      newPassword: null,
      confirmationMismatch: true,
      judgement: { problem: null },
    });
    expect(await security.changePassword(actor, change(), client, { secondFactorRequired: true })).toEqual({ ok: false, reason: 'codeRequired' });
    // Five attempts an hour, right or wrong.
    expect(await security.changePassword(actor, change(), client, noFactor)).toMatchObject({ ok: false, reason: 'tooManyChanges', retryAfterSeconds: expect.any(Number) });
  });

  it('changePassword: a session actor keeps its own session, a system actor ends them all', async () => {
    const first = await withAda();
    expect(await first.security.changePassword(first.actor, change(), client, { secondFactorRequired: false })).toEqual({ ok: true });
    expect(await liveIds(first.userId)).toEqual([first.here]);
    const job = systemActor(first.userId, 'test');
    expect(await first.security.changePassword(job, change({ currentPassword: newPassword, newPassword: 'yet another long passphrase here' }), client, { secondFactorRequired: false })).toEqual({ ok: true });
    expect(await liveIds(first.userId)).toEqual([]);
  });

  it('changePassword: a session that ended meanwhile changes nothing', async () => {
    const { security, sessions, actor, userId, here } = await withAda();
    await sessions.invalidate(here);
    expect(await security.changePassword(actor, change(), client, { secondFactorRequired: false })).toEqual({ ok: false, reason: 'currentPasswordWrong' });
    expect(await t.app.services.users.credentialsOf(userId)).toBeDefined();
  });

  it('the authenticator app: start, confirm, new recovery codes, remove, each with its reasons', async () => {
    const { security, actor, userId, here } = await withAda();
    const { totp, emailAddresses } = t.app.services;
    expect(await security.startTotp(actor)).toEqual({ ok: false, reason: 'primaryEmailUnconfirmed' });
    expect(await security.confirmTotp(actor, '123456', client)).toEqual({ ok: false, reason: 'enrolmentExpired' });
    expect(await security.regenerateRecoveryCodes(actor, client)).toEqual({ ok: false, reason: 'noSecondFactor' });

    await emailAddresses.markVerified(userId, (await emailAddresses.primaryOf(userId))!.id);
    expect(await security.startTotp(actor)).toEqual({ ok: true });
    const { secret } = (await totp.pendingEnrolment(userId, 'ada@example.com'))!;
    const right = await totpCode(secret, t.clock.now);
    expect(await security.confirmTotp(actor, right === '000000' ? '111111' : '000000', client)).toEqual({ ok: false, reason: 'wrongCode' });
    const confirmed = await security.confirmTotp(actor, right, client);
    expect(confirmed.ok && confirmed.recoveryCodes?.length).toBe(10);
    expect(await liveIds(userId)).toEqual([here]);
    expect((await security.overview(actor)).totpEnabledAt).not.toBeNull();

    const again = await security.regenerateRecoveryCodes(actor, client);
    expect(again.ok && again.codes.length).toBe(10);

    expect(await security.removeTotp(actor, client)).toEqual({ ok: true });
    expect(await security.overview(actor)).toMatchObject({ totpEnabledAt: null, hasRecoveryCodes: false, primaryEmailVerified: true });
  });

  it('endSession and logOutEverywhere: the own session and another person\'s are refused, the rest end', async () => {
    const { security, sessions, actor, userId, here, elsewhere } = await withAda();
    const grace = await t.app.services.users.create({ email: 'grace@example.com', name: 'Grace', passwordHash: 'x', activated: true }, async () => {});
    const graces = (await sessions.create(grace.id, client)).session.id;
    expect(await security.endSession(actor, here, client)).toEqual({ ok: false, reason: 'currentSession' });
    expect(await security.endSession(actor, graces, client)).toEqual({ ok: false, reason: 'notFound' });
    expect(await liveIds(grace.id)).toEqual([graces]);
    const ended = await security.endSession(actor, elsewhere, client);
    expect(ended).toMatchObject({ ok: true, ended: { id: elsewhere, ipAddress: client.ipAddress } });
    expect(await security.endSession(actor, elsewhere, client)).toEqual({ ok: false, reason: 'notFound' });

    expect(await security.logOutEverywhere(systemActor(userId, 'test'), client)).toEqual({ ok: true });
    expect(await liveIds(userId)).toEqual([]);
  });
});
