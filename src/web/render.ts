import fastifyView from '@fastify/view';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatTimestamp } from '../lib/datetime-format.ts';
import { avatarUrl, initialsOf } from './avatar.ts';
import { languageNames } from '../lib/languages.ts';
import type { CookieNames } from './cookies.ts';
import { takeFlash } from './flash.ts';
import { settingsNavigation } from './navigation.ts';
import { precompiledViews } from './precompiled-views.ts';
import { compileViews, createTemplateEngine, notPageFolders, pageEngineOptions, viewsDir, type CompiledView } from './templates.ts';
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
    /** @fastify/view also takes a template compiled beforehand. */
    view(page: CompiledView, data?: object): FastifyReply;
    /** The whole page, in the layout. */
    page(template: string, data?: Record<string, unknown>, status?: number): FastifyReply;
    /** One form block alone, for htmx to swap in place. */
    block(template: string, data?: Record<string, unknown>, status?: number): FastifyReply;
    /** The block alone when htmx asks to replace it (see `wantsBlock`), otherwise the whole page around it. */
    pageOrBlock(templates: { page: string; block: string }, data?: Record<string, unknown>, status?: number): FastifyReply;
  }
}

/** A request made by htmx to replace one block; boosted navigations want whole pages. */
export function wantsBlock(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true' && request.headers['hx-boosted'] !== 'true';
}

/**
 * Pages and blocks render through @fastify/view with Dials' one Eta engine. Every template under
 * views/ is compiled once here, and the plugin is handed the compiled function, so a render looks
 * up no file and builds no options of its own; includes and layouts find the same compiled templates.
 */
export async function registerRendering(app: FastifyInstance, options: RenderOptions): Promise<void> {
  const eta = createTemplateEngine(pageEngineOptions);
  // Mail is rendered by its own engines (src/mail/compose.ts): plain text is not escaped.
  const views = compileViews(eta, notPageFolders, precompiledViews);

  // Nothing here reads reply.locals: declared up front, the plugin adds no hook to set it on every request.
  app.decorateReply('locals', null);
  await app.register(fastifyView, {
    engine: { eta },
    root: viewsDir,
    production: true,
    // The same on every page.
    defaultContext: { languageNames, assetVersion: options.assetVersion, htmxConfigAttribute, avatarUrl, initialsOf },
  });

  const commonData = (request: FastifyRequest, reply: FastifyReply) => {
    const preferences = request.viewer?.preferences ?? { ...anonymousPreferences, language: request.language };
    return {
      t: request.t,
      lang: request.language,
      viewer: request.viewer,
      preferences,
      csrfToken: options.csrfTokenFor(request, reply),
      when: (date: Date) => formatTimestamp(date, preferences),
      currentPath: request.url.split('?')[0],
    };
  };

  const render = (reply: FastifyReply, template: string, data: Record<string, unknown>, status: number) => {
    const view = views.get(template);
    if (view === undefined) throw new Error(`No template views/${template}.eta`);
    return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').view(view, data);
  };

  const page = function page(this: FastifyReply, template: string, data: Record<string, unknown> = {}, status = 200) {
    const request = this.request;
    const flash = takeFlash(request, this, options.cookies, options.secure);
    return render(this, template, { ...commonData(request, this), navigation: request.viewer ? settingsNavigation : [], flash, ...data }, status);
  };
  const block = function block(this: FastifyReply, template: string, data: Record<string, unknown> = {}, status = 200) {
    return render(this, template, { ...commonData(this.request, this), ...data }, status);
  };

  app.decorateReply('page', page);
  app.decorateReply('block', block);
  app.decorateReply('pageOrBlock', function pageOrBlock(this: FastifyReply, templates: { page: string; block: string }, data: Record<string, unknown> = {}, status = 200) {
    return wantsBlock(this.request) ? block.call(this, templates.block, data, status) : page.call(this, templates.page, data, status);
  });
}
