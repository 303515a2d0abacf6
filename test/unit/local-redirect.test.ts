import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localRedirectTarget } from '../../src/lib/local-redirect.ts';

describe('localRedirectTarget', () => {
  it.each([
    ['/settings/account', '/settings/account'],
    ['/settings/account?x=1#top', '/settings/account?x=1#top'],
    ['//evil.example', '/'],
    ['/\\evil.example', '/'],
    ['\\\\evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['https://evil.example/', '/'],
    ['/\t/evil.example', '/'],
    ['/.//evil.example', '/'],
    ['/%2e//evil.example', '/'],
    ['/a/..//evil.example', '/'],
    ['/a/../b', '/b'],
    ['', '/'],
    [undefined, '/'],
    [['/a', '/b'], '/'],
  ])('%j -> %s', (target, expected) => {
    expect(localRedirectTarget(target)).toBe(expected);
  });

  it('never returns anything that leaves the site, even from dot segments and slashes', () => {
    const pieces = fc.constantFrom('/', '.', '..', '%2e', '%2E', '\\', 'evil.example', 'a', '?', '#', '@', ':');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 10 }), (parts) => {
        const result = localRedirectTarget(`/${parts.join('')}`);
        return result.startsWith('/') && !result.startsWith('//') && !result.startsWith('/\\') && new URL(result, 'https://dials.example').origin === 'https://dials.example';
      }),
      { numRuns: 5000 },
    );
  });

  it('never returns anything that leaves the site', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (input) => {
        const result = localRedirectTarget(input);
        const resolved = new URL(result, 'https://dials.example');
        return result.startsWith('/') && !result.startsWith('//') && resolved.origin === 'https://dials.example';
      }),
      { numRuns: 2000 },
    );
  });
});
