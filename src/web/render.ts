import fastifyView from '@fastify/view';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatTimestamp } from '../lib/datetime-format.ts';
import { avatarUrl, initialsOf } from './avatar.ts';
import { languageNames } from '../lib/languages.ts';
import type { CookieNames } from './cookies.ts';
import { takeFlash } from './flash.ts';
import type { HeldPages } from './held-pages.ts';
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
  /** Where pages rendered with `reply.heldPage` are kept. */
  heldPages: HeldPages;
}

declare module 'fastify' {
  interface FastifyReply {
    /** @fastify/view also takes a template compiled beforehand. */
    view(page: CompiledView, data?: object): FastifyReply;
    /** The whole page, in the layout. */
    page(template: string, data?: Record<string, unknown>, status?: number): FastifyReply;
    /** One form block alone, for htmx to swap in place. */
    block(template: string, data?: Record<string, unknown>, status?: number): FastifyReply;
    /**
     * The whole page, as `page` renders it, for a page that shows only what the session, the database
     * and the clock say: given again as last sent to this session while nothing was written (src/web/held-pages.ts).
     */
    heldPage(template: string, data: () => Promise<Record<string, unknown>>): Promise<FastifyReply>;
    /**
     * A partial rendered from `data` alone (strings, numbers and booleans; nothing of the page, the
     * person or the request): the same data always gives the same bytes, so they are kept after the first render.
     */
    partOf(template: string, data: Readonly<Record<string, string | number | boolean>>): FastifyReply;
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
  });
  // The same on every page.
  const everyPage = { languageNames, assetVersion: options.assetVersion, htmxConfigAttribute, avatarUrl, initialsOf };

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

  const noData = {};
  const htmlHeaders = (reply: FastifyReply, status: number) => reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');

  /**
   * `full` is everything the template reads, as one object literal (everyPage, commonData and the
   * route's data spread into it once). @fastify/view would merge data into a new object with
   * Object.assign, which V8 keeps as a dictionary once it passes a dozen keys: every include then
   * copied it slowly, and every read of it was a lookup (measured: half of the account page's render).
   */
  const render = (reply: FastifyReply, template: string, full: Record<string, unknown>, status: number, rendered?: (bytes: Buffer) => void) => {
    const view = views.get(template);
    if (view === undefined) throw new Error(`No template views/${template}.eta`);
    const answer = () => {
      const bytes = view(full);
      rendered?.(bytes);
      return bytes;
    };
    return htmlHeaders(reply, status).view(answer, noData);
  };

  const pageData = (reply: FastifyReply, data: Record<string, unknown>) => {
    const request = reply.request;
    const flash = takeFlash(request, reply, options.cookies, options.secure);
    return { ...everyPage, ...commonData(request, reply), navigation: request.viewer ? settingsNavigation : [], flash, ...data };
  };

  const page = function page(this: FastifyReply, template: string, data: Record<string, unknown> = {}, status = 200) {
    return render(this, template, pageData(this, data), status);
  };

  app.decorateReply('heldPage', async function heldPage(this: FastifyReply, template: string, data: () => Promise<Record<string, unknown>>) {
    const request = this.request;
    const viewer = request.viewer;
    // A flash is shown once, and an address may carry anything: such pages are rendered as usual.
    // Only at the route's own address, written as the route writes it (the page shows its address).
    if (!viewer || request.cookies[options.cookies.flash] !== undefined || request.url !== request.routeOptions.url) return page.call(this, template, await data());
    const key = `${viewer.session.id}\n${template}\n${request.language}`;
    const kept = options.heldPages.find(key);
    if (kept !== undefined) return htmlHeaders(this, 200).send(kept);
    const changes = options.heldPages.readingOf(request);
    const full = pageData(this, await data());
    if (changes === null) return render(this, template, full, 200);
    return render(this, template, full, 200, (bytes) => options.heldPages.keep(key, changes, bytes));
  });
  const block = function block(this: FastifyReply, template: string, data: Record<string, unknown> = {}, status = 200) {
    return render(this, template, { ...everyPage, ...commonData(this.request, this), ...data }, status);
  };

  // Bounded: the data of these parts comes from Dials' own strings, but a flood of odd ones stays harmless.
  const keptParts = new Map<string, Buffer>();
  app.decorateReply('partOf', function partOf(this: FastifyReply, template: string, data: Readonly<Record<string, string | number | boolean>>) {
    const key = `${template}\n${JSON.stringify(data)}`;
    const kept = keptParts.get(key);
    if (kept !== undefined) return htmlHeaders(this, 200).send(kept);
    return render(this, template, { ...data }, 200, (bytes) => {
      if (keptParts.size >= 1000) keptParts.clear();
      keptParts.set(key, bytes);
    });
  });

  app.decorateReply('page', page);
  app.decorateReply('block', block);
  app.decorateReply('pageOrBlock', function pageOrBlock(this: FastifyReply, templates: { page: string; block: string }, data: Record<string, unknown> = {}, status = 200) {
    return wantsBlock(this.request) ? block.call(this, templates.block, data, status) : page.call(this, templates.page, data, status);
  });
}
