import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { languageFromAcceptHeader } from '../lib/languages.ts';
import { baseCookieOptions, type CookieNames } from './cookies.ts';
import { translatorFor } from './i18n.ts';
import type { Viewer, ViewerPreferences } from './viewer.ts';

export interface SessionLayerOptions {
  cookies: CookieNames;
  secure: boolean;
  validate: (token: string, client: { ipAddress: string; userAgent: string }) => Omit<Viewer, 'preferences'> | null;
  loadPreferences: (userId: number) => ViewerPreferences;
}

export function clientDetails(request: FastifyRequest): { ipAddress: string; userAgent: string } {
  return { ipAddress: request.ip, userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512) };
}

/** Resolves the session cookie into request.viewer and picks the language every string is shown in. */
export function registerSessionLayer(app: FastifyInstance, options: SessionLayerOptions): void {
  app.decorateRequest('viewer', null);
  app.decorateRequest('language', 'en');
  app.decorateRequest('t', null as never);

  app.addHook('onRequest', async (request, reply) => {
    const token = request.cookies[options.cookies.session];
    if (token) {
      const found = token.length <= 64 ? options.validate(token, clientDetails(request)) : null;
      if (found) {
        request.viewer = { ...found, preferences: options.loadPreferences(found.user.id) };
      } else {
        reply.clearCookie(options.cookies.session, baseCookieOptions(options.secure));
      }
    }
    request.language = request.viewer?.preferences.language ?? languageFromAcceptHeader(request.headers['accept-language']);
    request.t = translatorFor(request.language);
  });
}

export function setSessionCookie(reply: FastifyReply, options: { cookies: CookieNames; secure: boolean }, token: string, expiresAt: Date): void {
  reply.setCookie(options.cookies.session, token, { ...baseCookieOptions(options.secure), expires: expiresAt });
}

export function clearSessionCookie(reply: FastifyReply, options: { cookies: CookieNames; secure: boolean }): void {
  reply.clearCookie(options.cookies.session, baseCookieOptions(options.secure));
}
