import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteOf } from '../../src/db/client.ts';
import { systemActor, type Actor } from '../../src/lib/actor.ts';
import { readOrganizationActivity } from '../../src/platform/weekly-activity.ts';
import { logIn, setUpAdministrator, type BrowserSession } from '../support/browser-session.ts';
import { shownText } from '../support/html-text.ts';
import { receipt, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * How far back the weekly report page goes, what the reading behind it reads for an old week, and a
 * viewer whose saved zone the runtime does not know.
 */

let t: TestApp;
let ada: BrowserSession;
let adaActor: Actor;
let adaId = 0;
let organizationId = 0;
const at = (iso: string) => Date.parse(iso);

async function event(fingerprint: string, occurredAt: string) {
  t.clock.now = at(occurredAt) + 60_000;
  const answer = await t.app.services.platform.reports.errorEvent(adaActor, 'acme', { project: 'web', fingerprint, title: `Problem ${fingerprint}`, level: 'error', occurredAt: new Date(at(occurredAt)), message: 'it broke', frames: [] }, receipt());
  expect(answer.ok).toBe(true);
  return answer.ok ? (JSON.parse(answer.answer.body) as { issue: { id: number } }).issue.id : 0;
}

async function activity(issueId: number, when: string, kind: 'resolved' | 'unresolved') {
  t.clock.now = at(when);
  const answer = await t.app.services.platform.reports.issueActivity(adaActor, 'acme', { issueId, activity: { kind } }, receipt());
  expect(answer.ok).toBe(true);
}

let early = 0;
let later = 0;

beforeAll(async () => {
  t = await createTestApp();
  ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  adaId = (await rowsOf(t, 'users')).find((row) => row.email === 'ada@example.com')?.id as number;
  adaActor = systemActor(adaId, 'weekly report bounds test');
  t.clock.now = at('2026-02-01T09:00:00Z');
  const made = await t.app.services.platform.organizations.create(adaActor, { name: 'Acme', slug: 'acme' });
  if (!made.ok) throw new Error(made.reason);
  organizationId = made.organization.id;
  const project = await t.app.services.platform.organizations.createProject(adaActor, 'acme', { name: 'Web', slug: 'web' });
  if (!project.ok) throw new Error(project.reason);
  // 2026-W10 (2 to 8 March): issue "early" seen, resolved in the week; resolved and reopened many times after.
  early = await event('early', '2026-03-03T10:00:00Z');
  await activity(early, '2026-03-04T10:00:00Z', 'resolved');
  for (let week = 0; week < 6; week += 1) {
    await activity(early, new Date(at('2026-03-16T10:00:00Z') + week * 7 * 86_400_000).toISOString(), 'unresolved');
    await activity(early, new Date(at('2026-03-17T10:00:00Z') + week * 7 * 86_400_000).toISOString(), 'resolved');
  }
  // An issue first seen weeks later.
  later = await event('later', '2026-04-20T10:00:00Z');
  await activity(later, '2026-04-21T10:00:00Z', 'resolved');
  t.clock.now = at('2026-05-06T12:00:00Z');
  ada = (await logIn(t.app, 'ada@example.com')).browser;
});
afterAll(async () => {
  await t.close();
});

describe('the reading for an old week', () => {
  it('reads only the issues of the span, their changes in it and the first change after it', async () => {
    const activityRead = await readOrganizationActivity(t.db, organizationId, { from: at('2026-03-02T00:00:00Z'), to: at('2026-03-09T00:00:00Z') });
    expect(activityRead?.issues.map((issue) => issue.id)).toEqual([early]);
    expect(activityRead?.issues[0]?.changes).toEqual([
      { at: at('2026-03-04T10:00:00Z'), kind: 'resolved' },
      { at: at('2026-03-16T10:00:00Z'), kind: 'unresolved' },
    ]);
  });

  it('still tells the status at the week’s end from the first change after it', async () => {
    const page = shownText((await ada.get('/reports/weekly/acme/2026-W10')).body);
    expect(page).toContain('Problem early');
    expect(page).not.toContain('Problem later');
  });
});

describe('how far back the page goes', () => {
  it('shows 52 weeks before the current one, without a link further back, and nothing older (404)', async () => {
    // The current week is 2026-W19: the oldest shown is 2025-W19.
    const oldest = await ada.get('/reports/weekly/acme/2025-W19');
    expect(oldest.statusCode).toBe(200);
    expect(oldest.body).not.toContain('href="/reports/weekly/acme/2025-W18"');
    expect(oldest.body).toContain('href="/reports/weekly/acme/2025-W20"');
    for (const path of ['/reports/weekly/acme/2025-W18', '/reports/weekly/acme/1970-W02', '/reports/weekly/acme/2020-W10']) {
      expect((await ada.get(path)).statusCode, path).toBe(404);
    }
    expect((await ada.get('/reports/weekly/acme/2026-W10')).body).toContain('href="/reports/weekly/acme/2026-W09"');
  });
});

describe('a saved zone the runtime does not know', () => {
  it('is taken as UTC on the page, as the job does, not a 500', async () => {
    sqliteOf(t.db).prepare('update account_settings set timezone = ? where user_id = ?').run('Mars/Olympus_Mons', adaId);
    // Any write of the account's settings drops what the process remembers of them.
    expect((await t.app.services.account.saveAvatar(adaActor, { avatarType: 'initials' })).ok).toBe(true);
    expect((await t.app.services.account.preferences(adaId)).timeZone).toBe('Mars/Olympus_Mons');
    try {
      const page = await ada.get('/reports/weekly/acme/2026-W10');
      expect(page.statusCode).toBe(200);
      expect(shownText(page.body)).toContain('Problem early');
      expect(shownText(page.body)).toContain('UTC');
      const latest = await ada.get('/reports/weekly/acme');
      expect(latest.statusCode).toBe(303);
      expect(latest.headers.location).toBe('/reports/weekly/acme/2026-W18');
      expect((await ada.get('/reports/weekly/acme/2026-W20')).statusCode).toBe(404);
    } finally {
      await t.app.services.account.saveTimeZone(adaActor, 'UTC');
    }
  });
});
