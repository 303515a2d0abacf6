import { afterEach, describe, expect, it } from 'vitest';
import { createPasswordJudge, type PasswordJudge } from '../../src/auth/password-judge.ts';
import { judgePassword } from '../../src/auth/password-policy.ts';

const zebulon = { name: 'Zebulon Quartermaine', email: 'zebulon.quartermaine@example.org' };
let judge: PasswordJudge | undefined;
afterEach(async () => {
  await judge?.close();
});

describe('the password judge in its helper process', () => {
  it('starts at the first check and judges as judgePassword does', async () => {
    judge = createPasswordJudge();
    expect(judge.running()).toBe(false);
    for (const password of ['iloveyouiloveyou', 'Quartermaine!1985', 'tangerine orbit quietly sings', 'password']) {
      expect(await judge.judge(password, zebulon)).toEqual(judgePassword(password, zebulon));
    }
    expect(judge.running()).toBe(true);
  });

  it('answers checks sent together, each with its own judgement', async () => {
    judge = createPasswordJudge();
    const passwords = ['123456789012345', 'tangerine orbit quietly sings', 'zebulon2024zebulon2024'];
    const judgements = await Promise.all(passwords.map((password) => judge!.judge(password, zebulon)));
    expect(judgements.map(({ problem }) => problem)).toEqual(passwords.map((password) => judgePassword(password, zebulon).problem));
  });

  it('ends after a quiet spell and starts again at the next check', async () => {
    judge = createPasswordJudge({ idleMs: 50 });
    await judge.judge('tangerine orbit quietly sings', zebulon);
    await expect.poll(() => judge!.running(), { timeout: 5000 }).toBe(false);
    expect((await judge.judge('iloveyouiloveyou', zebulon)).problem).toBe('guessable');
  });
});
