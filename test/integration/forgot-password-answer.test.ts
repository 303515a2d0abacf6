import { afterEach, describe, expect, it } from 'vitest';
import { emailTokens } from '../../src/auth/tables.ts';
import { mailOutbox } from '../../src/mail/tables.ts';
import { BrowserSession, signUp } from '../support/browser-session.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

/**
 * SECURITY.md rule 5 without a stopwatch: the answer must not wait for anything that depends on
 * whether the address has an account. Work queued to run after the answer is held back here, so
 * what the database holds when the answer arrives is all the work done before it.
 */
describe('forgot password', () => {
  it('answers known and unknown addresses after the same work, and makes the link only after answering', async () => {
    const held: Array<() => Promise<void>> = [];
    t = await createTestApp({}, { afterReply: (task) => held.push(task) });
    await signUp(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
    const tokensBefore = (await t.db.select().from(emailTokens).all()).length;
    const outboxBefore = (await t.db.select().from(mailOutbox).all()).length;

    const ask = async (email: string) => {
      const browser = new BrowserSession(t.app);
      await browser.get('/forgot-password');
      const heldBefore = held.length;
      const response = await browser.post('/forgot-password', { email });
      for (let tries = 0; tries < 100 && held.length === heldBefore; tries += 1) await new Promise((resolve) => setImmediate(resolve));
      return { response, queued: held.length - heldBefore };
    };
    const known = await ask('ada@example.com');
    const unknown = await ask('nobody@example.com');

    const shape = ({ response, queued }: Awaited<ReturnType<typeof ask>>) => ({
      status: response.statusCode,
      location: response.headers.location,
      cookies: (response.cookies as Array<{ name: string; value: string }>).map((cookie) => [cookie.name, cookie.value]),
      body: response.body,
      queued,
    });
    expect(shape(known)).toEqual(shape(unknown));
    expect(known.queued).toBe(1);
    // Nothing about either address was written before the answers: no link, no mail.
    expect(await t.db.select().from(emailTokens).all()).toHaveLength(tokensBefore);
    expect(await t.db.select().from(mailOutbox).all()).toHaveLength(outboxBefore);

    for (const task of held.splice(0)) await task();
    expect(await t.db.select().from(emailTokens).all()).toHaveLength(tokensBefore + 1);
    const mail = await t.mail.waitFor('ada@example.com', 'Reset your Dials password');
    expect(mail.text).toMatch(/\/reset-password\/[a-z2-7]{32}/);
    expect(t.mail.messagesTo('nobody@example.com')).toHaveLength(0);
  });
});
