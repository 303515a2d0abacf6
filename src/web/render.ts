import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatTimestamp } from '../lib/datetime-format.ts';
import { avatarUrl, initialsOf } from './avatar.ts';
import { languageNames } from '../lib/languages.ts';
import type { CookieNames } from './cookies.ts';
import { takeFlash } from './flash.ts';
import { settingsNavigation } from './navigation.ts';
import { createTemplateEngine } from './templates.ts';
import { anonymousPreferences } from './viewer.ts';


// htmx swaps 422 answers too, so a field's error replaces the form block; it never evaluates strings as code.
const htmxConfig = JSON.stringify({
  allowEval: false,
  allowScriptTags: false,
  includeIndicatorStyles: false,
  selfRequestsOnly: true,
  historyCacheSize: 0,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '422', swap: true },
    // Logged out meanwhile: public/app.js says so in the block (not an error of the page).
    { code: '401', swap: false },
    { code: '[45]..', swap: false, error: true },
  ],
});

// Escaped for its attribute once, not on every page (it is a constant of ours, so printed raw).
const htmxConfigAttribute = htmxConfig.replaceAll('&', '&amp;').replaceAll('"', '&quot;');

export interface RenderOptions {
  cookies: CookieNames;
  secure: boolean;
  csrfTokenFor: (request: FastifyRequest, reply: FastifyReply) => string;
  assetVersion: string;
}

declare module 'fastify' {
  interface FastifyReply {
    /** The whole page, in the layout. */
    page(template: string, data?: Record<string, unknown>, status?: number): FastifyReply;
    /** One form block alone, for htmx to swap in place. */
    block(template: string, data?: Record<string, unknown>, status?: number): FastifyReply;
  }
}

/** A request made by htmx to replace one block; boosted navigations want whole pages. */
export function wantsBlock(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true' && request.headers['hx-boosted'] !== 'true';
}

export function registerRendering(app: FastifyInstance, options: RenderOptions): void {
  const eta = createTemplateEngine({ autoEscape: true });

  const commonData = (request: FastifyRequest, reply: FastifyReply) => {
    const preferences = request.viewer?.preferences ?? { ...anonymousPreferences, language: request.language };
    return {
      t: request.t,
      lang: request.language,
      languageNames,
      viewer: request.viewer,
      preferences,
      csrfToken: options.csrfTokenFor(request, reply),
      when: (date: Date) => formatTimestamp(date, preferences),
      currentPath: request.url.split('?')[0],
      assetVersion: options.assetVersion,
      htmxConfigAttribute,
      avatarUrl,
      initialsOf,
    };
  };

  app.decorateReply('page', function page(this: FastifyReply, template: string, data = {}, status = 200) {
    const request = this.request;
    const common = commonData(request, this);
    const flash = takeFlash(request, this, options.cookies, options.secure);
    const html = eta.render(template, {
      ...common,
      navigation: request.viewer ? settingsNavigation : [],
      flash,
      ...data,
    });
    return this.code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(Buffer.from(html));
  });

  app.decorateReply('block', function block(this: FastifyReply, template: string, data = {}, status = 200) {
    const html = eta.render(template, { ...commonData(this.request, this), ...data });
    return this.code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(Buffer.from(html));
  });
}
