import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession, setUpAdministrator, signUp } from '../support/browser-session.ts';
import { shownText } from '../support/html-text.ts';
import { confirmPrimaryAddress, finishedBuild, receipt, rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let ada: BrowserSession;
let grace: BrowserSession;
let mallory: BrowserSession;
const ids: Record<string, number> = {};

const userIdOf = async (email: string) => (await rowsOf(t, 'users')).find((row) => row.email === email)?.id as number;
/** `owner` invites Ada's address to Acme and Ada accepts it on her /orgs page. */
const rejoin = async (owner: BrowserSession, person: BrowserSession, role: 'owner' | 'member') => {
  const invited = await owner.post('/orgs/acme/members', { email: 'ada@example.com', role });
  const id = new URL(invited.headers.location as string, 'http://x').searchParams.get('invited');
  expect((await person.post(`/invitations/${id}/accept`, {})).headers.location).toBe('/orgs/acme');
};
const flashOf = async (browser: BrowserSession, path: string) => shownText((await browser.get(path)).body);

beforeAll(async () => {
  t = await createTestApp();
  ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
  mallory = await signUp(t.app, { email: 'mallory@example.com', name: 'Mallory Outsider' });
  ids.ada = await userIdOf('ada@example.com');
  ids.grace = await userIdOf('grace@example.com');
});
afterAll(async () => {
  await t.close();
});

describe('/orgs', () => {
  it('sends someone logged out to log in', async () => {
    for (const path of ['/orgs', '/orgs/acme', '/orgs/acme/builds', '/orgs/acme/issues', '/orgs/acme/issues/1', '/orgs/acme/leave']) {
      const page = await t.app.inject({ method: 'GET', url: path });
      expect(page.statusCode, path).toBe(303);
      expect(page.headers.location, path).toMatch(/^\/login/);
    }
  });

  it('shows the link in the top bar and an empty state that says how organizations come to exist', async () => {
    const page = await ada.get('/orgs');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<nav class="topbar-nav" aria-label="Platform">\s*<a href="\/orgs" aria-current="page">Organizations<\/a>/);
    expect(page.body).toContain('You do not belong to any organization yet.');
    expect(page.body).toContain('npm run demo');
    expect([...page.body.matchAll(/<h1\b/g)]).toHaveLength(1);
    // The settings navigation stays as it is.
    expect(page.body).toContain('<nav class="settings-nav"');
  });

  it('creates an organization with a slug made from the name, and its creator owns it', async () => {
    const made = await ada.post('/orgs', { name: 'Ácme Wídgets', slug: '' });
    expect(made.statusCode).toBe(303);
    expect(made.headers.location).toBe('/orgs/acme-widgets');
    const page = await ada.get('/orgs/acme-widgets');
    expect(page.statusCode).toBe(200);
    expect(shownText(page.body)).toContain('Organization created. You are its owner.');
    expect(shownText(page.body)).toContain('Your role: Owner.');
    const list = shownText((await ada.get('/orgs')).body);
    expect(list).toContain('Ácme Wídgets');
    expect(list).toMatch(/data-label="Your role">Owner</);
  });

  it('takes a typed slug, and refuses bad names, bad slugs and a taken slug with the reason next to the field', async () => {
    expect((await ada.post('/orgs', { name: 'Acme', slug: 'acme' })).headers.location).toBe('/orgs/acme');
    for (const [fields, message] of [
      [{ name: '', slug: 'x' }, 'Enter a name.'],
      [{ name: '\u202e\u202e', slug: 'x' }, 'A name has at most 100 characters'],
      [{ name: 'x'.repeat(101), slug: 'x' }, 'A name has at most 100 characters'],
      [{ name: 'Fine', slug: 'Not A Slug' }, 'Use lower-case letters'],
      [{ name: 'Fine', slug: '-edge-' }, 'Use lower-case letters'],
      [{ name: 'Fine', slug: 'a--b' }, 'Use lower-case letters'],
      [{ name: '東京', slug: '' }, 'Use lower-case letters'],
      [{ name: 'Another Acme', slug: 'acme' }, 'This address is taken.'],
    ] as const) {
      const refused = await ada.post('/orgs', fields);
      expect(refused.statusCode, JSON.stringify(fields)).toBe(422);
      expect(shownText(refused.body)).toContain(message);
    }
    const extra = await ada.post('/orgs', { name: 'Sneaky', slug: 'sneaky', role: 'owner' });
    expect(extra.statusCode).toBe(422);
    const repeated = await ada.post('/orgs', { name: ['One', 'Two'], slug: 'one' });
    expect(repeated.statusCode).toBe(422);
    expect((await rowsOf(t, 'organizations')).map((row) => row.slug).sort()).toEqual(['acme', 'acme-widgets']);
  });

  it('refuses a form without its CSRF token (403) and changes nothing', async () => {
    const refused = await ada.post('/orgs', { name: 'No token', slug: 'no-token' }, { csrf: false });
    expect(refused.statusCode).toBe(403);
    for (const path of ['/orgs/acme/projects', '/orgs/acme/members', '/orgs/acme/leave', '/orgs/acme/issues/1/subscribe']) {
      expect((await ada.post(path, { name: 'x' }, { csrf: false })).statusCode, path).toBe(403);
    }
    expect((await rowsOf(t, 'organizations')).some((row) => row.slug === 'no-token')).toBe(false);
  });
});

