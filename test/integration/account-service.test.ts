import { afterEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/lib/actor.ts';
import { appWithAda } from '../support/service-caller.ts';
import type { TestApp } from '../support/test-app.ts';

/** The account service called directly, as a job or an API handler would: each result of its unions. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

async function withAda() {
  const ready = await appWithAda();
  t = ready.t;
  return { userId: ready.userId, account: t.app.services.account, actor: systemActor(ready.userId, 'account service test') };
}

/** A small PNG, made the way a person's picture would arrive. */
async function picture(): Promise<Buffer> {
  const sharp = (await import('sharp')).default;
  return sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 80, b: 20 } } })
    .png()
    .toBuffer();
}

describe('account service', () => {
  it('saveDetails: renames the person the actor acts for', async () => {
    const { account, actor, userId } = await withAda();
    expect(await account.saveDetails(actor, { name: 'Augusta Ada King' })).toEqual({ ok: true });
    expect((await t.app.services.users.profile(userId))?.name).toBe('Augusta Ada King');
  });

  it('savePreferences and saveTimeZone: store the choice, which the next read returns', async () => {
    const { account, actor, userId } = await withAda();
    const choice = { stackTraceOrder: 'caller-first', language: 'de', timezone: 'Europe/Berlin', clock24h: true, dateFormat: 'iso', theme: 'dark' } as const;
    expect(await account.savePreferences(actor, choice)).toEqual({ ok: true });
    expect(await account.preferences(userId)).toMatchObject({ stackTraceOrder: 'caller-first', language: 'de', timeZone: 'Europe/Berlin', clock24h: true, dateFormat: 'iso', theme: 'dark' });
    expect(await account.saveTimeZone(actor, 'Asia/Kolkata')).toEqual({ ok: true });
    expect((await account.preferences(userId)).timeZone).toBe('Asia/Kolkata');
  });

  it('saveAvatar: refuses "uploaded picture" with none sent or kept, and a file that is not a picture, each with its reason', async () => {
    const { account, actor, userId } = await withAda();
    expect(await account.saveAvatar(actor, { avatarType: 'upload' })).toEqual({ ok: false, reason: 'missing' });
    expect(await account.saveAvatar(actor, { avatarType: 'upload', upload: Buffer.from('not a picture at all') })).toEqual({ ok: false, reason: 'notAnImage' });
    expect(await account.saveAvatar(actor, { avatarType: 'upload', upload: Buffer.alloc(3 * 1024 * 1024) })).toEqual({ ok: false, reason: 'tooLarge' });
    expect((await account.preferences(userId)).avatarType).toBe('initials');
    expect(await account.avatarImage(userId)).toBeNull();
  });

  it('saveAvatar: keeps an uploaded picture, answers with the preferences that show it, and keeps it while another avatar is chosen', async () => {
    const { account, actor, userId } = await withAda();
    const uploaded = await account.saveAvatar(actor, { avatarType: 'upload', upload: await picture() });
    expect(uploaded).toMatchObject({ ok: true, preferences: { avatarType: 'upload', avatarVersion: 1 } });
    expect((await account.avatarImage(userId))?.version).toBe(1);
    expect(await account.saveAvatar(actor, { avatarType: 'initials' })).toMatchObject({ ok: true, preferences: { avatarType: 'initials', avatarVersion: 2 } });
    expect(await account.avatarImage(userId)).toBeNull();
    // Back to the picture without sending it again: the kept one is shown.
    expect(await account.saveAvatar(actor, { avatarType: 'upload' })).toMatchObject({ ok: true, preferences: { avatarType: 'upload', avatarVersion: 3 } });
    expect((await account.avatarImage(userId))?.version).toBe(3);
  });
});
