import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { baseCookieOptions, type CookieNames } from './cookies.ts';
import { hasTranslation } from './i18n.ts';

export type FlashKind = 'success' | 'error' | 'info';
export interface Flash {
  kind: FlashKind;
  messageKey: string;
  /**
   * A number the message says ("3 settings were removed"), or an address ("sent to a@b.example"):
   * only digits, or the address in base64url, travel in the cookie.
   */
  values?: { count: number } | { address: string };
}

declare module 'fastify' {
  interface FastifyReply {
    /** Redirects (303 unless told) with a one-time message for the page that follows. */
    redirectWithFlash(url: string, flash: Flash, code?: number): FastifyReply;
  }
}

const kinds = new Set<string>(['success', 'error', 'info']);

/** A one-time message for the next page after a redirect; only a translation key travels in the cookie. */
export function registerFlash(app: FastifyInstance, options: { cookies: CookieNames; secure: boolean }): void {
  const cookieOptions = { ...baseCookieOptions(options.secure), maxAge: 60 };
  app.decorateReply('redirectWithFlash', function redirectWithFlash(this: FastifyReply, url: string, flash: Flash, code = 303) {
    const value = !flash.values ? '' : 'count' in flash.values ? `:${Math.max(0, Math.trunc(flash.values.count))}` : `:@${Buffer.from(flash.values.address).toString('base64url')}`;
    this.setCookie(options.cookies.flash, `${flash.kind}:${flash.messageKey}${value}`, cookieOptions);
    return this.redirect(url, code);
  });
}

export function takeFlash(request: FastifyRequest, reply: FastifyReply, cookies: CookieNames, secure: boolean): Flash | null {
  const raw = request.cookies[cookies.flash];
  if (!raw) return null;
  reply.clearCookie(cookies.flash, baseCookieOptions(secure));
  const [kind = '', messageKey = '', value] = raw.split(':', 3);
  if (!kinds.has(kind) || !/^[a-zA-Z0-9_.]{1,100}$/.test(messageKey)) return null;
  const values = value === undefined ? undefined : valuesOf(value);
  if (values === null) return null;
  if (!hasTranslation(messageKey, values && 'count' in values ? values.count : undefined)) return null;
  return values ? { kind: kind as FlashKind, messageKey, values } : { kind: kind as FlashKind, messageKey };
}

/** A flash's value as the cookie carries it: digits for a count, `@` and base64url for an address; null for anything else. */
function valuesOf(value: string): Flash['values'] | null {
  if (/^\d{1,9}$/.test(value)) return { count: Number(value) };
  if (!/^@[A-Za-z0-9_-]{1,400}$/.test(value)) return null;
  const address = Buffer.from(value.slice(1), 'base64url').toString('utf8');
  // An address, as the page would show it: printable, no line breaks, not too long.
  return address.length <= 254 && /^[^\s@]+@[^\s@]+$/u.test(address) && !/[\p{Cc}\p{Cf}]/u.test(address) ? { address } : null;
}
