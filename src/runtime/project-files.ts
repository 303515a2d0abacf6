import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import sea from 'node:sea';
import { fileURLToPath } from 'node:url';

/**
 * Where Dials' own files are (views, locales, migrations, public assets, package.json): the project
 * folder when it runs from its sources, assets embedded in the program when it runs as the single
 * binary (`npm run build`). Every other module asks here, so neither mode shows anywhere else.
 */
export const fromBinary = sea.isSea();

/**
 * The project folder. Inside the binary there is none: names of embedded files are made under the
 * binary's own path, so that they are absolute and readable in messages, and are never looked for on disk.
 */
export const projectRoot = fromBinary ? process.execPath : path.resolve(fileURLToPath(new URL('../../', import.meta.url)));

/** The absolute name of a project file, given relative to the project folder with forward slashes. */
export function projectPath(relative: string): string {
  return path.join(projectRoot, relative);
}

/** A project file's contents ("views/layout.eta", "migrations/meta/_journal.json"). */
export function readProjectFile(relative: string): Buffer {
  if (fromBinary) return Buffer.from(sea.getAsset(relative));
  return fs.readFileSync(projectPath(relative));
}

export function readProjectText(relative: string): string {
  return fromBinary ? sea.getAsset(relative, 'utf8') : fs.readFileSync(projectPath(relative), 'utf8');
}

/** Every file under a project folder ("views"), recursively, as paths relative to that folder with forward slashes, sorted. */
export function listProjectFiles(folder: string): string[] {
  if (fromBinary) {
    const prefix = `${folder}/`;
    return sea
      .getAssetKeys()
      .filter((key) => key.startsWith(prefix))
      .map((key) => key.slice(prefix.length))
      .sort();
  }
  return filesUnder(projectPath(folder), '').sort();
}

function filesUnder(folder: string, prefix: string): string[] {
  return fs.readdirSync(path.join(folder, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return filesUnder(folder, relative);
    return entry.isFile() ? [relative] : [];
  });
}

/**
 * A file shipped in an installed package ("htmx.org/dist/htmx.min.js"). The binary embeds it as
 * "node_modules/<the same path>".
 */
export function readPackageFile(specifier: string): Buffer {
  if (fromBinary) return readProjectFile(`node_modules/${specifier}`);
  return fs.readFileSync(createRequire(import.meta.url).resolve(specifier));
}

/**
 * A project file compressed when the binary was built ("public/app.css" with "br" is
 * "public/app.css.br"); null from sources, or when none was made.
 */
export function readPrecompressed(relative: string, encoding: 'br' | 'gzip'): Buffer | null {
  if (!fromBinary) return null;
  const key = `${relative}.${encoding === 'br' ? 'br' : 'gz'}`;
  return sea.getAssetKeys().includes(key) ? readProjectFile(key) : null;
}
