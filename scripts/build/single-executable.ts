import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const seaFuse = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

interface SingleExecutable {
  /** The bundled program. */
  main: string;
  assets: Record<string, string>;
  workFolder: string;
  output: string;
}

/**
 * Makes a Node single-executable application: the preparation blob (program and assets) made by
 * this Node, injected into a copy of this Node's own binary. No Node build is downloaded: the one
 * running the build (the Node 24 that npm ci brought) is the one copied.
 */
export async function makeSingleExecutable({ main, assets, workFolder, output }: SingleExecutable): Promise<void> {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`The binary is built for Linux x64, on Linux x64 (this is ${process.platform} ${process.arch})`);
  const blob = path.join(workFolder, 'sea-prep.blob');
  const config = path.join(workFolder, 'sea-config.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      main,
      output: blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: true,
      // As `npm start` runs it: a small young generation saved about 30 MB of resident memory under load.
      // Two of V8's helper threads rather than four: each keeps a memory arena of its own, and with two
      // Dials measured about 5 MB less resident memory after 10 000 requests.
      execArgv: ['--max-semi-space-size=1', '--v8-pool-size=2'],
      assets,
    }),
  );
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'pipe' });

  const binary = path.join(workFolder, 'dials');
  fs.rmSync(binary, { force: true });
  fs.copyFileSync(process.execPath, binary);
  fs.chmodSync(binary, 0o755);
  // Node's own binary carries its symbol tables; without them the file is smaller. strip may be missing (binutils): then it stays.
  const stripped = spawnSync('strip', ['--strip-all', binary], { stdio: 'ignore' });
  if (stripped.error || stripped.status !== 0) process.stdout.write('  strip is not available (binutils): the binary keeps Node\'s symbol tables\n');

  const { inject } = createRequire(import.meta.url)('postject') as {
    inject(file: string, resource: string, data: Buffer, options: { sentinelFuse: string }): Promise<void>;
  };
  // postject warns about ELF notes it cannot parse; they are harmless.
  const warn = console.warn;
  console.warn = () => {};
  try {
    await inject(binary, 'NODE_SEA_BLOB', fs.readFileSync(blob), { sentinelFuse: seaFuse });
  } finally {
    console.warn = warn;
  }
  // Copied into place as installing it would be. The file postject has just written stays in the
  // page cache in large blocks, which Linux maps whole: run from there, the same program measured
  // about 25 MB more resident memory than once copied.
  fs.rmSync(output, { force: true });
  fs.copyFileSync(binary, output);
  fs.chmodSync(output, 0o755);
  fs.rmSync(binary);
}
