import { afterEach, describe, expect, it } from 'vitest';
import { userEmails } from '../../src/auth/tables.ts';
import { sqliteOf } from '../../src/db/client.ts';
import { createRecipientsLookup } from '../../src/notify/recipients.ts';
import { makeKey } from '../support/api-keys.ts';
import { joinThroughInvitation, makeOrganization, makePerson } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** The dispatcher's batched recipient lookup: names, languages, formats and confirmed addresses of many people in a fixed number of queries. */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

/** Counts the SQL statements run while `work` runs (every statement goes through better-sqlite3's Statement), those whose SQL `matches` only when given. */
async function statementsRunBy(work: () => Promise<unknown>, matches: (sql: string) => boolean = () => true): Promise<number> {
  const prototype = Object.getPrototypeOf(sqliteOf(t.db).prepare('select 1')) as Record<string, (...args: unknown[]) => unknown>;
  const methods = ['all', 'get', 'run', 'iterate'] as const;
  const originals = methods.map((name) => prototype[name]);
  let count = 0;
  for (const [index, name] of methods.entries()) {
    const original = originals[index];
    prototype[name] = function counted(this: { source?: string }, ...args: unknown[]) {
      if (matches(this.source ?? '')) count++;
      return original?.apply(this, args);
    };
  }
  try {
    await work();
  } finally {
    for (const [index, name] of methods.entries()) prototype[name] = originals[index] as (...args: unknown[]) => unknown;
  }
  return count;
}

describe('the batched recipient lookup', () => {
  it('answers each person\'s name, language, formats and confirmed addresses, and leaves out ids with no account', async () => {
    t = await createTestApp();
    const ada = await makePerson(t, 'ada@example.com', 'Ada Lovelace');
    const grace = await makePerson(t, 'grace@example.com', 'Grace Hopper');
    await t.app.services.account.savePreferences(grace.actor, { language: 'fr', timezone: 'Europe/Paris', clock24h: true, dateFormat: 'iso', theme: 'system', stackTraceOrder: 'default' } as never);
    await t.app.services.emailAddresses.markVerified(grace.userId, (await t.app.services.emailAddresses.primaryOf(grace.userId))?.id ?? -1);
    await t.db.insert(userEmails).values({ userId: grace.userId, address: 'grace@work.example', isPrimary: false, verifiedAt: null, createdAt: new Date(t.clock.now) });
    const lookup = createRecipientsLookup(t.app.services);
    const found = await lookup([ada.userId, grace.userId, 999_999]);
    expect([...found.keys()].sort()).toEqual([ada.userId, grace.userId].sort());
    expect(found.get(ada.userId)).toMatchObject({ name: 'Ada Lovelace', preferences: { language: 'en', timeZone: 'UTC', clock24h: false }, addresses: { primary: 'ada@example.com', verified: [] } });
    expect(found.get(grace.userId)).toMatchObject({
      name: 'Grace Hopper',
      preferences: { language: 'fr', timeZone: 'Europe/Paris', clock24h: true, dateFormat: 'iso' },
      addresses: { primary: 'grace@example.com', verified: ['grace@example.com'] },
    });
    expect((await lookup([])).size).toBe(0);
  });

  it('takes the same number of queries for 3 people as for 600', async () => {
    t = await createTestApp();
    const ids: number[] = [];
    for (let i = 0; i < 600; i++) ids.push((await makePerson(t, `person${i}@example.com`, `Person ${i}`)).userId);
    for (const userId of ids.slice(0, 300)) {
      await t.app.services.account.savePreferences({ via: 'system', userId, job: 'test' }, { language: 'de', timezone: 'Europe/Berlin', clock24h: true, dateFormat: 'iso', theme: 'system', stackTraceOrder: 'default' } as never);
    }
    const lookup = createRecipientsLookup(t.app.services);
    const few = await statementsRunBy(() => lookup(ids.slice(0, 3)));
    const many = await statementsRunBy(async () => {
      const found = await lookup(ids);
      expect(found.size).toBe(600);
      expect(found.get(ids[0] ?? -1)?.preferences.language).toBe('de');
      expect(found.get(ids[599] ?? -1)?.preferences.language).toBe('en');
    });
    expect(few).toBeGreaterThan(0);
    expect(few).toBeLessThanOrEqual(3);
    expect(many).toBe(few);
  });
});

describe('the dispatcher', () => {
  /** An organization of `members` people who all want build e-mails; a finished build reported; the statements that read people while it is dispatched. */
  async function peopleReadDispatching(members: number) {
    t = await createTestApp();
    const owner = await makePerson(t, 'owner@example.com', 'Owner');
    const made = await makeOrganization(t, owner.actor, 'engines');
    for (let i = 0; i < members; i++) {
      const person = await makePerson(t, `member${i}@example.com`, `Member ${i}`);
      await joinThroughInvitation(t, owner.actor, 'engines', person);
      await t.app.services.notificationSettings.set(person.actor, { type: 'buildEmails', scope: 'user', scopeId: null }, 'both');
    }
    const key = await makeKey(t, owner.userId, ['builds:write']);
    const at = t.clock.now - 60_000;
    const build = { eventId: 'b-1', pipelineId: made.pipeline.id, buildId: '1', status: 'failed', trigger: 'push', startedAt: new Date(at - 60_000).toISOString(), finishedAt: new Date(at).toISOString(), commit: { sha: 'a'.repeat(40), message: 'm', authorName: 'A', authorEmail: 'a@example.com' } };
    const answer = await t.app.inject({ method: 'POST', url: '/api/v1/orgs/engines/builds', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, payload: JSON.stringify(build) });
    expect(answer.statusCode, answer.body).toBe(201);
    let queued = 0;
    const reads = await statementsRunBy(
      async () => {
        queued = (await t.app.services.dispatcher.runOnce()).queued;
      },
      (sql) => /from "(users|user_emails|account_settings)"/.test(sql),
    );
    expect(queued).toBe(members);
    return reads;
  }

  it('reads its recipients in the same number of queries for 2 members as for 40', async () => {
    const few = await peopleReadDispatching(2);
    await t.close();
    const many = await peopleReadDispatching(40);
    expect(few).toBeGreaterThan(0);
    expect(few).toBeLessThanOrEqual(3);
    expect(many).toBe(few);
  });
});
