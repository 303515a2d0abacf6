import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

export const viewsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../views');

/**
 * An Eta engine over views/ with compiled templates cached. Eta also works out every included
 * file's path on each render (building a JSON cache key each time); the answers never change, so
 * they are remembered here.
 */
export function createTemplateEngine(options: { autoEscape: boolean; keepNewlines?: boolean }): Eta {
  const eta = new Eta({
    views: viewsDir,
    cache: true,
    autoEscape: options.autoEscape,
    // Plain-text mail keeps every newline; HTML drops the one after each tag, as Eta does by default.
    autoTrim: options.keepNewlines ? false : [false, 'nl'],
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
  return eta;
}
