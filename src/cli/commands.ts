import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { emailAddress } from '../web/form-fields.ts';
import { normalizeEmail } from '../auth/users.ts';
import { systemActor } from '../lib/actor.ts';

import type { ExitCode, Output } from './output.ts';

export type { ExitCode, Output } from './output.ts';

const quietLog = { info: () => {}, warn: () => {} };

/** The address given with --email, normalised, or null (with the problem printed) when it is not one. */
function addressOption(options: Record<string, string>, command: string, output: Output): string | null {
  const given = options.email;
  if (given === undefined) {
    output.err(`"${command}" needs the account's address: dials ${command} --email ADDRESS\n`);
    return null;
  }
  if (!emailAddress.safeParse(given).success) {
    output.err(`"${given}" is not an e-mail address.\n`);
    return null;
  }
  return normalizeEmail(given);
}

const busyMessage = (config: Config) =>
  `The database ${config.databaseFile} is in use by a running Dials, which keeps it locked (SQLITE_LOCKING=exclusive, the default).\n` +
  'Stop Dials, run the command, then start it again.\n';

/**
 * Opens the database for a command that changes it, with the migrations applied, and the services
 * built over it; closes it when `work` ends. A database held by a serving Dials is reported, not waited for.
 */
async function withServices(
  config: Config,
  output: Output,
  work: (services: import('../services.ts').Services, db: import('../db/client.ts').Db) => Promise<ExitCode>,
): Promise<ExitCode> {
  const [{ openDatabase, closeDatabase }, { upgradeDatabase }, { isDatabaseBusy }, { createServices }, { loadOrCreateInstanceSecret }] = await Promise.all([
    import('../db/client.ts'),
    import('../backups/upgrade.ts'),
    import('../db/check.ts'),
    import('../services.ts'),
    import('../lib/instance-secret.ts'),
  ]);
  let db: import('../db/client.ts').Db | undefined;
  try {
    db = openDatabase(config.databaseFile, { exclusive: config.exclusiveDatabase, busyTimeoutMs: 1000 });
    if (!(await upgradeDatabase(db, config, output))) return 1;
    return await work(createServices(config, db, Date.now, loadOrCreateInstanceSecret(config.dataDir), quietLog), db);
  } catch (error) {
    if (isDatabaseBusy(error)) {
      output.err(busyMessage(config));
      return 1;
    }
    throw error;
  } finally {
    if (db) closeDatabase(db);
  }
}

export async function migrateCommand(config: Config, output: Output): Promise<ExitCode> {
  return withServices(config, output, async () => {
    output.out(`Migrations applied to ${config.databaseFile}\n`);
    return 0;
  });
}

export async function resetPasswordCommand(config: Config, options: Record<string, string>, output: Output): Promise<ExitCode> {
  const address = addressOption(options, 'reset-password', output);
  if (address === null) return 2;
  return withServices(config, output, async (services) => {
    const owner = await services.emailAddresses.owner(address);
    if (!owner) {
      output.err(`No account has the address ${address}. Nothing was changed.\n`);
      return 1;
    }
    const link = await services.operatorLinks.passwordResetLink(systemActor(owner.userId, 'reset-password'));
    output.out(
      `Password-reset link for the account of ${address}, for one use, until ${link.expiresAt.toISOString()}:\n\n  ${link.url}\n\n` +
        'Pass it on to the account\'s owner yourself: whoever opens it can choose a new password (a second factor, if the account has one, is still asked for).\n' +
        'Older reset links of this account no longer work. The owner sees this link in their security log.\n',
    );
    return 0;
  });
}

export async function createAdminCommand(config: Config, options: Record<string, string>, output: Output): Promise<ExitCode> {
  const address = addressOption(options, 'create-admin', output);
  if (address === null) return 2;
  return withServices(config, output, async (services) => {
    const invited = await services.adminSetup.invite(address);
    if (!invited.ok) {
      output.err(`An account with the address ${address} exists already. Nothing was changed.\n`);
      return 1;
    }
    output.out(
      `Administrator set-up link for ${address}, for one use:\n\n  ${invited.url}\n\n` +
        'Whoever opens it chooses the name and password of a new administrator account with this address; pass it on yourself.\n',
    );
    return 0;
  });
}

