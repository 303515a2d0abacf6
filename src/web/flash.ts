import type { FastifyReply, FastifyRequest } from 'fastify';
import { baseCookieOptions, type CookieNames } from './cookies.ts';
import { hasTranslation } from './i18n.ts';

export type FlashKind = 'success' | 'error' | 'info';
export interface Flash {
  kind: FlashKind;
  messageKey: string;
}

const kinds = new Set<string>(['success', 'error', 'info']);

/** A one-time message for the next page after a redirect; only a translation key travels in the cookie. */
export function setFlash(reply: FastifyReply, cookies: CookieNames, secure: boolean, flash: Flash): void {
  reply.setCookie(cookies.flash, `${flash.kind}:${flash.messageKey}`, { ...baseCookieOptions(secure), maxAge: 60 });
}

export function takeFlash(request: FastifyRequest, reply: FastifyReply, cookies: CookieNames, secure: boolean): Flash | null {
  const raw = request.cookies[cookies.flash];
  if (!raw) return null;
  reply.clearCookie(cookies.flash, baseCookieOptions(secure));
  const [kind = '', messageKey = ''] = raw.split(':', 2);
  if (!kinds.has(kind) || !/^[a-zA-Z0-9_.]{1,100}$/.test(messageKey) || !hasTranslation(messageKey)) return null;
  return { kind: kind as FlashKind, messageKey };
}
