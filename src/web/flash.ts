import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { baseCookieOptions, type CookieNames } from './cookies.ts';
import { hasTranslation } from './i18n.ts';

export type FlashKind = 'success' | 'error' | 'info';
export interface Flash {
  kind: FlashKind;
  messageKey: string;
  /** A number the message says ("3 settings were removed"): only digits travel in the cookie. */
  values?: { count: number };
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
    const count = flash.values ? `:${Math.max(0, Math.trunc(flash.values.count))}` : '';
    this.setCookie(options.cookies.flash, `${flash.kind}:${flash.messageKey}${count}`, cookieOptions);
    return this.redirect(url, code);
  });
}

export function takeFlash(request: FastifyRequest, reply: FastifyReply, cookies: CookieNames, secure: boolean): Flash | null {
  const raw = request.cookies[cookies.flash];
  if (!raw) return null;
  reply.clearCookie(cookies.flash, baseCookieOptions(secure));
  const [kind = '', messageKey = '', count] = raw.split(':', 3);
  if (!kinds.has(kind) || !/^[a-zA-Z0-9_.]{1,100}$/.test(messageKey)) return null;
  if (count !== undefined && !/^\d{1,9}$/.test(count)) return null;
  const values = count === undefined ? undefined : { count: Number(count) };
  if (!hasTranslation(messageKey, values?.count)) return null;
  return values ? { kind: kind as FlashKind, messageKey, values } : { kind: kind as FlashKind, messageKey };
}