describe('/orgs/<slug>', () => {
  it('lets an owner create projects and pipelines, and refuses taken ones', async () => {
    expect((await ada.post('/orgs/acme/projects', { name: 'Web Shop', slug: '' })).headers.location).toBe('/orgs/acme');
    expect(await flashOf(ada, '/orgs/acme')).toContain('Project created.');
    const taken = await ada.post('/orgs/acme/projects', { name: 'Other', slug: 'web-shop' });
    expect(taken.statusCode).toBe(422);
    expect(shownText(taken.body)).toContain('already has a project with this address');
    const badName = await ada.post('/orgs/acme/projects', { name: '   ', slug: '' });
    expect(badName.statusCode).toBe(422);
    expect((await ada.post('/orgs/acme/projects/web-shop/pipelines', { name: 'main' })).statusCode).toBe(303);
    expect(await flashOf(ada, '/orgs/acme')).toContain('Pipeline created.');
    const twice = await ada.post('/orgs/acme/projects/web-shop/pipelines', { name: 'main' });
    expect(twice.statusCode).toBe(422);
    expect(shownText(twice.body)).toContain('already has a pipeline with this name');
    expect((await ada.post('/orgs/acme/projects/no-such-project/pipelines', { name: 'main' })).statusCode).toBe(404);
    const page = shownText((await ada.get('/orgs/acme')).body);
    expect(page).toContain('Web Shop');
    expect(page).toMatch(/<label for="pipeline-\d+-manual">Report notifications for manual executions of main<\/label>/);
  });

  it('switches the pipeline flag: htmx gets the block with "Saved", without JavaScript a redirect and a flash', async () => {
    const pipelineId = (await rowsOf(t, 'pipelines')).find((row) => row.name === 'main')?.id as number;
    ids.pipeline = pipelineId;
    const path = `/orgs/acme/pipelines/${pipelineId}/manual-executions`;
    const block = await ada.post(path, { notifyManualExecutions: 'on' }, { htmx: true });
    expect(block.statusCode).toBe(200);
    expect(block.body).not.toContain('<html');
    expect(block.body).toMatch(new RegExp(`<form id="flag-${pipelineId}"`));
    expect(block.body).toContain('checked');
    expect(block.body).toMatch(/data-save-status>Saved</);
    expect((await rowsOf(t, 'pipelines')).find((row) => row.id === pipelineId)?.notify_manual_executions).toBe(1);

    const plain = await ada.post(path, {});
    expect(plain.statusCode).toBe(303);
    expect(plain.headers.location).toBe('/orgs/acme');
    expect(await flashOf(ada, '/orgs/acme')).toContain('Saved.');
    expect((await rowsOf(t, 'pipelines')).find((row) => row.id === pipelineId)?.notify_manual_executions).toBe(0);

    const bad = await ada.post(path, { notifyManualExecutions: 'yes' }, { htmx: true });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toMatch(/data-save-status>Not saved/);
    expect((await ada.post(path, { notifyManualExecutions: 'yes' })).statusCode).toBe(422);
    // Another organization's pipeline, or none at all: not found.
    await ada.post('/orgs/acme-widgets/projects', { name: 'Other', slug: 'other' });
    expect((await ada.post(`/orgs/acme-widgets/pipelines/${pipelineId}/manual-executions`, { notifyManualExecutions: 'on' })).statusCode).toBe(404);
    expect((await ada.post('/orgs/acme/pipelines/999999/manual-executions', { notifyManualExecutions: 'on' })).statusCode).toBe(404);
  });

  it('invites an address with one answer whether or not it has an account; the invited person accepts on /orgs', async () => {
    const badAddress = await ada.post('/orgs/acme/members', { email: 'not an address', role: 'member' });
    expect(badAddress.statusCode).toBe(422);
    const badRole = await ada.post('/orgs/acme/members', { email: 'grace@example.com', role: 'admin' });
    expect(badRole.statusCode).toBe(422);
    expect(shownText(badRole.body)).toContain('Choose owner or member.');

    const nobody = await ada.post('/orgs/acme/members', { email: 'nobody@example.com', role: 'member' });
    const invited = await ada.post('/orgs/acme/members', { email: 'GRACE@example.com', role: 'member' });
    for (const answer of [nobody, invited]) {
      expect(answer.statusCode).toBe(303);
      expect(answer.headers.location).toMatch(/^\/orgs\/acme\?invited=\d+$/);
    }
    const nobodyPage = shownText((await ada.get(nobody.headers.location as string)).body);
    const gracePage = shownText((await ada.get(invited.headers.location as string)).body);
    expect(nobodyPage).toContain('Invited nobody@example.com.');
    expect(gracePage).toContain('Invited grace@example.com.');
    expect(gracePage).not.toContain('Grace Hopper');
    expect(gracePage).toContain('Pending invitations');
    expect((await rowsOf(t, 'organization_members')).some((row) => row.user_id === ids.grace)).toBe(false);

    const list = await grace.get('/orgs');
    expect(shownText(list.body)).toContain('Ada Lovelace invited you to Acme as Member.');
    const id = Number(new URL(invited.headers.location as string, 'http://x').searchParams.get('invited'));
    expect(list.body).toContain(`action="/invitations/${id}/accept"`);
    const accepted = await grace.post(`/invitations/${id}/accept`, {});
    expect(accepted.statusCode).toBe(303);
    expect(accepted.headers.location).toBe('/orgs/acme');
    expect(await flashOf(grace, '/orgs/acme')).toContain('Invitation accepted. You are now a member.');
    expect(shownText((await grace.get('/orgs/acme')).body)).toContain('Your role: Member.');

    const again = await ada.post('/orgs/acme/members', { email: 'grace@example.com', role: 'member' });
    expect(again.statusCode).toBe(422);
    expect(shownText(again.body)).toContain('This address belongs to a member already.');
  });

  it('shows a member the organization but not the owners\u2019 forms, and refuses them owners\u2019 changes with 403', async () => {
    const page = await grace.get('/orgs/acme');
    expect(page.statusCode).toBe(200);
    expect(shownText(page.body)).toContain('Your role: Member.');
    expect(page.body).not.toContain('action="/orgs/acme/members"');
    expect(page.body).not.toContain('action="/orgs/acme/projects"');
    expect(page.body).toContain('href="/orgs/acme/leave"');
    expect((await grace.post('/orgs/acme/projects', { name: 'Mine', slug: '' })).statusCode).toBe(403);
    expect((await grace.post('/orgs/acme/members', { email: 'mallory@example.com', role: 'owner' })).statusCode).toBe(403);
    expect((await grace.post(`/orgs/acme/members/${ids.grace}/role`, { role: 'owner' })).statusCode).toBe(403);
    expect((await grace.post(`/orgs/acme/members/${ids.ada}/remove`, {})).statusCode).toBe(403);
    expect((await grace.get(`/orgs/acme/members/${ids.ada}/remove`)).statusCode).toBe(403);
    expect((await grace.post(`/orgs/acme/pipelines/${ids.pipeline}/manual-executions`, { notifyManualExecutions: 'on' })).statusCode).toBe(403);
  });

  it('never lets the last owner be demoted, removed or leave, and says why', async () => {
    const demote = await ada.post(`/orgs/acme/members/${ids.ada}/role`, { role: 'member' });
    expect(demote.statusCode).toBe(303);
    expect(await flashOf(ada, '/orgs/acme')).toContain('The last owner cannot become a member.');
    expect((await ada.get(`/orgs/acme/members/${ids.ada}/remove`)).headers.location).toBe('/orgs/acme/leave');
    const leaveConfirmation = await ada.get('/orgs/acme/leave');
    expect(leaveConfirmation.statusCode).toBe(200);
    expect(shownText(leaveConfirmation.body)).toContain('Leave Acme?');
    await ada.post('/orgs/acme/leave', {});
    expect(await flashOf(ada, '/orgs/acme')).toContain('You are the last owner, so you cannot leave.');
    expect((await rowsOf(t, 'organization_members')).filter((row) => row.user_id === ids.ada)).toHaveLength(2);
  });

  it('changes roles, removes a member after a confirmation page, and lets a member leave', async () => {
    expect((await ada.post(`/orgs/acme/members/${ids.grace}/role`, { role: 'owner' })).statusCode).toBe(303);
    expect(await flashOf(ada, '/orgs/acme')).toContain('Role changed.');
    expect((await ada.post(`/orgs/acme/members/${ids.grace}/role`, { role: 'king' })).statusCode).toBe(303);
    expect(await flashOf(ada, '/orgs/acme')).toContain('Choose owner or member.');
    // Two owners: now Ada may step down, and Grace (an owner) may remove her.
    expect((await ada.post(`/orgs/acme/members/${ids.ada}/role`, { role: 'member' })).statusCode).toBe(303);
    const confirmation = await grace.get(`/orgs/acme/members/${ids.ada}/remove`);
    expect(confirmation.statusCode).toBe(200);
    expect(shownText(confirmation.body)).toContain('Remove this member?');
    expect(confirmation.body).toContain(`action="/orgs/acme/members/${ids.ada}/remove"`);
    expect((await grace.post(`/orgs/acme/members/${ids.ada}/remove`, {})).headers.location).toBe('/orgs/acme');
    expect(await flashOf(grace, '/orgs/acme')).toContain('Member removed.');
    expect((await ada.get('/orgs/acme')).statusCode).toBe(404);
    // Grace invites Ada back as a member, Ada accepts and then leaves by herself.
    await confirmPrimaryAddress(t, ids.ada!);
    await rejoin(grace, ada, 'member');
    const left = await ada.post('/orgs/acme/leave', {});
    expect(left.headers.location).toBe('/orgs');
    expect(await flashOf(ada, '/orgs')).toContain('You left the organization.');
    expect((await ada.get('/orgs/acme')).statusCode).toBe(404);
    // Back as owner for the tests that follow.
    await rejoin(grace, ada, 'owner');
  });

  it('removing someone who is not a member, or by an id that is not one, is a 404', async () => {
    for (const path of [`/orgs/acme/members/999999/remove`, '/orgs/acme/members/abc/remove', '/orgs/acme/members/-1/remove', `/orgs/acme/members/${'9'.repeat(30)}/remove`]) {
      expect((await ada.get(path)).statusCode, path).toBe(404);
      expect((await ada.post(path, {})).statusCode, path).toBe(404);
    }
    expect((await ada.post('/orgs/acme/members/999999/role', { role: 'owner' })).statusCode).toBe(404);
  });
});

