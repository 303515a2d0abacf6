import { afterEach, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/lib/actor.ts';
import { demoSlug, fillDemo } from '../../src/platform/demo.ts';
import { setUpAdministrator } from '../support/browser-session.ts';
import { rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** The weekly report, "who gets what", test messages and the jobs page, sent the worst a person or a script can send. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const hostile = ['', '\u0000', '\u202e', '-1', '1e400', '9007199254740993', '0x10', '__proto__', 'constructor', '%E0%A4%A', "'; drop table users; --", 'a'.repeat(5000), '[]', '{"a":1}'];

describe('whatever a person sends to the pages added with the weekly reports and "who gets what"', () => {
  it('is answered with a page or a 4xx, never a 500, and changes nothing it should not', async () => {
    t = await createTestApp();
    const admin = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
    const adaId = (await rowsOf(t, 'users')).find((row) => row.email === 'ada@example.com')?.id as number;
    const filled = await fillDemo(t.app.services.platform, systemActor(adaId, 'test'), t.clock.now);
    expect(filled.ok).toBe(true);
    await admin.get('/settings/notifications');

    const gets: string[] = [];
    for (const value of hostile) {
      const v = encodeURIComponent(value);
      gets.push(
        `/reports/weekly/${demoSlug}/${v}`,
        `/reports/weekly/${v}`,
        `/reports/weekly/${v}/2026-W10`,
        `/orgs/${demoSlug}/who-gets-what?kind=build&pipeline=${v}&status=${v}&trigger=${v}&startedBy=${v}&page=${v}`,
        `/orgs/${demoSlug}/who-gets-what?kind=deploy&project=${v}&authors=${v}&typed=${v}&page=${v}`,
        `/orgs/${demoSlug}/who-gets-what?kind=${v}`,
        `/settings/notifications/who-gets-what?organization=${v}&kind=workflow&project=${v}&actor=${v}&followers=${v}`,
        `/settings/notifications/who-gets-what?kind=issueAlert&organization=${demoSlug}&project=${v}&project=${v}`,
      );
    }
    const statuses: number[] = [];
    for (const url of gets) {
      for (const headers of [{}, { 'hx-request': 'true' }] as Array<Record<string, string>>) {
        const response = await admin.get(url, headers);
        expect(response.statusCode, url).toBeLessThan(500);
        statuses.push(response.statusCode);
      }
    }

    // The questions reached their checks: refused with a message, not all turned away at the door.
    expect(statuses).toContain(422);
    const outboxBefore = (await rowsOf(t, 'mail_outbox')).length;
    const posts: Array<[string, Record<string, string | string[]>]> = [];
    for (const value of hostile) {
      posts.push(
        ['/settings/notifications/weekly-reports/time', { weekday: value, hour: value }],
        ['/settings/notifications/build-emails/test', { from: value, place: value }],
        ['/settings/notifications/issue-alerts/test', { from: 'type', place: [value, value] }],
        [`/settings/notifications/${encodeURIComponent(value)}/test`, {}],
        [`/admin/jobs/${encodeURIComponent(value)}/run`, {}],
      );
    }
    for (const [url, fields] of posts) {
      for (const htmx of [false, true]) {
        const response = await admin.post(url, fields, { htmx });
        expect(response.statusCode, `${url} ${JSON.stringify(fields).slice(0, 80)}`).toBeLessThan(500);
      }
    }
    // Nothing was sent by any of it but what the test-message limit lets through (five in ten minutes).
    expect((await rowsOf(t, 'mail_outbox')).length - outboxBefore).toBeLessThanOrEqual(5);
    // The report time stayed the default: no row was written from a bad weekday or hour.
    expect(await rowsOf(t, 'weekly_report_times')).toEqual([]);
  });
});
