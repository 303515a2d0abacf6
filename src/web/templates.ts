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
  const known = new Map<string, string>();
  eta.resolvePath = (template, resolveOptions) => {
    const key = `${resolveOptions?.filepath ?? ''}\u0000${template}`;
    let resolved = known.get(key);
    if (resolved === undefined) {
      resolved = resolve(template, resolveOptions);
      known.set(key, resolved);
    }
    return resolved;
  };
  return eta;
}
