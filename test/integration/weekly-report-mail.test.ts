import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteOf } from '../../src/db/client.ts';
import { systemActor } from '../../src/lib/actor.ts';
import { demoSlug, fillDemo } from '../../src/platform/demo.ts';
import type { ReceivedMail } from '../support/mailbox.ts';
import { joinThroughInvitation, makePerson } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The demo organization's week, reported to each of its members through the real path: the
 * weekly reports job finds whose report is due, the builder composes, the outbox keeps, the mail
 * worker sends to a real SMTP server. The numbers in
 * the mails that arrive are checked against counts made here with SQL, in each member's zone.
 */

let t: TestApp;
const week = '2026-W10';
const members = [
  { email: 'owner@demo.example', name: 'Olive Owner', language: 'en', timeZone: 'UTC', dateFormat: 'iso' },
  { email: 'berta@demo.example', name: 'Berta Berlin', language: 'de', timeZone: 'Europe/Berlin', dateFormat: 'iso' },
  { email: 'ana@demo.example', name: 'Ana Anchorage', language: 'en', timeZone: 'America/Anchorage', dateFormat: 'us' },
  { email: 'kiri@demo.example', name: 'Kiri Kiritimati', language: 'fr', timeZone: 'Pacific/Kiritimati', dateFormat: 'international' },
] as const;
const people: Array<{ userId: number; member: (typeof members)[number] }> = [];
let organizationId = 0;

beforeAll(async () => {
  t = await createTestApp();
  for (const member of members) {
    const person = await makePerson(t, member.email, member.name);
    // Reports go to confirmed addresses only.
    const primary = await t.app.services.emailAddresses.primaryOf(person.userId);
    if (primary && !primary.verifiedAt) await t.app.services.emailAddresses.markVerified(person.userId, primary.id);
    people.push({ userId: person.userId, member });
  }
  const owner = systemActor(people[0]?.userId ?? 0, 'demo');
  // Monday 9 March 2026, 00:30 UTC: the demo's week of builds and events lies in 2026-W10.
  t.clock.now = Date.parse('2026-03-09T00:30:00Z');
  const filled = await fillDemo(t.app.services.platform, owner, t.clock.now);
  expect(filled.ok).toBe(true);
  for (const person of people.slice(1)) await joinThroughInvitation(t, owner, demoSlug, { userId: person.userId, actor: systemActor(person.userId, 'demo') });
  for (const person of people) {
    const saved = await t.app.services.account.savePreferences(systemActor(person.userId, 'test'), {
      language: person.member.language,
      timezone: person.member.timeZone,
      clock24h: true,
      dateFormat: person.member.dateFormat,
      theme: 'system',
      stackTraceOrder: 'default',
    } as never);
    expect(saved.ok).toBe(true);
  }
  organizationId = (sqliteOf(t.db).prepare('select id from organizations where slug = ?').get(demoSlug) as { id: number }).id;
  t.clock.now = Date.parse('2026-03-10T08:00:00Z');
});
afterAll(async () => {
  await t.close();
});

/** The week's bounds in a zone, worked out here with luxon on its own. */
function boundsIn(zone: string) {
  const start = DateTime.fromISO(`${week}-1T00:00:00`, { zone });
  return { start: start.toMillis(), end: start.plus({ weeks: 1 }).toMillis(), days: Array.from({ length: 8 }, (_, day) => start.plus({ days: day }).toMillis()) };
}

function countedWithSql(zone: string) {
  const sqlite = sqliteOf(t.db);
  const { start, end, days } = boundsIn(zone);
  const builds = sqlite
    .prepare(
      `select count(*) as runs,
              sum(status = 'success') as succeeded,
              sum(status = 'failed') as failed,
              sum(status = 'running') as running
         from builds where organization_id = ? and started_at >= ? and started_at < ?`,
    )
    .get(organizationId, start, end) as { runs: number; succeeded: number; failed: number; running: number };
  const eventsBetween = (from: number, to: number) =>
    (sqlite.prepare('select count(*) as n from issue_events e join issues i on i.id = e.issue_id where i.organization_id = ? and e.occurred_at >= ? and e.occurred_at < ?').get(organizationId, from, to) as { n: number }).n;
  const perDay = days.slice(0, 7).map((dayStart, day) => eventsBetween(dayStart, days[day + 1] ?? end));
  const byProject = sqlite
    .prepare('select p.name as name, count(*) as n from issue_events e join issues i on i.id = e.issue_id join projects p on p.id = i.project_id where i.organization_id = ? and e.occurred_at >= ? and e.occurred_at < ? group by p.id order by n desc, p.name')
    .all(organizationId, start, end) as Array<{ name: string; n: number }>;
  const newIssues = (sqlite.prepare('select count(*) as n from issues where organization_id = ? and first_seen >= ? and first_seen < ?').get(organizationId, start, end) as { n: number }).n;
  return { builds, events: eventsBetween(start, end), perDay, byProject, newIssues };
}

