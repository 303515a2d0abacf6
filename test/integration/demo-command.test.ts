import { afterEach, describe, expect, it } from 'vitest';
import { runDemo } from '../../src/cli/demo-command.ts';
import { setUpAdministrator, signUp } from '../support/browser-session.ts';
import { freshDataDir, removeDataDir, runDials } from '../support/dials-process.ts';
import { rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

const tables = ['organizations', 'organization_members', 'projects', 'pipelines', 'builds', 'deploys', 'deploy_commits', 'issues', 'issue_events', 'issue_activity', 'issue_subscriptions', 'received_events', 'notification_work'];

let t: TestApp | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  if (dataDir) removeDataDir(dataDir);
  dataDir = undefined;
});

const captured = () => {
  const output = { stdout: '', stderr: '', out: (text: string) => void (output.stdout += text), err: (text: string) => void (output.stderr += text) };
  return output;
};
const counts = async (app: TestApp) => Object.fromEntries(await Promise.all(tables.map(async (table) => [table, (await rowsOf(app, table)).length] as const)));
const demo = async (app: TestApp, email: string | null = null) => {
  const output = captured();
  const code = await runDemo(app.app.services, app.db, app.config, email, app.clock.now, output);
  return { code, ...output };
};

describe('dials demo', () => {
  it('on an instance without an account: says to create the administrator first, exit 2, and makes nothing', async () => {
    dataDir = freshDataDir();
    const result = await runDials(['demo'], dataDir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Create the administrator first');
    expect(result.stderr).toContain('dials create-admin --email');
  });

  it('makes the demo organization for the first administrator, and a second run doubles nothing', async () => {
    t = await createTestApp();
    const ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
    const first = await demo(t);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Made the organization "Demo" (/orgs/demo), owned by ada@example.com.');
    expect(first.stdout).toContain('Made now:        3 projects, 5 pipelines, 105 builds, 33 deploys');
    expect(first.stdout).toContain(`Open ${new URL('/orgs/demo', t.config.publicUrl).href}`);
    const afterFirst = await counts(t);
    expect(afterFirst).toMatchObject({ organizations: 1, projects: 3, pipelines: 5, builds: 105, deploys: 33 });
    expect(afterFirst.issues).toBeGreaterThanOrEqual(6);
    expect(afterFirst.issue_activity).toBeGreaterThan(afterFirst.issues!);
    const longest = Math.max(...(await rowsOf(t, 'issue_events')).map((row) => (JSON.parse(String(row.frames)) as unknown[]).length));
    expect(longest).toBeGreaterThanOrEqual(30);
    const statuses = new Set((await rowsOf(t, 'builds')).map((row) => row.status));
    const triggers = new Set((await rowsOf(t, 'builds')).map((row) => row.trigger));
    expect([...statuses].sort()).toEqual(['failed', 'running', 'success', 'terminated']);
    expect([...triggers].sort()).toEqual(['api', 'manual', 'push', 'schedule']);
    // A resolved issue came back: its regression is recorded.
    expect((await rowsOf(t, 'issue_activity')).some((row) => row.kind === 'regressed')).toBe(true);

    t.clock.advance(3 * 60 * 60 * 1000);
    const second = await demo(t);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Found the organization "Demo"');
    expect(second.stdout).toContain('Made now:        0 projects, 0 pipelines, 0 builds, 0 deploys, 0 error events, 0 issue activities.');
    expect(await counts(t)).toEqual(afterFirst);

    // What it made shows on the pages.
    expect((await ada.get('/orgs')).body).toContain('href="/orgs/demo"');
    for (const path of ['/orgs/demo', '/orgs/demo/builds', '/orgs/demo/issues', '/orgs/demo/builds?status=running']) {
      expect((await ada.get(path)).statusCode, path).toBe(200);
    }
    const issueId = (await rowsOf(t, 'issues'))[0]?.id as number;
    expect((await ada.get(`/orgs/demo/issues/${issueId}`)).statusCode).toBe(200);
  });

  it('fills the demo for a named account, never one at the demo\'s address that is someone else\'s, and refuses an unknown address', async () => {
    t = await createTestApp();
    await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
    const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    // Someone took the demo's address first: the demo neither joins nor fills their organization.
    expect((await grace.post('/orgs', { name: 'Demo', slug: 'demo' })).statusCode).toBe(303);
    const before = await counts(t);
    const refused = await demo(t);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not its owner');
    expect(await counts(t)).toEqual(before);
    const named = await demo(t, 'grace@example.com');
    expect(named.code).toBe(0);
    expect(named.stdout).toContain('owned by grace@example.com');
    const unknown = await demo(t, 'nobody@example.com');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No account has the address nobody@example.com');
  });
});

describe('the organization pages in every language', () => {
  it.each(['de', 'fr', 'en'])('in %s: every text translated, one h1, and no character beyond Latin-1 (written as references)', async (language) => {
    t = await createTestApp();
    const ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
    expect((await demo(t)).code).toBe(0);
    const saved = await ada.post('/settings/account/preferences', { language, timezone: 'UTC', dateFormat: 'iso', theme: 'system', stackTraceOrder: 'default' });
    expect(saved.statusCode).toBe(303);
    const issueId = (await rowsOf(t, 'issues'))[0]?.id as number;
    const memberId = (await rowsOf(t, 'organization_members')).find((row) => row.role === 'owner')?.user_id as number;
    for (const path of ['/orgs', '/orgs/demo', '/orgs/demo/builds', '/orgs/demo/issues', `/orgs/demo/issues/${issueId}`, '/orgs/demo/leave', `/orgs/demo/members/${memberId}/remove`]) {
      const page = await ada.get(path);
      if (page.statusCode === 303) continue;
      expect(page.statusCode, path).toBe(200);
      expect(page.body).toContain(`<html lang="${language}"`);
      expect([...page.body.matchAll(/<h1\b/g)], path).toHaveLength(1);
      expect([...page.body].filter((character) => character.codePointAt(0)! > 0xff), path).toEqual([]);
      // A key i18next did not find is shown as the key itself.
      const texts = [...page.body.matchAll(/>([^<]+)</g)].map((match) => match[1]!);
      expect(texts.filter((text) => /\b(orgs|errors|flash|layout)\.[a-zA-Z]+/.test(text)), path).toEqual([]);
    }
    const created = await ada.post('/orgs', { name: '', slug: 'Bad Slug' });
    expect(created.statusCode).toBe(422);
    expect(created.body).not.toMatch(/>[^<]*errors\.orgs\./);
  });
});
