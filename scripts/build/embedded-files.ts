import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { addonManifestKey, type AddonManifest } from '../../src/runtime/native-addons.ts';
import { compressedAssetFiles } from '../../src/web/static-assets.ts';
import { nativePackages, packagesWithTheirFiles } from './bundle.ts';

/** Project folders the binary reads at run time (src/runtime/project-files.ts), embedded whole. */
const projectFolders = ['views', 'src/web/locales', 'migrations', 'public'];
const projectFiles = ['package.json', 'node_modules/htmx.org/dist/htmx.min.js'];

/** Files of native packages that are never loaded: sources, headers, documentation, other platforms' builds. */
const notRun = /\.(md|markdown|map|d\.ts|d\.mts|d\.cts)$/i;
// Only in native packages' closure: their sources and build files. A plain JavaScript package keeps every file (yaml has a doc/ folder of code).
const unneeded = /(^|\/)(src|deps|include|docs?|test|tests|benchmark)\/|\.(md|markdown|d\.ts|d\.mts|d\.cts|map|h|hh|hpp|c|cc|cpp|gyp|gypi|ts)$|(^|\/)(darwin|win32|linux-arm|linux-arm64|linuxmusl|android|freebsd)[^/]*\.node$/i;

function filesUnder(folder: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(folder, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return filesUnder(folder, relative);
    return entry.isFile() ? [relative] : [];
  });
}

/** A package and every package it needs (optional ones only when installed), as folders under node_modules. */
function packageClosure(root: string, names: string[]): string[] {
  const found = new Set<string>();
  const visit = (name: string, required: boolean) => {
    if (found.has(name)) return;
    const manifestFile = path.join(root, 'node_modules', name, 'package.json');
    if (!fs.existsSync(manifestFile)) {
      if (required) throw new Error(`${name} is not installed in node_modules (run npm ci)`);
      return;
    }
    found.add(name);
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, true);
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) visit(dependency, false);
  };
  for (const name of names) visit(name, true);
  return [...found].sort();
}

/**
 * Every asset of the single-executable application, by the key the binary reads it with, mapped to
 * a file on disk: the helpers' bundles, the project's views, locales, migrations and public files; CSS and JavaScript
 * compressed with brotli and gzip beside them; and the native packages with their manifest.
 */
export function embeddedFiles(root: string, workFolder: string, helpers: Record<string, string>): { assets: Record<string, string>; addons: AddonManifest } {
  const assets: Record<string, string> = { ...helpers };
  for (const folder of projectFolders) for (const file of filesUnder(path.join(root, folder))) assets[`${folder}/${file}`] = path.join(root, folder, file);
  for (const file of projectFiles) assets[file] = path.join(root, file);

  for (const file of compressedAssetFiles()) {
    const body = fs.readFileSync(path.join(root, file));
    const brotli = zlib.brotliCompressSync(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } });
    const gzip = zlib.gzipSync(body, { level: zlib.constants.Z_BEST_COMPRESSION });
    for (const [suffix, bytes] of [['br', brotli], ['gz', gzip]] as const) {
      const target = path.join(workFolder, 'compressed', `${file}.${suffix}`);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, bytes);
      assets[`${file}.${suffix}`] = target;
    }
  }

  const hash = crypto.createHash('sha256');
  const files: string[] = [];
  const native = new Set(packageClosure(root, nativePackages));
  const unpacked = [...new Set([...native, ...packageClosure(root, packagesWithTheirFiles)])];
  for (const name of unpacked) {
    for (const file of filesUnder(path.join(root, 'node_modules', name))) {
      if (native.has(name) ? unneeded.test(file) && file !== 'package.json' : notRun.test(file)) continue;
      const relative = `node_modules/${name}/${file}`;
      const source = path.join(root, relative);
      files.push(relative);
      assets[`addons/${relative}`] = source;
      hash.update(relative).update('\0').update(fs.readFileSync(source)).update('\0');
    }
  }
  const addons: AddonManifest = { hash: hash.digest('hex').slice(0, 16), files };
  const manifestFile = path.join(workFolder, 'addon-manifest.json');
  fs.writeFileSync(manifestFile, JSON.stringify(addons));
  assets[addonManifestKey] = manifestFile;
  return { assets, addons };
}
