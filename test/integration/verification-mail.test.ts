import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { userEmails } from '../../src/auth/tables.ts';
import { mailOutbox } from '../../src/mail/tables.ts';
import { BrowserSession, signUp, strongPassword, setUpAdministrator } from '../support/browser-session.ts';
import { linkIn, type ReceivedMail } from '../support/mailbox.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const strangerName = 'URGENT: verify at https://evil.example/login';
const idOf = async (address: string) => (await t.db.select().from(userEmails).where(eq(userEmails.address, address)).get())?.id ?? -1;
const linksQueuedTo = async (address: string) =>
  (await t.db.select().from(mailOutbox).where(and(eq(mailOutbox.recipient, address), eq(mailOutbox.kind, 'verify-email'))).all()).length;
const flashOf = async (browser: BrowserSession, path: string) => /<div class="flash[^"]*"[^>]*>([^<]*)<\/div>/.exec((await browser.get(path)).body)?.[1] ?? '';

function expectNoStrangerText(mail: ReceivedMail) {
  for (const part of [mail.subject, mail.text, mail.html]) {
    expect(part).not.toContain('URGENT');
    expect(part).not.toContain('evil.example');
  }
  expect(mail.text.startsWith('Hello,')).toBe(true);
}

describe('mail to an address nobody has confirmed yet', () => {
  it('carries no name typed at sign-up: not in the greeting, the subject or the body', async () => {
    t = await createTestApp();
    await setUpAdministrator(t.app, { email: 'admin@example.com', name: strangerName });
    expectNoStrangerText(await t.mail.waitFor('admin@example.com', 'Confirm your e-mail address'));

    const browser = new BrowserSession(t.app);
    await browser.get('/signup');
    await browser.post('/signup', { name: strangerName, email: 'victim@example.com', password: strongPassword, timezone: '' });
    expectNoStrangerText(await t.mail.waitFor('victim@example.com', 'finish signing up'));
  });

  it('carries no name of the account that added the address', async () => {
    t = await createTestApp();
    const admin = await setUpAdministrator(t.app, { email: 'admin@example.com', name: strangerName });
    await admin.post('/settings/emails', { address: 'someone@example.com' });
    expectNoStrangerText(await t.mail.waitFor('someone@example.com', 'Confirm your e-mail address'));
    // The administrator's own primary address is not confirmed yet either: its notice names no one.
    expectNoStrangerText(await t.mail.waitFor('admin@example.com', 'A new e-mail address was added'));

    // A confirmed address is greeted by its account's name, as before.
    const sender = await signUp(t.app, { email: 'sender@example.com', name: 'Sam Sender' });
    await sender.post('/settings/emails', { address: 'other@example.com' });
    expectNoStrangerText(await t.mail.waitFor('other@example.com', 'Confirm your e-mail address'));
    expect((await t.mail.waitFor('sender@example.com', 'A new e-mail address was added')).text).toContain('Hello Sam Sender,');
  });
});

