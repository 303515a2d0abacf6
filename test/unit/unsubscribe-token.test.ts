import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createUnsubscribeTokens } from '../../src/notify/unsubscribe-token.ts';

describe('one-click unsubscribe tokens', () => {
  const tokens = createUnsubscribeTokens(crypto.randomBytes(32));
  const target = { userId: 7, type: 'issueAlerts' as const, scope: 'project' as const, scopeId: 42 };

  it('open exactly the setting they were made for', () => {
    const token = tokens.sign(target);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(tokens.verify(token)).toEqual(target);
  });

  it('refuse any change to what they name, another key, and anything else', () => {
    const token = tokens.sign(target);
    expect(tokens.verify(token.replace('7.', '8.'))).toBeNull();
    expect(tokens.verify(token.replace('issueAlerts', 'workflow'))).toBeNull();
    expect(tokens.verify(token.replace('.p42.', '.p43.'))).toBeNull();
    expect(tokens.verify(token.replace('.p42.', '.o42.'))).toBeNull();
    expect(createUnsubscribeTokens(crypto.randomBytes(32)).verify(token)).toBeNull();
    for (const odd of ['', 'x', `${token}x`, '7.constructor.p42.AAAAAAAAAAAAAAAAAAAAAA', '7.__proto__.p1.AAAAAAAAAAAAAAAAAAAAAA']) expect(tokens.verify(odd)).toBeNull();
  });
});
