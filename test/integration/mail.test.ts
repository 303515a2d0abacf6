import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { closeDatabase, openDatabase } from '../../src/db/client.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { mailOutbox } from '../../src/mail/tables.ts';
import { translatorFor } from '../../src/web/i18n.ts';
import { BrowserSession, logIn, signUp, setUpAdministrator } from '../support/browser-session.ts';
import { enrolTotp } from '../support/totp.ts';
import { Mailbox } from '../support/mailbox.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const forgot = async (app: TestApp['app'], email: string) => {
  const browser = new BrowserSession(app);
  await browser.get('/forgot-password');
  return browser.post('/forgot-password', { email });
};

describe('messages', () => {
  it('have HTML and plain-text parts in the recipient\'s language, with times in their format', async () => {
    t = await createTestApp();
    await signUp(t.app, { email: 'admin@example.com' });
    const hans = await signUp(t.app, { email: 'hans@example.com', name: 'Hans' }, { 'accept-language': 'de' });
    const subject = translatorFor('de')('mail.verifySignup.subject');
    const verification = await t.mail.waitFor('hans@example.com', subject);
    expect(verification.html).toContain('<html lang="de">');
    // Nothing is confirmed yet, so the greeting names no one (the name was typed by whoever signed up).
    expect(verification.text).toContain(translatorFor('de')('mail.greetingAnonymous'));

    await hans.post('/settings/account/preferences', { stackTraceOrder: 'default', language: 'de', timezone: 'Asia/Tokyo', dateFormat: 'iso', theme: 'system', clock24h: 'on' });
    await hans.post('/settings/security/password', { currentPassword: 'correct horse battery staple', newPassword: 'ein ganz neues langes Passwort', confirmPassword: 'ein ganz neues langes Passwort' });
    const notice = await t.mail.waitFor('hans@example.com', translatorFor('de')('mail.notice.passwordChanged.subject'));
    expect(notice.text).toContain('2026-03-10 23:05 GMT+9');
    expect(notice.text).toContain(translatorFor('de')('mail.greeting', { name: 'Hans' }));
  });
});

describe('security notices', () => {
  it('are mailed when a second factor is added or removed and when a recovery code is used', async () => {
    t = await createTestApp();
    const ada = await signUp(t.app, { email: 'ada@example.com' });
    const { recoveryCodes } = await enrolTotp(ada, () => t.clock.now);
    await t.mail.waitFor('ada@example.com', 'Two-factor authentication was turned on');

    const { browser } = await logIn(t.app, 'ada@example.com');
    await browser.get('/login/two-factor');
    await browser.post('/login/two-factor', { recoveryCode: recoveryCodes[0] ?? '' });
    const used = await t.mail.waitFor('ada@example.com', 'A recovery code was used');
    expect(used.text).toMatch(/When: 03\/10\/2026 2:05 PM UTC/);

    await ada.post('/settings/security/recovery-codes', {});
    await t.mail.waitFor('ada@example.com', 'New recovery codes were generated');

    await ada.post('/settings/security/two-factor/app/remove', {});
    await t.mail.waitFor('ada@example.com', 'Two-factor authentication was turned off');
  });
});

describe('delivery', () => {
  it('an SMTP outage delays mail but loses none, and sends none twice', async () => {
    t = await createTestApp();
    await signUp(t.app, { email: 'ada@example.com' });
    const port = t.mail.port;
    await t.mail.stop();
    for (let index = 0; index < 3; index += 1) await forgot(t.app, 'ada@example.com');
    await t.app.services.mailWorker?.runDue();
    const waiting = await t.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'reset-password')).all();
    expect(waiting).toHaveLength(3);
    for (const row of waiting) {
      expect(row.status).toBe('queued');
      expect(row.attempts).toBe(1);
      expect(row.lastError).toMatch(/ECONNREFUSED/);
    }

    await t.mail.start(port);
    await t.app.services.mailWorker?.runDue();
    expect(t.mail.messagesTo('ada@example.com').filter((m) => m.subject.includes('Reset'))).toHaveLength(0);
    t.clock.advance(2 * 60_000);
    await t.app.services.mailWorker?.runDue();
    await t.app.services.mailWorker?.runDue();
    const delivered = t.mail.messagesTo('ada@example.com').filter((m) => m.subject.includes('Reset'));
    expect(delivered).toHaveLength(3);
    expect(new Set(delivered.map((m) => m.messageId)).size).toBe(3);
    for (const row of await t.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'reset-password')).all()) {
      expect(row.status).toBe('sent');
      expect(row.sealedText).toBeNull();
    }
  });

  it('mail queued before a restart goes out after it, exactly once', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-restart-'));
    const mailbox = new Mailbox();
    await mailbox.start();
    const port = mailbox.port;
    await mailbox.stop();
    const config = loadConfig({ DATA_DIR: dataDir, SMTP_URL: `smtp://127.0.0.1:${port}` });
    const start = async () => {
      const db = openDatabase(config.databaseFile);
      applyMigrations(db);
      const app = await buildApp(config, { db });
      await app.ready();
      return { app, db };
    };
    t = { close: async () => fs.rmSync(dataDir, { recursive: true, force: true }) } as TestApp;

    const first = await start();
    const browser = new BrowserSession(first.app);
    await browser.get('/signup');
    await browser.post('/signup', { name: 'Ada', email: 'ada@example.com', password: 'correct horse battery staple', timezone: '' });
    await first.app.services.mailWorker?.runDue();
    await first.app.close();
    closeDatabase(first.db);

    await mailbox.start(port);
    const second = await start();
    // The failed attempt set the next try a minute ahead; the restarted worker honours it.
    await second.db.update(mailOutbox).set({ nextAttemptAt: new Date() }).run();
    await second.app.services.mailWorker?.runDue();
    await second.app.services.mailWorker?.runDue();
    expect(mailbox.messagesTo('ada@example.com')).toHaveLength(1);
    await second.app.close();
    closeDatabase(second.db);
    await mailbox.stop();
  });

  it('without SMTP, Dials works, says so at start, and the administrator reads mail in the outbox', async () => {
    const lines: string[] = [];
    const logger = {
      level: 'warn',
      stream: {
        write: (line: string) => {
          lines.push(line);
        },
      },
    };
    t = await createTestApp({ SMTP_URL: '' }, { logger });
    expect(lines.join('\n')).toContain('mail is not being delivered');
    const admin = await setUpAdministrator(t.app, { email: 'admin@example.com' });
    const outbox = await admin.get('/admin/outbox');
    expect(outbox.statusCode).toBe(200);
    expect(outbox.body).toContain('Mail is not being delivered');
    expect(outbox.body).toContain('admin@example.com');
    expect(outbox.body).toMatch(/\/verify-email\/[a-z2-7]{32}/);
    expect(outbox.body).toContain('href="/admin/outbox"');

    const stranger = new BrowserSession(t.app);
    await stranger.get('/signup');
    await stranger.post('/signup', { name: 'Bea', email: 'bea@example.com', password: 'correct horse battery staple', timezone: '' });
    const beaLink = /\/verify-email\/([a-z2-7]{32})/.exec((await admin.get('/admin/outbox')).body.split('<dd>bea@example.com</dd>')[1] ?? '')?.[0];
    expect(beaLink).toBeDefined();
    await stranger.get(beaLink ?? '');
    const verified = await stranger.post(beaLink ?? '', { password: 'correct horse battery staple' });
    expect(verified.headers.location).toBe('/settings/account');
    expect((await stranger.get('/admin/outbox')).statusCode).toBe(404);
  });
});
