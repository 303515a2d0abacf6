import path from 'node:path';
import { Eta, type Options, type TemplateFunction } from 'eta';
import { listProjectFiles, projectPath, projectRoot, readProjectText } from '../runtime/project-files.ts';
import type { PrecompiledView } from './precompiled-views.ts';

export const viewsDir = projectPath('views');

/**
 * A template compiled at start: its data in, its HTML out as bytes. Handed to the socket as a string,
 * a page of thousands of concatenated pieces was measured twice over (for its length, then while
 * being written); made into bytes once here, a page costs a fifth less server time.
 */
export type CompiledView = (data: object) => Buffer;

/**
 * An Eta engine over views/ with compiled templates cached. Eta also works out every included
 * file's path on each render (building a JSON cache key each time); the answers never change, so
 * they are remembered here.
 */
export function createTemplateEngine(options: { autoEscape: boolean; keepNewlines?: boolean; escapeBeyondLatin1?: boolean }): Eta {
  const eta = new Eta({
    views: viewsDir,
    cache: true,
    autoEscape: options.autoEscape,
    ...(options.escapeBeyondLatin1 ? { escapeFunction: escapeForPage } : {}),
    // Plain-text mail keeps every newline; HTML drops the one after each tag, as Eta does by default.
    autoTrim: options.keepNewlines ? false : [false, 'nl'],
    plugins: [{ processFnString: includeWithoutCopy }],
  });
  const resolve = eta.resolvePath.bind(eta);
  // By including file, then by name: no key string is built on each include.
  const known = new Map<string, Map<string, string>>();
  eta.resolvePath = (template, resolveOptions) => {
    const from = resolveOptions?.filepath ?? '';
    let byName = known.get(from);
    if (byName === undefined) {
      byName = new Map();
      known.set(from, byName);
    }
    let resolved = byName.get(template);
    if (resolved === undefined) {
      resolved = resolve(template, resolveOptions);
      byName.set(template, resolved);
    }
    return resolved;
  };
  // An include finds its compiled template and its options once per including file and name: Eta
  // copies the options and looks the template up again on every include.
  const renderAnyway = eta.render.bind(eta);
  const includes = new Map<string, Map<string, { compiled: TemplateFunction; options: Partial<Options> }>>();
  eta.render = function render(this: ThisParameterType<Eta['render']>, template: string | TemplateFunction, data: object, meta?: { filepath: string }): string {
    const from = meta?.filepath;
    if (typeof template !== 'string' || template.startsWith('@') || from === undefined) return renderAnyway(template, data, meta);
    let byName = includes.get(from);
    if (byName === undefined) {
      byName = new Map();
      includes.set(from, byName);
    }
    let found = byName.get(template);
    if (found === undefined) {
      const options: Partial<Options> = { ...meta, async: false };
      options.filepath = eta.resolvePath(template, { filepath: from });
      const compiled = eta.templatesSync.get(options.filepath);
      // Not compiled yet (a mail template before its first use): Eta reads and compiles it.
      if (compiled === undefined) return renderAnyway(template, data, meta);
      found = { compiled, options };
      byName.set(template, found);
    }
    return found.compiled.call(this, data, found.options);
  };
  // Templates not compiled at start (mail's) are read where Dials keeps its files, not from the disk.
  eta.readFile = (file: string) => readProjectText(path.relative(projectRoot, file).split(path.sep).join('/'));
  return eta;
}

// Eta's include copies every key of the including template's data into a new object, on every
// include, even when nothing is added; a page includes dozens of partials. Templates never change
// their data, so an include that adds nothing is handed the same object.
const etaInclude = 'let include = (__eta_t, __eta_d) => this.render(__eta_t, {...it, ...(__eta_d ?? {})}, options);';
const sharedInclude = 'let include = (__eta_t, __eta_d) => this.render(__eta_t, __eta_d === undefined ? it : {...it, ...__eta_d}, options);';

function includeWithoutCopy(compiled: string): string {
  if (!compiled.includes(etaInclude)) throw new Error('Eta compiles include differently: review src/web/templates.ts');
  return compiled.replace(etaInclude, sharedInclude);
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
// Surrogates are left alone: a character reference to half a pair would not be a character.
const pageSpecial = /[&<>"'\u0100-\ud7ff\ue000-\uffff]/;
const pageSpecials = /[&<>"'\u0100-\ud7ff\ue000-\uffff]/g;
const escapeOne = (character: string) => escapes[character] ?? `&#x${character.charCodeAt(0).toString(16)};`;

/**
 * Eta's HTML escape, which also writes characters beyond Latin-1 ("…", "“") as character
 * references. One such character in a translation made V8 hold the whole page in two bytes a
 * character, and turning that into UTF-8 bytes cost twice as long as for a page held in one byte
 * (measured: 30 against 12 µs for the 10 KB account page). The browser reads the same text.
 */
export function escapeForPage(value: unknown): string {
  const text = String(value);
  return pageSpecial.test(text) ? text.replace(pageSpecials, escapeOne) : text;
}

/** The settings of the engine pages render with (src/web/render.ts); mail has engines of its own (src/mail/compose.ts). */
export const pageEngineOptions = { autoEscape: true, escapeBeyondLatin1: true } as const;
/** Folders of views/ that are not pages. */
export const notPageFolders = ['emails'];

function viewFiles(skip: string[]): string[] {
  return listProjectFiles('views').filter((file) => file.endsWith('.eta') && !skip.some((folder) => file.startsWith(`${folder}/`)));
}

/**
 * Compiles every template under views/ (but `skip`'s folders) once, into `eta`'s own cache, so that
 * includes and layouts find them compiled too. Answers each by name ("settings/account/page"): a
 * function that renders it with the same options Eta's own render would give it. A template found in
 * `precompiled` (compiled by an engine of the same settings when the binary was built) is not compiled again.
 */
export function compileViews(eta: Eta, skip: string[] = [], precompiled: Readonly<Record<string, PrecompiledView>> | null = null): Map<string, CompiledView> {
  const views = new Map<string, CompiledView>();
  for (const file of viewFiles(skip)) {
    const filepath = path.join(viewsDir, file);
    const compiled = precompiled?.[file] ?? (eta.compile(readProjectText(`views/${file}`), { async: false }) as PrecompiledView);
    eta.templatesSync.define(filepath, compiled as never);
    const renderOptions = { filepath, async: false };
    views.set(file.slice(0, -'.eta'.length), (data) => Buffer.from(compiled.call(eta, data, renderOptions)));
  }
  return views;
}

/**
 * The source of every page template's compiled function, by file under views/, as Eta writes it for
 * the page engine: the build puts these into the binary (src/web/precompiled-views.ts).
 */
export function pageViewSources(): Map<string, string> {
  const eta = createTemplateEngine(pageEngineOptions);
  const sources = new Map<string, string>();
  for (const file of viewFiles(notPageFolders)) {
    const body = eta.compileToString(readProjectText(`views/${file}`), { async: false });
    sources.set(file, `function (${eta.config.varName}, options) {\n${body}\n}`);
  }
  return sources;
}
