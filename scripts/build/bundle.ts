import path from 'node:path';
import { build, type Plugin } from 'esbuild';

/** Packages with native code: the binary carries their files and unpacks them (src/runtime/native-addons.ts). */
export const nativePackages = ['better-sqlite3', '@node-rs/argon2', 'sharp'];

/** In the bundle, importing a native package loads it from the unpacked addons instead. */
function nativePackagesFromAddonCache(root: string): Plugin {
  const loader = path.join(root, 'src/runtime/native-addons.ts');
  const filter = new RegExp(`^(${nativePackages.map((name) => name.replace(/[/.]/g, '\\$&')).join('|')})$`);
  return {
    name: 'native-packages-from-addon-cache',
    setup(builder) {
      builder.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'native-package' }));
      builder.onLoad({ filter: /.*/, namespace: 'native-package' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(loader)}).requireNativePackage(${JSON.stringify(args.path)});`,
        resolveDir: root,
        loader: 'js',
      }));
    },
  };
}

/** Bundles src/main.ts and everything it imports into one CommonJS file, as a single-executable application needs. */
export async function bundle(root: string, outfile: string): Promise<void> {
  await build({
    absWorkingDir: root,
    entryPoints: ['src/main.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    minify: true,
    legalComments: 'none',
    logLevel: 'warning',
    // import.meta is read only on the way that runs from sources (src/runtime/project-files.ts decides).
    logOverride: { 'empty-import-meta': 'silent' },
    plugins: [nativePackagesFromAddonCache(root)],
  });
}
