import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

/** The longest socket path every supported system takes (macOS: 104 bytes with the final NUL; Linux: 108). */
const longestSocketPath = 103;

/**
 * Where a serving Dials listens for its own commands (`dials backup`): `dials.sock` in the data
 * folder, or, when that path is too long for a Unix socket, a name derived from the data folder in
 * a private folder (mode 0700) of this user under the system's temporary folder.
 */
export function controlSocketPath(dataDir: string): { file: string; privateFolder: string | null } {
  const inDataFolder = path.join(dataDir, 'dials.sock');
  if (Buffer.byteLength(inDataFolder) <= longestSocketPath) return { file: inDataFolder, privateFolder: null };
  const privateFolder = path.join(os.tmpdir(), `dials-${process.getuid?.() ?? 'user'}`);
  const name = `${crypto.createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 24)}.sock`;
  return { file: path.join(privateFolder, name), privateFolder };
}

/** Whether a socket path fits the limit (the fallback can be too long too, with an odd TMPDIR). */
export function socketPathFits(file: string): boolean {
  return Buffer.byteLength(file) <= longestSocketPath;
}
