import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { presentedKey } from '../../src/web/api-key-authenticator.ts';

const withAuthorization = (authorization?: string) => ({ headers: authorization === undefined ? {} : { authorization } }) as FastifyRequest;
const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('the key a request presents', () => {
  it('is the Bearer token, or the password of HTTP Basic (any user name)', () => {
    expect(presentedKey(withAuthorization('Bearer dials_abc'))).toBe('dials_abc');
    expect(presentedKey(withAuthorization('bearer   dials_abc  '))).toBe('dials_abc');
    expect(presentedKey(withAuthorization(basic('ci:dials_abc')))).toBe('dials_abc');
    expect(presentedKey(withAuthorization(basic(':dials_abc')))).toBe('dials_abc');
    expect(presentedKey(withAuthorization(basic('ci:pass:with:colons')))).toBe('pass:with:colons');
  });

  it('is undefined without the header, and empty (malformed) for anything else', () => {
    expect(presentedKey(withAuthorization())).toBeUndefined();
    for (const header of ['', 'Bearer', 'Bearer a b', 'Token dials_abc', basic('no colon'), `Basic ${'a'.repeat(600)}`]) {
      expect(presentedKey(withAuthorization(header)), header).toBe('');
    }
  });
});