describe('/orgs/<slug>/builds', () => {
  beforeAll(async () => {
    const actor = { via: 'system' as const, userId: ids.ada!, job: 'test' };
    const { reports } = t.app.services.platform;
    for (let index = 0; index < 30; index += 1) {
      const status = index % 3 === 0 ? 'failed' : 'success';
      const made = await reports.build(actor, 'acme', finishedBuild(ids.pipeline!, t.clock.now - (30 - index) * 60_000, { buildId: `b-${index}`, status }), receipt());
      expect(made.ok).toBe(true);
    }
  });

  it('lists builds newest first with status as text, a page at a time', async () => {
    const page = await ada.get('/orgs/acme/builds');
    expect(page.statusCode).toBe(200);
    const text = shownText(page.body);
    expect(text).toContain('Builds of Acme');
    expect(text).toContain('<caption id="builds-caption">Recent builds, newest first</caption>');
    const shown = [...text.matchAll(/>(b-\d+)</g)].map((match) => match[1]);
    expect(shown.slice(0, 3)).toEqual(['b-29', 'b-28', 'b-27']);
    expect(shown).toHaveLength(25);
    expect(text).toMatch(/<span class="status status-failed"><span class="status-mark" aria-hidden="true"><\/span>Failed<\/span>/);
    expect(page.body).toContain('href="/orgs/acme/builds?page=2" rel="next"');
    const second = shownText((await ada.get('/orgs/acme/builds?page=2')).body);
    expect([...second.matchAll(/>(b-\d+)</g)].map((match) => match[1])).toHaveLength(5);
  });

  it('filters by pipeline and status with a plain GET form', async () => {
    const failed = shownText((await ada.get(`/orgs/acme/builds?pipeline=${ids.pipeline}&status=failed`)).body);
    const shown = [...failed.matchAll(/>(b-\d+)</g)].map((match) => match[1]);
    expect(shown).toHaveLength(10);
    expect(failed).toMatch(/<option value="failed" selected>/);
    const none = shownText((await ada.get('/orgs/acme/builds?pipeline=999999')).body);
    expect(none).toContain('No builds match this filter.');
  });

  it('reads odd queries as no filter, never as an error', async () => {
    for (const query of ['?pipeline=abc', '?status=exploded', '?page=-4', `?page=${'9'.repeat(40)}`, '?pipeline=1&pipeline=2', '?status[]=x', '?page=%F0%9F%92%A5']) {
      expect((await ada.get(`/orgs/acme/builds${query}`)).statusCode, query).toBe(200);
    }
  });
});

