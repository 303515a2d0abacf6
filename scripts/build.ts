// npm run build: makes dist/dials, Dials as one program for Linux x64 that needs no Node on the
// machine, then prints its size and speed (scripts/build/measure.ts). `-- --no-measure` skips those.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from './build/bundle.ts';
import { embeddedFiles } from './build/embedded-files.ts';
import { describeFigures, measureBinary } from './build/measure.ts';
import { makeSingleExecutable } from './build/single-executable.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = path.join(root, 'dist');
const workFolder = path.join(dist, 'build');
const output = path.join(dist, 'dials');

const step = (text: string) => process.stdout.write(`${text}\n`);

fs.rmSync(workFolder, { recursive: true, force: true });
fs.mkdirSync(workFolder, { recursive: true });

step('bundling src/main.ts …');
const program = path.join(workFolder, 'dials.cjs');
const helpers = await bundle(root, program);

step('collecting views, locales, migrations, assets (with brotli and gzip) and native addons …');
const { assets, addons } = embeddedFiles(root, workFolder, helpers);
step(`  ${Object.keys(assets).length} files, of which ${addons.files.length} of native packages (addons ${addons.hash})`);

step(`making ${path.relative(root, output)} (Node ${process.versions.node}) …`);
await makeSingleExecutable({ main: program, assets, workFolder, output });

if (process.argv.includes('--no-measure')) {
  step(`built ${path.relative(root, output)}`);
} else {
  step('measuring …');
  const figures = await measureBinary(output);
  step(`\nbuilt ${path.relative(root, output)}\n${describeFigures(figures)}`);
}
