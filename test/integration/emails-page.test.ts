import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { securityEvents, sessions, userEmails, users } from '../../src/auth/tables.ts';
import { BrowserSession, logIn, signUp, strongPassword, setUpAdministrator } from '../support/browser-session.ts';
import { linkIn } from '../support/mailbox.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let ada: BrowserSession;

beforeEach(async () => {
  t = await createTestApp();
  ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
});
afterEach(async () => {
  await t.close();
});

const addressesOf = async (email: string) => {
  const id = (await t.db.select().from(users).where(eq(users.email, email)).get())?.id ?? -1;
  return t.db.select().from(userEmails).where(eq(userEmails.userId, id)).all();
};
const idOf = async (address: string) => (await t.db.select().from(userEmails).where(eq(userEmails.address, address)).get())?.id ?? -1;

async function addAndVerify(browser: BrowserSession, address: string) {
  expect((await browser.post('/settings/emails', { address })).statusCode).toBe(303);
  const link = linkIn(await t.mail.waitFor(address, 'Confirm your e-mail address'), '/verify-email/');
  await browser.get(link);
  return browser.post(link, {});
}

describe('the E-mails page', () => {
  it('lists the addresses with their badges', async () => {
    const page = await ada.get('/settings/emails');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('ada@example.com');
    expect(page.body).toContain('Primary');
    expect(page.body).toContain('Not confirmed');
    expect(page.body).toContain('aria-current="page">E-mails<');
  });

  it('adds a secondary address, mails a link, and the link confirms it', async () => {
    const response = await addAndVerify(ada, 'ada.work@example.com');
    expect(response.headers.location).toBe('/settings/emails');
    const page = await ada.get('/settings/emails');
    expect(page.body).toContain('Your e-mail address is confirmed.');
    const work = (await addressesOf('ada@example.com')).find((row) => row.address === 'ada.work@example.com');
    expect(work?.verifiedAt).toBeInstanceOf(Date);
    expect(work?.isPrimary).toBe(false);
  });

  it('refuses a duplicate, another account\'s address and a bad address, each with a clear message', async () => {
    await signUp(t.app, { email: 'grace@example.com', name: 'Grace' });
    for (const [address, message] of [
      ['ada@example.com', 'already in use'],
      ['GRACE@example.com', 'already in use'],
      ['not an address', 'Enter an e-mail address like'],
    ]) {
      const response = await ada.post('/settings/emails', { address: address ?? '' });
      expect(response.statusCode).toBe(422);
      expect(response.body).toContain(message);
    }
    expect(await addressesOf('ada@example.com')).toHaveLength(1);
    const repeated = await ada.post('/settings/emails', { address: ['a1@example.com', 'a2@example.com'] });
    expect(repeated.statusCode).toBe(422);
  });

  it('resends a verification link, but not more than once a minute', async () => {
    await ada.post('/settings/emails', { address: 'ada.work@example.com' });
    await t.mail.waitFor('ada.work@example.com');
    const id = await idOf('ada.work@example.com');
    const soon = await ada.post(`/settings/emails/${id}/resend`, {});
    expect((await ada.get('/settings/emails')).body).toContain('less than a minute ago');
    expect(soon.statusCode).toBe(303);
    t.clock.advance(61_000);
    await ada.post(`/settings/emails/${id}/resend`, {});
    await t.app.services.mailWorker?.runDue();
    for (let tries = 0; tries < 100 && t.mail.messagesTo('ada.work@example.com').length < 2; tries += 1) await new Promise((r) => setTimeout(r, 20));
    expect(t.mail.messagesTo('ada.work@example.com')).toHaveLength(2);
  });

  it('makes a confirmed address primary: log-in name changes, other sessions end, the old address is told', async () => {
    await addAndVerify(ada, 'ada.work@example.com');
    const other = (await logIn(t.app, 'ada@example.com')).browser;
    const id = await idOf('ada.work@example.com');
    const response = await ada.post(`/settings/emails/${id}/primary`, {});
    expect(response.headers.location).toBe('/settings/emails');
    expect((await t.db.select().from(users).get())?.email).toBe('ada.work@example.com');
    expect((await other.get('/settings/account')).statusCode).toBe(303);
    expect((await ada.get('/settings/account')).statusCode).toBe(200);
    await t.mail.waitFor('ada@example.com', 'Your primary e-mail address was changed');
    expect((await logIn(t.app, 'ada.work@example.com')).response.statusCode).toBe(303);
    expect((await t.db.select().from(securityEvents).all()).map((e) => e.type)).toContain('email.primaryChanged');
  });

  it('an unconfirmed address cannot become primary', async () => {
    await ada.post('/settings/emails', { address: 'ada.work@example.com' });
    await ada.post(`/settings/emails/${await idOf('ada.work@example.com')}/primary`, {});
    expect((await ada.get('/settings/emails')).body).toContain('Only a confirmed address can become primary.');
    expect((await t.db.select().from(users).get())?.email).toBe('ada@example.com');
  });

  it('needs a recent password to change the primary address', async () => {
    await addAndVerify(ada, 'ada.work@example.com');
    t.clock.advance(61 * 60_000);
    const response = await ada.post(`/settings/emails/${await idOf('ada.work@example.com')}/primary`, {}, { headers: { referer: 'http://localhost/settings/emails' } });
    expect(response.headers.location).toMatch(/^\/sudo\?next=%2Fsettings%2Femails&resume=/);
    expect((await t.db.select().from(users).get())?.email).toBe('ada@example.com');
    await ada.get('/sudo?next=%2Fsettings%2Femails');
    await ada.post('/sudo', { password: strongPassword, next: '/settings/emails' });
    await ada.get('/settings/emails');
    await ada.post(`/settings/emails/${await idOf('ada.work@example.com')}/primary`, {});
    expect((await t.db.select().from(users).get())?.email).toBe('ada.work@example.com');
  });

  it('removes a secondary address after a confirmation; the primary cannot be removed', async () => {
    await ada.post('/settings/emails', { address: 'old@example.com' });
    const id = await idOf('old@example.com');
    expect((await ada.get(`/settings/emails/${id}/remove`)).body).toContain('Remove this address?');
    expect(await addressesOf('ada@example.com')).toHaveLength(2);
    expect((await ada.post(`/settings/emails/${id}/remove`, {})).statusCode).toBe(303);
    expect(await addressesOf('ada@example.com')).toHaveLength(1);
    await t.mail.waitFor('ada@example.com', 'An e-mail address was removed from your account');

    const primary = await idOf('ada@example.com');
    await ada.post(`/settings/emails/${primary}/remove`, {});
    expect((await ada.get('/settings/emails')).body).toContain('Your primary address cannot be removed.');
    expect(await addressesOf('ada@example.com')).toHaveLength(1);
  });

  it('another person\'s address id is a 404 and nothing changes', async () => {
    const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace' });
    await grace.post('/settings/emails', { address: 'grace.work@example.com' });
    const id = await idOf('grace.work@example.com');
    for (const action of ['resend', 'primary', 'remove']) {
      expect((await ada.post(`/settings/emails/${id}/${action}`, {})).statusCode).toBe(404);
    }
    expect((await ada.get(`/settings/emails/${id}/remove`)).statusCode).toBe(404);
    expect((await ada.post('/settings/emails/not-a-number/remove', {})).statusCode).toBe(404);
    expect(await addressesOf('grace@example.com')).toHaveLength(2);
    expect((await t.db.select().from(sessions).all()).length).toBeGreaterThan(0);
  });
});