/** `dials demo [--email ADDRESS]`: the demo organization, owned by the first administrator or the account named (./demo-command.ts). */
export async function demoCommand(config: Config, options: Record<string, string>, output: Output): Promise<ExitCode> {
  const email = options.email === undefined ? null : addressOption(options, 'demo', output);
  if (options.email !== undefined && email === null) return 2;
  return withServices(config, output, async (services, db) => {
    const { runDemo } = await import('./demo-command.ts');
    return runDemo(services, db, config, email, Date.now(), output);
  });
}

/** Reads the instance secret without making one: what `check` reports. */
function secretState(dataDir: string): { ok: boolean; text: string } {
  const file = path.join(dataDir, 'secret.key');
  try {
    const bytes = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64').length;
    return bytes >= 32 ? { ok: true, text: 'ok' } : { ok: false, text: `shorter than 32 bytes (${file})` };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, text: 'not made yet (made at first start)' };
    return { ok: false, text: `cannot be read: ${(error as Error).message}` };
  }
}

/**
 * Checks what Dials would start with, changing nothing: the configuration (already read by then),
 * the instance secret, and the database (integrity, foreign keys, pending migrations).
 */
export async function checkCommand(config: Config, output: Output): Promise<ExitCode> {
  const { checkDatabaseFile } = await import('../db/check.ts');
  let healthy = true;
  const line = (ok: boolean, text: string) => {
    if (!ok) healthy = false;
    output.out(`${ok ? 'ok     ' : 'PROBLEM'}  ${text}\n`);
  };
  line(true, `configuration (data folder ${config.dataDir})`);
  if (config.backups.schedule) {
    const { scheduleProblem } = await import('../backups/nightly.ts');
    const problem = await scheduleProblem(config.backups.schedule);
    line(problem === null, `BACKUP_SCHEDULE: ${problem ?? `"${config.backups.schedule}", ${config.backups.keep} kept in ${config.backups.dir}`}`);
  }
  const secret = secretState(config.dataDir);
  line(secret.ok, `secret.key: ${secret.text}`);
  const database = checkDatabaseFile(config.databaseFile);
  switch (database.state) {
    case 'missing':
      line(false, `database: ${config.databaseFile} does not exist yet (it is made at first start, or by "dials migrate")`);
      break;
    case 'busy':
      line(false, `database: ${config.databaseFile} is locked by a running Dials; stop it to check the file, or ask the running Dials at /readyz`);
      break;
    case 'unreadable':
      line(false, `database: ${config.databaseFile} cannot be read: ${database.message}`);
      break;
    case 'checked': {
      const intact = database.integrity.length === 1 && database.integrity[0] === 'ok';
      line(intact, `database integrity_check: ${intact ? 'ok' : database.integrity.slice(0, 10).join('; ')}`);
      line(database.foreignKeyViolations === 0, `database foreign_key_check: ${database.foreignKeyViolations === 0 ? 'ok' : `${database.foreignKeyViolations} violation(s)`}`);
      line(
        database.pendingMigrations === 0,
        `database migrations: ${database.pendingMigrations === 0 ? 'all applied' : `${database.pendingMigrations} pending (the next start applies them, or run "dials migrate")`}`,
      );
      break;
    }
  }
  output.out(healthy ? 'All checks passed.\n' : 'Some checks found a problem.\n');
  return healthy ? 0 : 1;
}

