import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.ts';
import { writeBackup } from '../db/backup.ts';
import type { Db } from '../db/client.ts';
import { dialsVersion } from '../version.ts';
import { openControlSocket } from './control-server.ts';
import { scheduleBackups } from './nightly.ts';
import { backupWritten, takeBackup, type BackupWriter } from './take-backup.ts';

/**
 * What a serving Dials does for backups: it answers `dials backup` on its control socket (the
 * database is locked by this process, so the copy is made here, with SQLite's online backup), and
 * runs the scheduled backup when BACKUP_SCHEDULE is set. Returns a function that stops both and
 * removes the socket.
 */
export async function startBackups(config: Config, db: Db, log: FastifyBaseLogger): Promise<() => Promise<void>> {
  const write: BackupWriter = (target, details) => writeBackup(db, target, details);
  const socket = await openControlSocket(
    config.dataDir,
    async (request) => {
      if (request.command === 'ping') return { ok: true, message: `Dials ${dialsVersion()} is serving (process ${process.pid}).` };
      const result = await takeBackup(request.file, config.dataDir, write);
      if (!result.ok) {
        log.warn({ file: request.file }, `backup asked on the control socket failed: ${result.message}`);
        return result;
      }
      log.info({ file: result.file, bytes: result.bytes }, 'backup taken, as asked on the control socket');
      return { ok: true, message: backupWritten(result.file, result.bytes) };
    },
    log,
  );
  const stopSchedule = await scheduleBackups(config, config.dataDir, write, log);
  return async () => {
    await stopSchedule();
    await socket.close();
  };
}
