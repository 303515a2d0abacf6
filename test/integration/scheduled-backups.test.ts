import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScheduledBackup, scheduledBackups } from '../../src/backups/nightly.ts';
import { readBackup, writeBackup } from '../../src/db/backup.ts';
import { closeDatabase, openDatabase } from '../../src/db/client.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { dataDirsRemovedAfterEachTest, runDials, serveDials } from '../support/dials-process.ts';

const folder = dataDirsRemovedAfterEachTest();

function recordingLog() {
  const lines: Array<{ level: string; message: string }> = [];
  return {
    lines,
    info: (_details: object, message: string) => lines.push({ level: 'info', message }),
    error: (_details: object, message: string) => lines.push({ level: 'error', message }),
  };
}

describe('scheduled backups', () => {
  it('each run writes nightly-<time>.dials-backup and keeps only the newest BACKUP_KEEP of them; other files stay', async () => {
    const dataDir = folder();
    const db = openDatabase(path.join(dataDir, 'dials.db'));
    applyMigrations(db);
    const key = `${Buffer.alloc(32, 9).toString('base64')}\n`;
    fs.writeFileSync(path.join(dataDir, 'secret.key'), key);
    const dir = path.join(dataDir, 'backups');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'before-0.1.0-2026-01-01T00-00-00-000Z.dials-backup'), 'an upgrade backup');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'the operator’s own file');
    const log = recordingLog();
    try {
      const start = Date.parse('2026-03-10T03:30:00Z');
      for (let night = 0; night < 4; night += 1) {
        const result = await runScheduledBackup({ dir, keep: 2, dataDir, write: (target, details) => writeBackup(db, target, details), now: new Date(start + night * 86_400_000), log });
        expect(result.ok).toBe(true);
      }
    } finally {
      closeDatabase(db);
    }
    expect(scheduledBackups(dir)).toEqual(['nightly-2026-03-12T03-30-00-000Z.dials-backup', 'nightly-2026-03-13T03-30-00-000Z.dials-backup']);
    expect(fs.readdirSync(dir)).toHaveLength(4);
    const kept = readBackup(path.join(dir, 'nightly-2026-03-13T03-30-00-000Z.dials-backup'));
    expect(kept.ok && kept.info.secretKey).toBe(key);
    expect(kept.ok && kept.info.takenAt).toBe('2026-03-13T03:30:00.000Z');
    expect(log.lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it('a run that fails is logged as an error and throws nothing', async () => {
    const dataDir = folder();
    const blocked = path.join(dataDir, 'a-file');
    fs.writeFileSync(blocked, 'in the way');
    const log = recordingLog();
    const result = await runScheduledBackup({
      dir: path.join(blocked, 'backups'),
      keep: 2,
      dataDir,
      write: () => Promise.reject(new Error('never reached')),
      now: new Date(),
      log,
    });
    expect(result.ok).toBe(false);
    expect(log.lines).toEqual([{ level: 'error', message: expect.stringMatching(/^scheduled backup failed: /) }]);
  });

  it('a serving Dials with BACKUP_SCHEDULE runs it, keeps BACKUP_KEEP; a failing one is logged and Dials serves on', async () => {
    const dataDir = folder();
    const dir = path.join(folder(), 'kept');
    const dials = await serveDials(dataDir, { BACKUP_SCHEDULE: '* * * * * *', BACKUP_KEEP: '2', BACKUP_DIR: dir, LOG_LEVEL: 'info' });
    try {
      const deadline = Date.now() + 15_000;
      while ((dials.output().match(/scheduled backup taken/g) ?? []).length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      expect((dials.output().match(/scheduled backup taken/g) ?? []).length).toBeGreaterThanOrEqual(4);
    } finally {
      dials.child.kill('SIGTERM');
    }
    expect(await dials.exited).toBe(0);
    expect(scheduledBackups(dir)).toHaveLength(2);
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.partial'))).toEqual([]);

    const blocked = path.join(dataDir, 'a-file');
    fs.writeFileSync(blocked, 'in the way');
    const failing = await serveDials(dataDir, { BACKUP_SCHEDULE: '* * * * * *', BACKUP_DIR: path.join(blocked, 'backups'), LOG_LEVEL: 'info' });
    try {
      const deadline = Date.now() + 10_000;
      while (!/scheduled backup failed/.test(failing.output()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      expect(failing.output()).toMatch(/"level":50.*scheduled backup failed/);
      expect((await fetch(`${failing.url}/healthz`)).status).toBe(200);
    } finally {
      failing.child.kill('SIGTERM');
    }
    expect(await failing.exited).toBe(0);
  });

  it('a BACKUP_SCHEDULE that is not a cron expression: named by check and at start, exit 2 or 1, nothing started', async () => {
    const dataDir = folder();
    const fields = await runDials(['check'], dataDir, { BACKUP_SCHEDULE: 'every night' });
    expect(fields.code).toBe(2);
    expect(fields.stderr).toContain('BACKUP_SCHEDULE');
    const range = await runDials([], dataDir, { BACKUP_SCHEDULE: '75 3 * * *' });
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/BACKUP_SCHEDULE: .*minute/i);
    expect(fs.readdirSync(dataDir)).toEqual([]);
    const checked = await runDials(['check'], dataDir, { BACKUP_SCHEDULE: '75 3 * * *' });
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/PROBLEM +BACKUP_SCHEDULE/);
  });

  it('retention goes by modification time, and never removes the backup just written, whatever the names say', async () => {
    const dataDir = folder();
    const db = openDatabase(path.join(dataDir, 'dials.db'));
    applyMigrations(db);
    const dir = path.join(dataDir, 'backups');
    fs.mkdirSync(dir);
    const fromAClockAhead = 'nightly-2099-01-01T03-30-00-000Z.dials-backup';
    const log = recordingLog();
    const night = (when: string, keep: number) =>
      runScheduledBackup({ dir, keep, dataDir, write: (target, details) => writeBackup(db, target, details), now: new Date(when), log });
    try {
      // Written while the clock was ahead: its time is in the future too.
      fs.writeFileSync(path.join(dir, fromAClockAhead), 'a backup');
      fs.utimesSync(path.join(dir, fromAClockAhead), new Date('2099-01-01T03:30:00Z'), new Date('2099-01-01T03:30:00Z'));
      const first = await night('2026-03-10T03:30:00Z', 1);
      expect(first.ok && fs.existsSync(first.file)).toBe(true);
      expect(fs.readdirSync(dir)).toEqual(['nightly-2026-03-10T03-30-00-000Z.dials-backup']);

      // Named in the future, but written long ago: the oldest.
      fs.writeFileSync(path.join(dir, fromAClockAhead), 'a backup');
      fs.utimesSync(path.join(dir, fromAClockAhead), new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
      expect((await night('2026-03-11T03:30:00Z', 2)).ok).toBe(true);
      expect(scheduledBackups(dir)).toEqual(['nightly-2026-03-10T03-30-00-000Z.dials-backup', 'nightly-2026-03-11T03-30-00-000Z.dials-backup']);
    } finally {
      closeDatabase(db);
    }
    expect(log.lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});
