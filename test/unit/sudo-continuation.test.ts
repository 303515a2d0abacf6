import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/lib/instance-keys.ts';
import { createSudoContinuations, type SpentContinuations } from '../../src/auth/sudo-continuation.ts';

const clock = { now: Date.parse('2026-03-10T14:05:00Z') };
function spentInMemory(): SpentContinuations {
  const spent = new Set<string>();
  return {
    spend: async (id) => !spent.has(id) && Boolean(spent.add(id)),
    isSpent: async (id) => spent.has(id),
  };
}
const continuations = createSudoContinuations({ box: createSecretBox(crypto.randomBytes(32)), now: () => clock.now, spent: spentInMemory() });

function posted(url: string, body: unknown, route = url): FastifyRequest {
  return { method: 'POST', url, body, routeOptions: { url: route } } as unknown as FastifyRequest;
}

describe('sudo continuations', () => {
  it('keeps the fields of a form and where it went, for the same person only', () => {
    const sealed = continuations.capture(posted('/settings/emails', { address: 'ada.work@example.com' }), 7, '/settings/emails') ?? '';
    expect(sealed).not.toContain('ada.work');
    expect(continuations.open(sealed, 7)).toMatchObject({ action: '/settings/emails', route: '/settings/emails', fields: { address: 'ada.work@example.com' }, returnTo: '/settings/emails' });
    expect(continuations.open(sealed, 8)).toBeNull();
  });

  it.each([
    ['a password', { currentPassword: 'x', newPassword: 'y' }],
    ['a code', { code: '123456' }],
    ['a recovery code', { recoveryCode: 'AAAA-BBBB' }],
    ['a token', { token: 'abc' }],
    ['a repeated field', { address: ['a@example.com', 'b@example.com'] }],
    ['a huge field', { address: 'a'.repeat(2001) }],
    ['too many fields', Object.fromEntries(Array.from({ length: 21 }, (_, index) => [`f${index}`, 'x']))],
  ])('keeps nothing of a form with %s', (_label, body) => {
    expect(continuations.capture(posted('/settings/security/password', body), 7, '/settings/security')).toBeNull();
  });

  it('keeps only POSTs to local paths', () => {
    expect(continuations.capture({ ...posted('/settings/emails', {}), method: 'GET' } as FastifyRequest, 7, '/')).toBeNull();
    expect(continuations.capture(posted('//evil.example/settings', {}), 7, '/')).toBeNull();
  });

  it('expires after fifteen minutes, and refuses anything altered or made elsewhere', () => {
    const sealed = continuations.capture(posted('/settings/emails/3/remove', {}, '/settings/emails/:id/remove'), 7, '/settings/emails') ?? '';
    const other = createSudoContinuations({ box: createSecretBox(crypto.randomBytes(32)), now: () => clock.now, spent: spentInMemory() });
    expect(other.open(sealed, 7)).toBeNull();
    // A character in the middle: the last one of base64 text may carry only padding bits.
    const middle = Math.floor(sealed.length / 2);
    expect(continuations.open(sealed.slice(0, middle) + (sealed[middle] === 'A' ? 'B' : 'A') + sealed.slice(middle + 1), 7)).toBeNull();
    expect(continuations.open(42, 7)).toBeNull();
    clock.now += 14 * 60_000;
    expect(continuations.open(sealed, 7)?.route).toBe('/settings/emails/:id/remove');
    clock.now += 2 * 60_000;
    expect(continuations.open(sealed, 7)).toBeNull();
  });

  it('is carried out once: each kept form has its own id, and spending it twice is refused', async () => {
    const first = continuations.open(continuations.capture(posted('/settings/emails', { address: 'a@example.com' }), 7, '/settings/emails'), 7);
    const second = continuations.open(continuations.capture(posted('/settings/emails', { address: 'a@example.com' }), 7, '/settings/emails'), 7);
    if (!first || !second) throw new Error('not kept');
    expect(first.id).not.toBe(second.id);
    expect(await continuations.isSpent(first)).toBe(false);
    expect(await continuations.spend(first)).toBe(true);
    expect(await continuations.spend(first)).toBe(false);
    expect(await continuations.isSpent(first)).toBe(true);
    expect(await continuations.isSpent(second)).toBe(false);
  });
});