describe('review fixes', () => {
  it('adding or removing an address needs a recent password, and the primary address hears of an addition', async () => {
    t.clock.advance(61 * 60_000);
    const late = await ada.post('/settings/emails', { address: 'sneaky@example.com' });
    expect(late.headers.location).toMatch(/^\/sudo\?next=/);
    expect(await addressesOf('ada@example.com')).toHaveLength(1);
    await ada.get('/sudo');
    await ada.post('/sudo', { password: strongPassword });
    await ada.get('/settings/emails');
    expect((await ada.post('/settings/emails', { address: 'sneaky@example.com' })).statusCode).toBe(303);
    const notice = await t.mail.waitFor('ada@example.com', 'A new e-mail address was added to your account');
    expect(notice.text).toContain('sneaky@example.com');
  });

  it('allows ten additions a day, then says to wait', async () => {
    for (let index = 0; index < 10; index += 1) {
      await ada.post('/settings/emails', { address: `extra${index}@example.com` });
      if (index % 4 === 3) {
        const page = await ada.get('/settings/emails');
        for (const id of [...page.body.matchAll(/\/settings\/emails\/(\d+)\/remove/g)].map((match) => match[1])) await ada.post(`/settings/emails/${id}/remove`, {});
      }
    }
    const refused = await ada.post('/settings/emails', { address: 'one-too-many@example.com' });
    expect(refused.statusCode).toBe(429);
    expect(refused.body).toContain('Try again tomorrow');
  });

  it('someone else\'s unconfirmed address does not keep its owner from signing up', async () => {
    await ada.post('/settings/emails', { address: 'newcomer@example.com' });
    const newcomer = await signUp(t.app, { email: 'newcomer@example.com', name: 'Newcomer' });
    expect((await newcomer.get('/settings/account')).statusCode).toBe(200);
    expect((await addressesOf('ada@example.com')).map((row) => row.address)).toEqual(['ada@example.com']);
  });

  it('the outbox does not show another person\'s password-reset link to the administrator', async () => {
    await t.close();
    t = await createTestApp({ SMTP_URL: '' });
    const admin = await setUpAdministrator(t.app, { email: 'admin@example.com' });
    const outsider = new BrowserSession(t.app);
    await outsider.get('/signup');
    await outsider.post('/signup', { name: 'Bea', email: 'bea@example.com', password: strongPassword, timezone: '' });
    await outsider.get('/forgot-password');
    await outsider.post('/forgot-password', { email: 'bea@example.com' });
    // The reset link is made just after the answer (so its timing tells nothing).
    let outbox = await admin.get('/admin/outbox');
    for (let tries = 0; tries < 100 && !outbox.body.includes('Reset your Dials password'); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      outbox = await admin.get('/admin/outbox');
    }
    expect(outbox.body).toContain('Reset your Dials password');
    expect(outbox.body).not.toMatch(/\/reset-password\/[a-z2-7]{32}/);
    expect(outbox.body).toContain('is not shown');
  });
});
