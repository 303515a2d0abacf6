import { enableCompileCache, flushCompileCache, registerHooks } from 'node:module';
import { fromBinary } from './runtime/project-files.ts';

/**
 * Makes importing drizzle-orm cheap. Node 24 looks up the package.json that governs every file
 * it loads, and each lookup re-parses that file's `exports`; drizzle-orm's package.json lists
 * every one of its files there (180 KB), and Dials loads a few hundred of them. That cost more
 * than 0.5 s and 150 MB of memory at every start.
 *
 * The hook answers the lookups Node would otherwise repeat: a relative `.js` import from inside
 * drizzle-orm is an ES module next to its importer (the package is `"type": "module"`), and a
 * bare `drizzle-orm/...` specifier resolves the same way from every file of Dials, so it is
 * resolved once per specifier. Everything else goes through Node's own resolution unchanged.
 *
 * It must be registered before any module that imports drizzle-orm is loaded (`src/main.ts`
 * does that first). Registering twice is harmless; without it everything works, only slower.
 * The binary imports nothing at run time (its modules are bundled), so there it does nothing.
 */
let registered = false;

export function registerModuleHooks(): void {
  if (registered || fromBinary) return;
  registered = true;
  const drizzleRoot = packageRoot('drizzle-orm');
  if (!drizzleRoot) return;
  const bare = new Map<string, { url: string; format?: string | null | undefined }>();
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL;
      if (parent?.startsWith(drizzleRoot) && (specifier.startsWith('./') || specifier.startsWith('../')) && specifier.endsWith('.js')) {
        const url = new URL(specifier, parent).href;
        if (url.startsWith(drizzleRoot)) return { url, format: 'module', shortCircuit: true };
      }
      // From Dials' own files (or drizzle-orm's), a bare specifier always resolves the same way; another package might have a copy of its own.
      const fromDialsOrDrizzle = parent !== undefined && (parent.startsWith(drizzleRoot) || !parent.includes('/node_modules/'));
      if (fromDialsOrDrizzle && (specifier === 'drizzle-orm' || specifier.startsWith('drizzle-orm/'))) {
        const key = `${specifier}\0${(context.conditions ?? []).join(',')}`;
        let resolved = bare.get(key);
        if (!resolved) {
          const { url, format } = nextResolve(specifier, context);
          resolved = { url, format };
          bare.set(key, resolved);
        }
        return { ...resolved, shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
  });
}

/** The file URL of an installed package's folder, ending in a slash; null when it is not installed. */
function packageRoot(name: string): string | null {
  try {
    const entry = import.meta.resolve(name);
    const marker = `/node_modules/${name}/`;
    const at = entry.lastIndexOf(marker);
    return at < 0 ? null : entry.slice(0, at + marker.length);
  } catch {
    return null;
  }
}

/**
 * Node's compile cache keeps, per source file, the JavaScript left after stripping TypeScript's
 * types and V8's compiled code, so the next start skips both. Node picks the folder (the
 * system's temporary folder, or NODE_COMPILE_CACHE) and checks every entry against the file's
 * contents; NODE_DISABLE_COMPILE_CACHE=1 turns it off. The binary has no module files to cache.
 */
export function enableModuleCompileCache(): void {
  if (!fromBinary) enableCompileCache();
}

/** Writes what was compiled so far to the cache now, rather than at exit (which a killed process never reaches). */
export function saveModuleCompileCache(): void {
  if (!fromBinary) flushCompileCache();
}
