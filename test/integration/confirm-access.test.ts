import { afterEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/lib/actor.ts';
import { strongPassword } from '../support/browser-session.ts';
import { appWithAdaLoggedIn, serviceTestClient } from '../support/service-caller.ts';
import type { TestApp } from '../support/test-app.ts';
import { totpCode } from '../support/totp.ts';

/** "Confirm access" called directly: each result of its union. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const client = serviceTestClient;

async function withAda() {
  const ready = await appWithAdaLoggedIn();
  t = ready.t;
  return { userId: ready.userId, confirm: t.app.services.accessConfirmation.confirm, actor: ready.actor, sessionId: ready.here };
}

describe('confirm access', () => {
  it('needs the password; only a person in their own live session can confirm', async () => {
    const { confirm, actor, userId, sessionId } = await withAda();
    expect(await confirm(actor, { password: 'not the password at all' }, client)).toEqual({ ok: false, reason: 'wrongPassword' });
    expect(await confirm(actor, { password: strongPassword }, client)).toEqual({ ok: true });
    expect(await confirm(systemActor(userId, 'test'), { password: strongPassword }, client)).toEqual({ ok: false, reason: 'stale' });
    expect(await confirm({ via: 'support', userId, sessionId, staffUserId: userId }, { password: strongPassword }, client)).toEqual({ ok: false, reason: 'stale' });
    await t.app.services.sessions.invalidate(sessionId);
    expect(await confirm(actor, { password: strongPassword }, client)).toEqual({ ok: false, reason: 'stale' });
  });

  it('asks for the second factor when one is enrolled', async () => {
    const { confirm, actor, userId } = await withAda();
    const { emailAddresses, totp } = t.app.services;
    await emailAddresses.markVerified(userId, (await emailAddresses.primaryOf(userId))!.id);
    const { secret } = await totp.startEnrolment(userId, 'ada@example.com');
    expect(await totp.confirmEnrolment(userId, await totpCode(secret, t.clock.now))).toBe('enabled');
    t.clock.advance(30_000);
    expect(await confirm(actor, { password: strongPassword }, client)).toEqual({ ok: false, reason: 'codeRequired' });
    const right = await totpCode(secret, t.clock.now);
    expect(await confirm(actor, { password: strongPassword, code: right === '000000' ? '111111' : '000000' }, client)).toEqual({ ok: false, reason: 'wrongCode' });
    expect(await confirm(actor, { password: strongPassword, recoveryCode: 'AAAA-BBBB' }, client)).toEqual({ ok: false, reason: 'wrongRecoveryCode' });
    expect(await confirm(actor, { password: strongPassword, code: right }, client)).toEqual({ ok: true });
  });

  it('counts wrong passwords against the log-in limits', async () => {
    const { confirm, actor } = await withAda();
    for (let attempt = 0; attempt < 10; attempt++) await confirm(actor, { password: 'not the password at all' }, client);
    expect(await confirm(actor, { password: strongPassword }, client)).toMatchObject({ ok: false, reason: 'tooManyAttempts', retryAfterSeconds: expect.any(Number) });
  });
});
