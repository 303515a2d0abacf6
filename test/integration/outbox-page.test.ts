import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mailOutbox } from '../../src/mail/tables.ts';
import { type BrowserSession, setUpAdministrator } from '../support/browser-session.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let admin: BrowserSession;

beforeEach(async () => {
  // No SMTP: nothing leaves the outbox while the test looks at it.
  t = await createTestApp({ SMTP_URL: '' });
  admin = await setUpAdministrator(t.app, { email: 'admin@example.com' });
  const { outbox } = t.app.services;
  // 1 mail from the sign-up, then 29 more: 30 in all.
  for (let index = 1; index <= 29; index += 1) {
    t.clock.advance(60_000);
    await outbox.enqueue({ to: `person${index}@example.com`, subject: index % 2 ? 'Weekly report' : `Notice ${index}`, text: `body ${index}`, html: `<p>body ${index}</p>`, kind: 'test' });
  }
  const rows = await t.db.select({ id: mailOutbox.id, recipient: mailOutbox.recipient }).from(mailOutbox).all();
  for (const row of rows) {
    const number = Number(/person(\d+)@/.exec(row.recipient)?.[1] ?? 0);
    if (number >= 1 && number <= 5) await outbox.markSent(row.id);
    if (number >= 6 && number <= 8) await outbox.markFailed(row.id, 12, 'mailbox unavailable');
  }
});
afterEach(async () => {
  await t.close();
});

const cards = (html: string) => [...html.matchAll(/<section class="card" aria-label="([^"]*)">\s*<h2 id="mail-(\d+)">/g)].map((match) => ({ label: match[1] ?? '', id: Number(match[2]) }));
const recipients = (html: string) => [...html.matchAll(/<dt>To<\/dt><dd>([^<]+)<\/dd>/g)].map((match) => match[1]);

describe('the outbox, a page at a time', () => {
  it('shows the newest 20, and links to the older ones', async () => {
    const first = await admin.get('/admin/outbox');
    expect(first.statusCode).toBe(200);
    expect(cards(first.body)).toHaveLength(20);
    expect(recipients(first.body)[0]).toBe('person29@example.com');
    expect(first.body).toContain('Page 1 of 2');
    expect(first.body).toContain('<a href="/admin/outbox?page=2" rel="next">Older</a>');

    const second = await admin.get('/admin/outbox?page=2');
    expect(cards(second.body)).toHaveLength(10);
    expect(recipients(second.body).at(-1)).toBe('admin@example.com');
    expect(second.body).toContain('<a href="/admin/outbox" rel="prev">Newer</a>');
    // Past the end: the last page.
    const beyond = await admin.get('/admin/outbox?page=99');
    expect(beyond.statusCode).toBe(200);
    expect(beyond.body).toContain('Page 2 of 2');
  });

  it('filters by state with a form that needs no JavaScript, keeping the filter while paging', async () => {
    const page = await admin.get('/admin/outbox');
    expect(page.body).toMatch(/<form method="get" action="\/admin\/outbox"/);
    expect(page.body).toContain('<label for="outbox-state">Messages to show</label>');
    for (const option of ['All mail (30)', 'Waiting (22)', 'Sent (5)', 'Gave up (3)']) expect(page.body).toContain(option);

    const sent = await admin.get('/admin/outbox?state=sent');
    expect(recipients(sent.body).sort()).toEqual(['person1@example.com', 'person2@example.com', 'person3@example.com', 'person4@example.com', 'person5@example.com']);
    expect(sent.body).toContain('<option value="sent" selected>');
    const failed = await admin.get('/admin/outbox?state=failed');
    expect(recipients(failed.body)).toEqual(['person8@example.com', 'person7@example.com', 'person6@example.com']);
    expect(failed.body).toContain('mailbox unavailable');

    const waiting = await admin.get('/admin/outbox?state=waiting');
    expect(cards(waiting.body)).toHaveLength(20);
    expect(waiting.body).toContain('<a href="/admin/outbox?state=waiting&amp;page=2" rel="next">Older</a>');
    const waitingMore = await admin.get('/admin/outbox?state=waiting&page=2');
    expect(recipients(waitingMore.body)).toEqual(['person9@example.com', 'admin@example.com']);

    // Another state (a message being handed over) counts as waiting.
    const id = (await t.db.select({ id: mailOutbox.id }).from(mailOutbox).where(eq(mailOutbox.recipient, 'person29@example.com')).get())?.id ?? 0;
    await t.db.update(mailOutbox).set({ status: 'sending' }).where(eq(mailOutbox.id, id)).run();
    expect(recipients((await admin.get('/admin/outbox?state=waiting')).body)[0]).toBe('person29@example.com');
  });

  it.each([['state=bogus'], ['page=0'], ['page=abc'], ['page=-1'], ['page=1e3'], ['page=99999999999'], ['state=sent&state=failed'], ['page=1&page=2']])(
    'answers a bad query (%s) with 400 and all mail from the start, never a 500',
    async (query) => {
      const response = await admin.get(`/admin/outbox?${query}`);
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('The outbox cannot show that filter or page');
      expect(cards(response.body)).toHaveLength(20);
      expect(response.body).toContain('Page 1 of 2');
    },
  );

  it('ignores query parameters it does not know', async () => {
    expect((await admin.get('/admin/outbox?utm_source=mail&state=sent')).statusCode).toBe(200);
  });

  it('names every card uniquely, even when subjects repeat', async () => {
    const labels = cards((await admin.get('/admin/outbox')).body).map((card) => card.label);
    expect(labels.filter((label) => label.includes('Weekly report')).length).toBeGreaterThan(1);
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels[0]).toMatch(/^Message \d+: Weekly report, to person29@example\.com, /);
  });
});
