import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { userEmails } from '../../src/auth/tables.ts';
import { mailOutbox } from '../../src/mail/tables.ts';
import { loggerOptions } from '../../src/logging.ts';
import { BrowserSession, logIn, signUp, strongPassword } from '../support/browser-session.ts';
import { linkIn } from '../support/mailbox.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { enrolTotp, totpCode } from '../support/totp.ts';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const verifiedAtOf = async (address: string) => (await t.db.select().from(userEmails).where(eq(userEmails.address, address)).get())?.verifiedAt ?? null;

/** Ada adds an address (as if she mistyped it) and the confirmation link goes to whoever owns that mailbox. */
async function addressAddedByAda(address = 'typo@example.com') {
  const ada = await signUp(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  expect((await ada.post('/settings/emails', { address })).statusCode).toBe(303);
  const link = linkIn(await t.mail.waitFor(address, 'Confirm your e-mail address'), '/verify-email/');
  return { ada, link };
}

describe('the link that confirms an added address', () => {
  it('does nothing for a signed-out visitor: they are sent to log in, and a reset to the address then opens nothing', async () => {
    t = await createTestApp();
    const { link } = await addressAddedByAda();
    const stranger = new BrowserSession(t.app);
    const opened = await stranger.get(link);
    expect(opened.statusCode).toBe(303);
    expect(opened.headers.location).toBe(`/login?next=${encodeURIComponent(link)}`);
    const login = await stranger.get(String(opened.headers.location));
    expect(login.body).toContain('Log in with the account this address was added to');
    expect(login.body).toContain(`name="next" value="${link}"`);

    const pressed = await stranger.post(link, {});
    expect(pressed.statusCode).toBe(303);
    expect(pressed.headers.location).toBe(`/login?next=${encodeURIComponent(link)}`);
    expect(await verifiedAtOf('typo@example.com')).toBeNull();

    await stranger.get('/forgot-password');
    await stranger.post('/forgot-password', { email: 'typo@example.com' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await t.db.select().from(mailOutbox).where(eq(mailOutbox.recipient, 'typo@example.com')).all()).map((row) => row.kind)).toEqual(['verify-email']);
  });

  it('brings the account owner back to the button after log-in, and the press confirms it', async () => {
    t = await createTestApp();
    const { link } = await addressAddedByAda('ada.work@example.com');
    const browser = new BrowserSession(t.app);
    const opened = await browser.get(link);
    await browser.get(String(opened.headers.location));
    const loggedIn = await browser.post('/login', { email: 'ada@example.com', password: strongPassword, next: link });
    expect(loggedIn.headers.location).toBe(link);
    const page = await browser.get(link);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Confirm that ada.work@example.com is your address.');
    const confirmed = await browser.post(link, {});
    expect(confirmed.headers.location).toBe('/settings/emails');
    expect(await verifiedAtOf('ada.work@example.com')).toBeInstanceOf(Date);
  });

  it('comes back to the button through the second-factor step too, and the link never reaches the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    t = await createTestApp({}, { logger: { ...(loggerOptions('trace') as object), stream: sink } });
    const ada = await signUp(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
    const { secret } = await enrolTotp(ada, () => t.clock.now);
    t.clock.advance(60_000);
    await ada.post('/settings/emails', { address: 'ada.work@example.com' });
    const link = linkIn(await t.mail.waitFor('ada.work@example.com', 'Confirm your e-mail address'), '/verify-email/');

    const browser = new BrowserSession(t.app);
    const opened = await browser.get(link);
    await browser.get(String(opened.headers.location));
    const password = await browser.post('/login', { email: 'ada@example.com', password: strongPassword, next: link });
    expect(password.headers.location).toBe('/login/two-factor');
    await browser.get('/login/two-factor');
    const second = await browser.post('/login/two-factor', { code: await totpCode(secret, t.clock.now) });
    expect(second.headers.location).toBe(link);
    await browser.get(link);
    expect((await browser.post(link, {})).headers.location).toBe('/settings/emails');
    expect(await verifiedAtOf('ada.work@example.com')).toBeInstanceOf(Date);

    const log = lines.join('\n');
    expect(log).toContain('/verify-email/[redacted]');
    expect(log).not.toContain(link.split('/').pop());
  });

  it('shows someone signed in as another account that the link is not theirs, and confirms nothing (GET and POST)', async () => {
    t = await createTestApp();
    const { ada, link } = await addressAddedByAda();
    const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    const page = await grace.get(link);
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('This link belongs to another account');
    expect(page.body).not.toContain('ada@example.com');
    expect(page.body).not.toContain('action="/verify-email/');
    const pressed = await grace.post(link, {});
    expect(pressed.statusCode).toBe(403);
    expect(await verifiedAtOf('typo@example.com')).toBeNull();

    // The link was not used up: its owner can still confirm with it.
    await ada.get(link);
    expect((await ada.post(link, {})).headers.location).toBe('/settings/emails');
    expect(await verifiedAtOf('typo@example.com')).toBeInstanceOf(Date);
  });

  it('still finishes a sign-up only with the sign-up password', async () => {
    t = await createTestApp();
    await signUp(t.app, { email: 'admin@example.com' });
    const browser = new BrowserSession(t.app);
    await browser.get('/signup');
    await browser.post('/signup', { name: 'Bea', email: 'bea@example.com', password: strongPassword, timezone: '' });
    const link = linkIn(await t.mail.waitFor('bea@example.com', 'finish signing up'), '/verify-email/');
    const visitor = new BrowserSession(t.app);
    expect((await visitor.get(link)).statusCode).toBe(200);
    expect((await visitor.post(link, {})).statusCode).toBe(422);
    expect((await visitor.post(link, { password: strongPassword })).headers.location).toBe('/settings/account');
    expect((await logIn(t.app, 'bea@example.com')).response.statusCode).toBe(303);
  });
});

describe('links opened while logged in', () => {
  it('a used link offers the way back to the settings, not a log-in', async () => {
    t = await createTestApp();
    const { ada, link } = await addressAddedByAda();
    await ada.get(link);
    expect((await ada.post(link, {})).statusCode).toBe(303);
    const again = await ada.get(link);
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('Back to your settings');
    expect(again.body).not.toContain('href="/login"');
  });

  it('someone else\'s sign-up link says that finishing it logs out of the account in use', async () => {
    t = await createTestApp();
    const ada = await signUp(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
    const visitor = new BrowserSession(t.app);
    await visitor.get('/signup');
    await visitor.post('/signup', { name: 'Carol Danvers', email: 'carol@example.com', password: strongPassword });
    const link = linkIn(await t.mail.waitFor('carol@example.com', 'Confirm your address to finish signing up'), '/verify-email/');
    const page = await ada.get(link);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('You are logged in as Ada Lovelace. Finishing this sign-up logs you out of that account');
  });
});