describe('sending a confirmation link again', () => {
  it('stops at 5 links a day to one address, removing and adding it again included, with a clear message', async () => {
    t = await createTestApp();
    const ada = await signUp(t.app, { email: 'ada@example.com' });
    await ada.post('/settings/emails', { address: 'spam@example.com' });
    for (let resend = 1; resend <= 4; resend += 1) {
      t.clock.advance(61_000);
      await ada.post(`/settings/emails/${await idOf('spam@example.com')}/resend`, {});
      expect(await flashOf(ada, '/settings/emails')).toContain('We sent a new link');
    }
    t.clock.advance(61_000);
    const refused = await ada.post(`/settings/emails/${await idOf('spam@example.com')}/resend`, {});
    expect(refused.statusCode).toBe(303);
    expect(await flashOf(ada, '/settings/emails')).toContain('This address has been sent 5 confirmation links in the last 24 hours');
    expect(await linksQueuedTo('spam@example.com')).toBe(5);

    // Removing and adding the address again does not start a new count, nor send another link.
    await ada.post(`/settings/emails/${await idOf('spam@example.com')}/remove`, {});
    const readded = await ada.post('/settings/emails', { address: 'spam@example.com' });
    expect(readded.statusCode).toBe(429);
    expect(readded.body).toContain('This address has been sent 5 confirmation links in the last 24 hours');
    expect(await linksQueuedTo('spam@example.com')).toBe(5);

    // A day later it can be added again, and gets its link.
    t.clock.advance(24 * 60 * 60_000);
    await ada.get('/sudo');
    await ada.post('/sudo', { password: strongPassword, next: '/settings/emails' });
    await ada.get('/settings/emails');
    expect((await ada.post('/settings/emails', { address: 'spam@example.com' })).statusCode).toBe(303);
    expect(await linksQueuedTo('spam@example.com')).toBe(6);
  });

  it('stops at 20 links a day for one account, over all its addresses', async () => {
    t = await createTestApp();
    const ada = await signUp(t.app, { email: 'ada@example.com' });
    const addresses = Array.from({ length: 9 }, (_, index) => `stranger${index}@example.com`);
    for (const address of addresses) await ada.post('/settings/emails', { address });
    let refusal = '';
    for (let round = 0; round < 4 && !refusal; round += 1) {
      t.clock.advance(61_000);
      for (const address of addresses) {
        await ada.post(`/settings/emails/${await idOf(address)}/resend`, {});
        const message = await flashOf(ada, '/settings/emails');
        if (!message.includes('We sent a new link')) {
          refusal = message;
          break;
        }
      }
    }
    expect(refusal).toContain('Your account has sent 20 confirmation links in the last 24 hours');
    expect((await Promise.all(addresses.map(linksQueuedTo))).reduce((sum, count) => sum + count, 0)).toBe(20);

    // Adding an address would mail a link too: refused for the day, with the reason next to the field.
    await ada.post(`/settings/emails/${await idOf(addresses[0]!)}/remove`, {});
    const added = await ada.post('/settings/emails', { address: 'one-more@example.com' });
    expect(added.statusCode).toBe(429);
    expect(added.body).toContain('so no more addresses can be added today');
    expect(await linksQueuedTo('one-more@example.com')).toBe(0);
  });
});

describe('an unconfirmed primary address (an administrator made through the set-up link starts with one)', () => {
  it('is said on the account and e-mails pages from the start, with a resend button that works and is paced', async () => {
    t = await createTestApp();
    const admin = await setUpAdministrator(t.app, { email: 'admin@example.com', name: 'Admin' });
    const notice = 'Your primary address admin@example.com is not confirmed yet.';
    const account = await admin.get('/settings/account');
    expect(account.body).toContain(notice);
    expect(account.body).toContain(`action="/settings/emails/${await idOf('admin@example.com')}/resend"`);
    expect((await admin.get('/settings/emails')).body).toContain(notice);

    await t.mail.waitFor('admin@example.com', 'Confirm your e-mail address');
    t.clock.advance(61_000);
    const resent = await admin.post(`/settings/emails/${await idOf('admin@example.com')}/resend`, { back: 'account' });
    expect(resent.headers.location).toBe('/settings/account');
    expect(await flashOf(admin, '/settings/account')).toContain('We sent a new link');
    const soon = await admin.post(`/settings/emails/${await idOf('admin@example.com')}/resend`, { back: 'account' });
    expect(soon.headers.location).toBe('/settings/account');
    expect(await flashOf(admin, '/settings/account')).toContain('less than a minute ago');
    expect((await admin.post(`/settings/emails/${await idOf('admin@example.com')}/resend`, { back: 'https://evil.example' })).statusCode).toBe(404);

    for (let tries = 0; tries < 200 && t.mail.messagesTo('admin@example.com').length < 2; tries += 1) await new Promise((resolve) => setTimeout(resolve, 20));
    const link = linkIn(t.mail.messagesTo('admin@example.com').at(-1)!, '/verify-email/');
    await admin.get(link);
    await admin.post(link, {});
    expect((await admin.get('/settings/account')).body).not.toContain('is not confirmed yet');
    expect((await admin.get('/settings/emails')).body).not.toContain('is not confirmed yet');
  });
});
