import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { emailAddress } from '../web/form-fields.ts';
import { normalizeEmail } from '../auth/users.ts';
import { systemActor } from '../lib/actor.ts';

/** What a command ends with: its exit code (0 done, 1 failed or found a problem, 2 wrong command line). */
export type ExitCode = 0 | 1 | 2;

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

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
async function withServices(config: Config, output: Output, work: (services: import('../services.ts').Services) => Promise<ExitCode>): Promise<ExitCode> {
  const [{ openDatabase, closeDatabase }, { applyMigrations }, { isDatabaseBusy }, { createServices }, { loadOrCreateInstanceSecret }] = await Promise.all([
    import('../db/client.ts'),
    import('../db/migrate.ts'),
    import('../db/check.ts'),
    import('../services.ts'),
    import('../lib/instance-secret.ts'),
  ]);
  let db: import('../db/client.ts').Db | undefined;
  try {
    db = openDatabase(config.databaseFile, { exclusive: config.exclusiveDatabase, busyTimeoutMs: 1000 });
    applyMigrations(db);
    return await work(createServices(config, db, Date.now, loadOrCreateInstanceSecret(config.dataDir), quietLog));
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