/** The number after a label at the start of a line of the text part ("Events: 12"). */
function figure(mail: ReceivedMail, label: string): number {
  const match = new RegExp(`^\\s*${label}: ([\\d.,\u202f\u00a0]+)`, 'm').exec(mail.text);
  if (!match?.[1]) throw new Error(`no "${label}" in:\n${mail.text}`);
  return Number(match[1].replace(/[.,\u202f\u00a0]/g, ''));
}

const words = {
  en: { events: 'Events', newIssues: 'New issues', runs: 'Runs', failures: 'Failures', subject: 'Demo — your week 10 report' },
  de: { events: 'Ereignisse', newIssues: 'Neue Probleme', runs: 'Läufe', failures: 'Fehlschläge', subject: 'Demo — Ihr Bericht für Woche 10' },
  fr: { events: 'Événements', newIssues: 'Nouveaux problèmes', runs: 'Exécutions', failures: 'Échecs', subject: 'Demo — votre rapport de la semaine 10' },
} as const;

describe("the demo week's reports, sent through the outbox to a real SMTP server", () => {
  it('arrive once per member, in their language, with the numbers SQL counts in their zone', async () => {
    // Tuesday 08:00 UTC of the week after: every member's Monday 09:00 has passed in their zone.
    const run = await t.app.services.weeklyReports.run('hand');
    expect(run).toMatchObject({ sent: people.length, failures: 0 });

    for (const person of people) {
      const said = words[person.member.language];
      const mail = await t.mail.waitFor(person.member.email, said.subject);
      const counted = countedWithSql(person.member.timeZone);
      expect(counted.builds.runs, person.member.email).toBeGreaterThan(0);
      expect(figure(mail, said.events), person.member.email).toBe(counted.events);
      expect(figure(mail, said.newIssues), person.member.email).toBe(counted.newIssues);
      expect(figure(mail, said.runs), person.member.email).toBe(counted.builds.runs);
      expect(figure(mail, said.failures), person.member.email).toBe(counted.builds.failed);
      // The chart's text: one line per day, with its total, as SQL counts the day in the member's zone.
      const dayTotals = [...mail.text.matchAll(/^\S+ [\d/.-]+: (\d+)/gm)].map((match) => Number(match[1]));
      expect(dayTotals, person.member.email).toEqual(counted.perDay);
      for (const project of counted.byProject) expect(mail.text).toContain(`${project.name} ${project.n}`);
      expect(mail.html).toContain('class="weekly-chart"');
      expect(mail.listUnsubscribe).toContain('/unsubscribe/');
      expect(mail.text).toContain(`/reports/weekly/demo/${week}`);
      expect(t.mail.messagesTo(person.member.email)).toHaveLength(1);
    }
    // The zones do differ: Kiritimati's week starts fourteen hours before UTC's, Anchorage's nine after.
    expect(countedWithSql('Pacific/Kiritimati').perDay).not.toEqual(countedWithSql('America/Anchorage').perDay);
    const sent = sqliteOf(t.db).prepare("select count(*) as n from mail_outbox where kind = 'weekly-report' and status = 'sent'").get() as { n: number };
    expect(sent.n).toBe(people.length);

    // Run again (a second process, a restart, "Run now"): no one gets a second one.
    expect(await t.app.services.weeklyReports.run('hand')).toMatchObject({ sent: 0, failures: 0 });
    for (const person of people) expect(t.mail.messagesTo(person.member.email)).toHaveLength(1);
  });

  it('its one-click unsubscribe turns the organization’s weekly report off for that member', async () => {
    const mail = t.mail.messagesTo('ana@demo.example')[0];
    const url = /<([^>]+)>/.exec(mail?.listUnsubscribe ?? '')?.[1] ?? '';
    const answer = await t.app.inject({ method: 'POST', url: new URL(url).pathname, payload: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(answer.statusCode).toBeLessThan(300);
    const row = sqliteOf(t.db).prepare("select value from notification_settings where user_id = ? and type = 'weeklyReports' and scope = 'organization' and scope_id = ?").get(people[2]?.userId, organizationId) as { value: string } | undefined;
    expect(row?.value).toBe('off');
  });
});
