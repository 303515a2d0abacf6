import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { cookieNames } from '../../src/web/cookies.ts';
import { takeFlash } from '../../src/web/flash.ts';

const names = cookieNames(false);
const taken = (value: string) => {
  const request = { cookies: { [names.flash]: value } } as unknown as FastifyRequest;
  const reply = { clearCookie: () => reply } as unknown as FastifyReply;
  return takeFlash(request, reply, names, false);
};

describe('the flash cookie', () => {
  it('carries a message, with a count or an address', () => {
    expect(taken('success:flash.saved')).toEqual({ kind: 'success', messageKey: 'flash.saved' });
    expect(taken('success:notifications.flash.reset:3')).toEqual({ kind: 'success', messageKey: 'notifications.flash.reset', values: { count: 3 } });
    const address = Buffer.from('grace@example.com').toString('base64url');
    expect(taken(`success:notificationTests.sent:@${address}`)).toEqual({ kind: 'success', messageKey: 'notificationTests.sent', values: { address: 'grace@example.com' } });
  });

  it('shows nothing for a value Dials would not write', () => {
    const bidi = Buffer.from('ev\u202eil@example.com').toString('base64url');
    const spaced = Buffer.from('a b@example.com').toString('base64url');
    const long = Buffer.from(`${'a'.repeat(250)}@example.com`).toString('base64url');
    for (const value of ['success:no.such.key', 'loud:flash.saved', 'success:notifications.flash.reset:-1', 'success:notifications.flash.reset:1e9', 'success:notifications.flash.reset:1234567890', `success:notificationTests.sent:@${bidi}`, `success:notificationTests.sent:@${spaced}`, `success:notificationTests.sent:@${long}`, 'success:notificationTests.sent:@!!', 'success:notificationTests.sent:@']) {
      expect(taken(value), value).toBeNull();
    }
  });
});
