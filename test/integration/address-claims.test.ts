import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userEmails, users } from '../../src/auth/tables.ts';
import { mailOutbox } from '../../src/mail/tables.ts';
import { BrowserSession, logIn, signUp, setUpAdministrator } from '../support/browser-session.ts';
import { linkIn } from '../support/mailbox.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let ada: BrowserSession;
let grace: BrowserSession;

beforeEach(async () => {
  t = await createTestApp();
  ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
});
afterEach(async () => {
  await t.close();
});

const userIdOf = async (email: string) => (await t.db.select().from(users).where(eq(users.email, email)).get())?.id ?? -1;
const claimsOn = (address: string) =>
  t.db
    .select({ userId: userEmails.userId, verifiedAt: userEmails.verifiedAt })
    .from(userEmails)
    .where(eq(userEmails.address, address))
    .all();
const waitForMails = async (address: string, count: number) => {
  for (let tries = 0; tries < 200 && t.mail.messagesTo(address).length < count; tries += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  return t.mail.messagesTo(address);
};

describe('an address someone else added but never confirmed', () => {
  it('does not keep its real owner from adding and confirming it; the other claim then gives way and its link dies', async () => {
    await ada.post('/settings/emails', { address: 'shared@example.com' });
    const adaLink = linkIn((await waitForMails('shared@example.com', 1))[0]!, '/verify-email/');

    const added = await grace.post('/settings/emails', { address: 'Shared@Example.com' });
    expect(added.statusCode).toBe(303);
    expect((await claimsOn('shared@example.com')).map((claim) => claim.userId).sort()).toEqual([await userIdOf('ada@example.com'), await userIdOf('grace@example.com')].sort());
    const graceLink = linkIn((await waitForMails('shared@example.com', 2))[1]!, '/verify-email/');
    await grace.get(graceLink);
    expect((await grace.post(graceLink, {})).headers.location).toBe('/settings/emails');

    const claims = await claimsOn('shared@example.com');
    expect(claims).toHaveLength(1);
    expect(claims[0]?.userId).toBe(await userIdOf('grace@example.com'));
    expect(claims[0]?.verifiedAt).toBeInstanceOf(Date);
    expect((await ada.get('/settings/emails')).body).not.toContain('shared@example.com');
    expect((await ada.get(adaLink)).statusCode).toBe(410);
  });

  it('once confirmed, stays taken: nobody else can add it', async () => {
    await grace.post('/settings/emails', { address: 'shared@example.com' });
    const link = linkIn(await t.mail.waitFor('shared@example.com', 'Confirm your e-mail address'), '/verify-email/');
    await grace.get(link);
    await grace.post(link, {});
    const refused = await ada.post('/settings/emails', { address: 'shared@example.com' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('already in use');
    expect(await claimsOn('shared@example.com')).toHaveLength(1);
  });

  it('a primary address stays taken even unconfirmed, and one account cannot claim an address twice', async () => {
    // Ada is the instance's administrator, set up through the link: her primary address is not confirmed yet.
    expect((await claimsOn('ada@example.com'))[0]?.verifiedAt).toBeNull();
    expect((await grace.post('/settings/emails', { address: 'ada@example.com' })).statusCode).toBe(422);
    await ada.post('/settings/emails', { address: 'twice@example.com' });
    expect((await ada.post('/settings/emails', { address: 'twice@example.com' })).statusCode).toBe(422);
    expect(await claimsOn('twice@example.com')).toHaveLength(1);
  });

  it('never counts as the owner\'s for log-in, password resets or sign-up', async () => {
    await ada.post('/settings/emails', { address: 'claimed@example.com' });
    await grace.post('/settings/emails', { address: 'claimed@example.com' });
    await waitForMails('claimed@example.com', 2);

    const forgot = new BrowserSession(t.app);
    await forgot.get('/forgot-password');
    await forgot.post('/forgot-password', { email: 'claimed@example.com' });
    expect((await logIn(t.app, 'claimed@example.com')).response.statusCode).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await t.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'reset-password')).all()).toHaveLength(0);

    // The address's owner signs up with it: both unconfirmed claims are dropped.
    const owner = await signUp(t.app, { email: 'claimed@example.com', name: 'Claire' });
    expect((await owner.get('/settings/account')).statusCode).toBe(200);
    const claims = await claimsOn('claimed@example.com');
    expect(claims).toHaveLength(1);
    expect(claims[0]?.userId).toBe(await userIdOf('claimed@example.com'));
  });

  it('the database itself refuses two owners of one address', async () => {
    const insert = (userId: number, verified: boolean) => () =>
      t.db
        .insert(userEmails)
        .values({ userId, address: 'raced@example.com', isPrimary: false, verifiedAt: verified ? new Date() : null, createdAt: new Date() })
        .run();
    await insert(await userIdOf('ada@example.com'), true)();
    expect(insert(await userIdOf('grace@example.com'), true)).toThrow(/UNIQUE/);
    expect(insert(await userIdOf('ada@example.com'), false)).toThrow(/UNIQUE/);
    await insert(await userIdOf('grace@example.com'), false)();
    expect(await claimsOn('raced@example.com')).toHaveLength(2);
  });
});
