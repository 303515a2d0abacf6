import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import sea from 'node:sea';

/**
 * The native packages (better-sqlite3, argon2, sharp and what they load) inside the binary. Node can
 * load native code only from files, so on first need they are unpacked into a folder of the addon
 * cache named by their content hash: another version of Dials unpacks beside it, never over a copy
 * a running Dials uses. The bundle loads these packages through `requireNativePackage`
 * (scripts/build/bundle.ts); from sources they are imported as usual and nothing here runs.
 */
export const addonManifestKey = 'addons/manifest.json';

/** What the build writes to `addonManifestKey`; each file is embedded as `addons/<file>`. */
export interface AddonManifest {
  hash: string;
  /** Paths under the unpacked folder, such as "node_modules/better-sqlite3/lib/index.js". */
  files: string[];
}

/** The addons cannot be unpacked or loaded where ADDON_CACHE_DIR points: a setting to change, not a bug. */
export class AddonCacheError extends Error {}

let cacheFolder: string | null = null;
let load: NodeJS.Require | undefined;

/** Where the addon cache is (ADDON_CACHE_DIR); set from the configuration before any native package loads. */
export function useAddonCacheFolder(folder: string): void {
  cacheFolder = folder;
}

export function requireNativePackage(name: string): unknown {
  const folder = unpackedFolder();
  load ??= createRequire(path.join(folder, 'index.js'));
  try {
    return load(name);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_DLOPEN_FAILED') throw error;
    throw new AddonCacheError(
      `Could not load ${name} from ${folder} (ADDON_CACHE_DIR): ${(error as Error).message}\nThe folder must be on a file system that allows executing files (not mounted noexec).`,
      { cause: error },
    );
  }
}

function unpackedFolder(): string {
  if (cacheFolder === null) throw new Error(`The addon cache folder is not set, so ${addonManifestKey} cannot be unpacked`);
  const manifest = JSON.parse(sea.getAsset(addonManifestKey, 'utf8')) as AddonManifest;
  const folder = path.join(cacheFolder, manifest.hash);
  if (fs.existsSync(folder)) return folder;
  // Unpacked whole into a temporary folder, then renamed: a folder with the hash's name is always complete.
  let unpacking: string;
  try {
    fs.mkdirSync(cacheFolder, { recursive: true });
    unpacking = fs.mkdtempSync(path.join(cacheFolder, `.unpacking-${manifest.hash}-`));
  } catch (error) {
    throw new AddonCacheError(`Could not unpack the native addons into ${cacheFolder} (ADDON_CACHE_DIR): ${(error as Error).message}`, { cause: error });
  }
  try {
    for (const file of manifest.files) {
      const target = path.join(unpacking, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, new Uint8Array(sea.getRawAsset(`addons/${file}`)));
    }
    fs.renameSync(unpacking, folder);
  } catch (error) {
    fs.rmSync(unpacking, { recursive: true, force: true });
    // Another Dials of the same version unpacked it meanwhile.
    if (fs.existsSync(folder)) return folder;
    throw new AddonCacheError(`Could not unpack the native addons into ${cacheFolder} (ADDON_CACHE_DIR): ${(error as Error).message}`, { cause: error });
  }
  return folder;
}