describe('anyone outside an organization', () => {
  it('finds nothing of it: every page and every form is a 404, never a 403', async () => {
    const pipeline = ids.pipeline;
    for (const path of ['/orgs/acme', '/orgs/acme/builds', '/orgs/acme/issues', '/orgs/acme/issues/1', '/orgs/acme/leave', `/orgs/acme/members/${ids.ada}/remove`]) {
      expect((await mallory.get(path)).statusCode, path).toBe(404);
    }
    for (const [path, fields] of [
      ['/orgs/acme/projects', { name: 'x', slug: '' }],
      ['/orgs/acme/projects/web-shop/pipelines', { name: 'x' }],
      ['/orgs/acme/members', { email: 'mallory@example.com', role: 'owner' }],
      [`/orgs/acme/members/${ids.ada}/role`, { role: 'member' }],
      [`/orgs/acme/members/${ids.ada}/remove`, {}],
      ['/orgs/acme/leave', {}],
      [`/orgs/acme/pipelines/${pipeline}/manual-executions`, { notifyManualExecutions: 'on' }],
      ['/orgs/acme/issues/1/subscribe', {}],
    ] as const) {
      expect((await mallory.post(path, fields)).statusCode, path).toBe(404);
    }
    expect(shownText((await mallory.get('/orgs')).body)).not.toContain('Acme');
  });

  it('gets a 404, not an error, for odd slugs and ids', async () => {
    // A path segment longer than the router reads is a bad request; it is never a page, nor an error of Dials.
    expect((await ada.get(`/orgs/${'a'.repeat(300)}`)).statusCode).toBe(400);
    for (const path of ['/orgs/NOPE', '/orgs/%E2%80%AE', '/orgs/caf%C3%A9', `/orgs/${'a'.repeat(60)}`, '/orgs/acme/issues/0', '/orgs/acme/issues/1.5', '/orgs/acme/issues/1e3', `/orgs/acme/issues/${'9'.repeat(40)}`, '/orgs/acme/issues/%00']) {
      const page = await ada.get(path);
      expect(page.statusCode, path).toBe(404);
    }
  });
});
