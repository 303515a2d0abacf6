import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signUp } from '../support/browser-session.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

// The step between a correct password and a correct second factor is used up once: of two
// requests that both passed the checks (possible once queries really wait, as on PostgreSQL),
// only one may go on to make a session.
let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

describe('a log-in challenge', () => {
  it('is used up by exactly one of two callers, and is gone after', async () => {
    await signUp(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
    const userId = (await t.app.services.users.findForLogin('ada@example.com'))?.id ?? -1;
    const challenges = t.app.services.loginChallenges;
    const { token } = await challenges.create(userId, '/settings/account');
    expect(await challenges.find(token)).toEqual({ userId, next: '/settings/account' });
    const outcomes = await Promise.all([challenges.consume(token), challenges.consume(token)]);
    expect(outcomes.sort()).toEqual([false, true]);
    expect(await challenges.find(token)).toBeNull();
  });
});
