import path from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { helperAsset, helperSources, type HelperRole } from '../../src/runtime/helper-process.ts';

/** Packages with native code: the binary carries their files and unpacks them (src/runtime/native-addons.ts). */
/** Packages with native addons, loaded from files unpacked at run time. */
export const nativePackages = ['better-sqlite3', '@node-rs/argon2', 'sharp'];
/** Packages also loaded from unpacked files because they serve files of their own folder (the API's documentation page). */
export const packagesWithTheirFiles = ['@fastify/swagger-ui'];

/** In the bundle, importing a native package loads it from the unpacked addons instead. */
function nativePackagesFromAddonCache(root: string): Plugin {
  const loader = path.join(root, 'src/runtime/native-addons.ts');
  return {
    name: 'native-packages-from-addon-cache',
    setup(builder) {
      builder.onResolve({ filter: /^(better-sqlite3|@node-rs\/argon2|sharp|@fastify\/swagger-ui)$/ }, (args) => ({ path: args.path, namespace: 'native-package' }));
      builder.onLoad({ filter: /.*/, namespace: 'native-package' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(loader)}).requireNativePackage(${JSON.stringify(args.path)});`,
        resolveDir: root,
        loader: 'js',
      }));
    },
  };
}

/**
 * Helpers are bundled on their own (their code, such as the password estimator's word lists, is
 * most of the bundle); in Dials' bundle, importing a helper's file runs its embedded bundle.
 */
function helpersFromTheirOwnBundles(root: string): Plugin {
  const runner = path.join(root, 'src/runtime/helper-process.ts');
  const roles = new Map(Object.entries(helperSources).map(([role, source]) => [path.join(root, source), role as HelperRole]));
  return {
    name: 'helpers-from-their-own-bundles',
    setup(builder) {
      builder.onResolve({ filter: /\.ts$/ }, (args) => {
        const role = roles.get(path.resolve(args.resolveDir, args.path));
        return role ? { path: role, namespace: 'helper' } : undefined;
      });
      builder.onLoad({ filter: /.*/, namespace: 'helper' }, (args) => ({
        contents: `require(${JSON.stringify(runner)}).runEmbeddedHelper(${JSON.stringify(args.path)});`,
        resolveDir: root,
        loader: 'js',
      }));
    },
  };
}

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  // import.meta is read only on the way that runs from sources (src/runtime/project-files.ts decides).
  logOverride: { 'empty-import-meta': 'silent' },
};

/**
 * Bundles src/main.ts and everything it imports into one CommonJS file, as a single-executable
 * application needs, and each helper into a file of its own. Answers the helpers' bundles by the
 * asset key the binary reads them with.
 */
export async function bundle(root: string, outfile: string): Promise<Record<string, string>> {
  await build({ ...common, absWorkingDir: root, entryPoints: ['src/main.ts'], outfile, plugins: [nativePackagesFromAddonCache(root), helpersFromTheirOwnBundles(root)] });
  const helpers: Record<string, string> = {};
  for (const [role, source] of Object.entries(helperSources)) {
    const helperFile = path.join(path.dirname(outfile), `${role}.cjs`);
    await build({ ...common, absWorkingDir: root, entryPoints: [source], outfile: helperFile, plugins: [nativePackagesFromAddonCache(root)] });
    helpers[helperAsset(role as HelperRole)] = helperFile;
  }
  return helpers;
}