/** `dials backup FILE`: asks the serving Dials to write the backup, or, when none runs, writes it from the database file. */
export async function backupCommand(config: Config, file: string, output: Output): Promise<ExitCode> {
  const [{ askRunningDials }, { takeBackup, backupWritten }, { writeBackupOfFile }] = await Promise.all([
    import('../backups/control-client.ts'),
    import('../backups/take-backup.ts'),
    import('../db/backup.ts'),
  ]);
  const target = path.resolve(file);
  const asked = await askRunningDials(config.dataDir, { command: 'backup', file: target });
  if (asked.answered) {
    if (!asked.answer.ok) {
      output.err(`${asked.answer.message}\n`);
      return 1;
    }
    output.out(`${asked.answer.message}\n`);
    return 0;
  }
  if (!fs.existsSync(config.databaseFile)) {
    output.err(`There is no database at ${config.databaseFile}, so nothing to back up (is DATA_DIR right?). Nothing was written.\n`);
    return 1;
  }
  const result = await takeBackup(target, config.dataDir, (to, details) => writeBackupOfFile(config.databaseFile, to, details));
  if (!result.ok) {
    output.err(`${result.message}\n`);
    return 1;
  }
  output.out(`${backupWritten(result.file, result.bytes)}\n`);
  return 0;
}

/** What restore says when the backup held no secret.key: which key Dials will use. */
const noKeyInBackup = (keyFile: string, kept: boolean) =>
  kept
    ? `The backup held no secret.key; Dials uses the one already in the data folder (${keyFile}), kept as it was: secrets sealed with another key cannot be read.\n`
    : 'The backup held no secret.key; Dials makes a new one at start, and secrets sealed with the old one cannot be read.\n';

/** `dials restore FILE [--force]`: puts a backup back into the data folder of a stopped Dials. */
export async function restoreCommand(config: Config, file: string, force: boolean, output: Output): Promise<ExitCode> {
  const [{ askRunningDials }, { readBackup }, { restoreBackup }] = await Promise.all([
    import('../backups/control-client.ts'),
    import('../db/backup.ts'),
    import('../db/restore.ts'),
  ]);
  const source = path.resolve(file);
  const reading = readBackup(source);
  if (!reading.ok) {
    const why = {
      missing: `${source} does not exist or cannot be read.`,
      'not-a-backup': `${source} is not a Dials backup.`,
      'other-format': `${source} is a Dials backup in a format this version does not read (${reading.detail}); restore it with the Dials that made it.`,
      damaged: `${source} is a damaged Dials backup (${reading.detail}).`,
    }[reading.reason];
    output.err(`${why} Nothing was changed.\n`);
    return 1;
  }
  const { info } = reading;
  if (info.fromNewerDials) {
    output.err(`${source} was made by a newer Dials (${info.dialsVersion}, database at ${info.lastMigration ?? 'an unknown migration'}); restore it with that version or a later one. Nothing was changed.\n`);
    return 1;
  }
  const running = (await askRunningDials(config.dataDir, { command: 'ping' })).answered;
  const busy = `Dials is running on ${config.dataDir}: stop it, then restore. Nothing was changed.\n`;
  if (running) {
    output.err(busy);
    return 1;
  }
  const keptKey = info.secretKey === null && fs.existsSync(path.join(config.dataDir, 'secret.key'));
  const dialsRunning = async () => (await askRunningDials(config.dataDir, { command: 'ping' })).answered;
  const outcome = await restoreBackup(source, info.secretKey, config.dataDir, { force, now: new Date(), dialsRunning });
  if (!outcome.ok) {
    output.err(
      outcome.reason === 'running'
        ? busy
        : `${config.databaseFile} exists already. To replace it with the backup, stop Dials and run "dials restore ${file} --force": the current database and secret.key are then kept aside, renamed with ".before-restore-<time>". Nothing was changed.\n`,
    );
    return 1;
  }
  output.out(
    `Restored the backup of ${info.takenAt} (Dials ${info.dialsVersion}) into ${config.dataDir}.\n` +
      (info.secretKey === null ? noKeyInBackup(path.join(config.dataDir, 'secret.key'), keptKey) : '') +
      outcome.setAside.map((aside) => `Kept aside: ${aside}\n`).join('') +
      'Start Dials to use it; a backup from an older Dials is brought up to date at start.\n',
  );
  return 0;
}
