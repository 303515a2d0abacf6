import fs from 'node:fs';
import path from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { chunkAsset, embeddedChunks } from '../../src/runtime/embedded-chunks.ts';
import { helperAsset, helperSources, type HelperRole } from '../../src/runtime/helper-process.ts';
import { pageViewSources } from '../../src/web/templates.ts';

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

/** In Dials' bundle, a package of `embeddedChunks` is required from its own bundle, carried beside (src/runtime/embedded-chunks.ts). */
function chunksFromTheirOwnBundles(root: string): Plugin {
  const runner = path.join(root, 'src/runtime/embedded-chunks.ts');
  const names = new Set<string>(embeddedChunks);
  return {
    name: 'chunks-from-their-own-bundles',
    setup(builder) {
      builder.onResolve({ filter: /^[@a-z]/ }, (args) => (names.has(args.path) ? { path: args.path, namespace: 'embedded-chunk' } : undefined));
      builder.onLoad({ filter: /.*/, namespace: 'embedded-chunk' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(runner)}).requireEmbeddedChunk(${JSON.stringify(args.path)});`,
        resolveDir: root,
        loader: 'js',
      }));
    },
  };
}

/**
 * The page templates compiled now rather than at every start: src/web/precompiled-views.ts becomes
 * a module of their compiled functions. V8 then compiles a template's code only when it is first rendered.
 */
function pageViewsCompiledAtBuild(root: string): Plugin {
  const stub = path.join(root, 'src/web/precompiled-views.ts');
  return {
    name: 'page-views-compiled-at-build',
    setup(builder) {
      builder.onResolve({ filter: /precompiled-views\.ts$/ }, (args) => (path.resolve(args.resolveDir, args.path) === stub ? { path: stub, namespace: 'precompiled-views' } : undefined));
      builder.onLoad({ filter: /.*/, namespace: 'precompiled-views' }, () => {
        const entries = [...pageViewSources()].map(([file, source]) => `  ${JSON.stringify(file)}: ${source},`);
        return { contents: `exports.precompiledViews = {\n${entries.join('\n')}\n};\n`, resolveDir: root, loader: 'js' };
      });
    },
  };
}

/**
 * zod's `locales` export lists the messages of every language it has, and loading them all cost
 * 6 ms of every start; Dials reads zod's messages in English only (`z.locales` is not used), so
 * the bundle carries English alone.
 */
function zodEnglishOnly(): Plugin {
  return {
    name: 'zod-english-only',
    setup(builder) {
      builder.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
        /[\\/]zod[\\/]v4[\\/](classic|core|mini)$/.test(args.resolveDir) ? { path: path.join(args.resolveDir, '../locales/en.js'), namespace: 'zod-locales' } : undefined,
      );
      builder.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({ contents: `export { default as en } from ${JSON.stringify(args.path)};`, resolveDir: path.dirname(args.path), loader: 'js' }));
    },
  };
}

/**
 * @fastify/multipart adds `request.formData()` when the global FormData exists, and reading that
 * global makes Node load its fetch implementation (undici): 15 ms of every start, for a method Dials
 * never calls. In the bundle the plugin does not look.
 */
function multipartWithoutFormData(): Plugin {
  const check = 'if (globalThis.FormData && !fastify.hasRequestDecorator(\'formData\'))';
  return {
    name: 'multipart-without-form-data',
    setup(builder) {
      builder.onLoad({ filter: /[\\/]@fastify[\\/]multipart[\\/]index\.js$/ }, (args) => {
        const source = fs.readFileSync(args.path, 'utf8');
        if (!source.includes(check)) throw new Error(`@fastify/multipart no longer reads "${check}": see scripts/build/bundle.ts`);
        return { contents: source.replace(check, 'if (false)'), loader: 'js' };
      });
    },
  };
}

/**
 * Fastify's server module loads node:http2 and node:https when it is loaded, for servers Dials does
 * not make (it serves plain HTTP/1.1 behind a proxy): 5 to 10 ms of every start. In the bundle each
 * is loaded when first used.
 */
function fastifyServerWithoutHttp2AndHttps(): Plugin {
  const eager = ["const https = require('node:https')", "const http2 = require('node:http2')"];
  return {
    name: 'fastify-server-without-http2-and-https',
    setup(builder) {
      builder.onLoad({ filter: /[\\/]fastify[\\/]lib[\\/]server\.js$/ }, (args) => {
        let source = fs.readFileSync(args.path, 'utf8');
        for (const line of eager) {
          if (!source.includes(line)) throw new Error(`fastify/lib/server.js no longer has "${line}": see scripts/build/bundle.ts`);
          const [, name, builtin] = /^const (\w+) = require\('([^']+)'\)$/.exec(line) ?? [];
          source = source.replace(line, `let ${name}Module; const ${name} = new Proxy({}, { get: (_, key) => (${name}Module ??= require('${builtin}'))[key] })`);
        }
        return { contents: source, loader: 'js' };
      });
    },
  };
}

/**
 * In the bundle (CommonJS), `import.meta.url` of an ES module it carries is the binary's own file URL,
 * as `__filename` is there: node-cron reads it when loaded, and without it the schedules did not start.
 */
const importMetaUrl = { define: { 'import.meta.url': '__dials_import_meta_url' }, banner: { js: '"use strict";var __dials_import_meta_url = require("node:url").pathToFileURL(__filename).href;' } };

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
  await build({ ...common, ...importMetaUrl, absWorkingDir: root, entryPoints: ['src/main.ts'], outfile, plugins: [nativePackagesFromAddonCache(root), helpersFromTheirOwnBundles(root), pageViewsCompiledAtBuild(root), zodEnglishOnly(), multipartWithoutFormData(), fastifyServerWithoutHttp2AndHttps(), chunksFromTheirOwnBundles(root)] });
  const helpers: Record<string, string> = {};
  for (const name of embeddedChunks) {
    const chunkFile = path.join(path.dirname(outfile), 'chunks', `${name}.cjs`);
    const entry = { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: root, loader: 'js' as const, sourcefile: `${name}-chunk.js` };
    await build({ ...common, ...importMetaUrl, absWorkingDir: root, stdin: entry, outfile: chunkFile });
    helpers[chunkAsset(name)] = chunkFile;
  }
  for (const [role, source] of Object.entries(helperSources)) {
    const helperFile = path.join(path.dirname(outfile), `${role}.cjs`);
    await build({ ...common, absWorkingDir: root, entryPoints: [source], outfile: helperFile, plugins: [nativePackagesFromAddonCache(root)] });
    helpers[helperAsset(role as HelperRole)] = helperFile;
  }
  return helpers;
}
