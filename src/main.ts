import './runtime-check.ts';
import { enableModuleCompileCache, registerModuleHooks, saveModuleCompileCache } from './module-hooks.ts';
import 'dotenv/config';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { loggerOptions } from './logging.ts';
import { parseArguments, usage } from './cli/arguments.ts';
import type { ExitCode, Output } from './cli/commands.ts';
import { helperRoleVariable, isHelperRole, type HelperRole } from './runtime/helper-process.ts';
import { AddonCacheError, useAddonCacheFolder } from './runtime/native-addons.ts';

const output: Output = { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) };

// Before anything that imports the database layer is loaded (see module-hooks.ts), so those are imported below, when needed.
registerModuleHooks();
enableModuleCompileCache();

async function serve(config: Config): Promise<ExitCode | 'serving'> {
  const schedule = config.backups.schedule;
  const [{ buildApp }, { openDatabase, closeDatabase }, { upgradeDatabase }, { scheduleWalCheckpoints }, { startBackups }, { sweepLeftovers }, scheduleProblem] = await Promise.all([
    import('./app.ts'),
    import('./db/client.ts'),
    import('./backups/upgrade.ts'),
    import('./db/checkpoints.ts'),
    import('./backups/serving.ts'),
    import('./backups/leftovers.ts'),
    // node-cron loads only when backups are scheduled, alongside the rest.
    schedule ? import('./backups/nightly.ts').then(({ scheduleProblem }) => scheduleProblem(schedule)) : null,
  ]);
  if (scheduleProblem) {
    output.err(`Invalid configuration:\n  BACKUP_SCHEDULE: ${scheduleProblem}\n`);
    return 2;
  }
  let swept: { removed: string[] } | { failed: string };
  try {
    swept = { removed: sweepLeftovers(config.backups.dir, config.dataDir) };
  } catch (error) {
    swept = { failed: (error as Error).message };
  }
  const db = openDatabase(config.databaseFile, { exclusive: config.exclusiveDatabase });
  if (!(await upgradeDatabase(db, config, output))) {
    closeDatabase(db);
    return 1;
  }
  const app = await buildApp(config, { db, logger: loggerOptions(config.logLevel) });
  if ('failed' in swept) app.log.warn({ backupDir: config.backups.dir }, `looking for files left by an interrupted backup or restore failed: ${swept.failed}`);
  else if (swept.removed.length > 0) app.log.info({ removed: swept.removed }, 'removed files left by an interrupted backup or restore');
  let stopCheckpoints = () => {};
  let stopBackups = async () => {};
  let stopping = false;
  /**
   * SIGTERM or SIGINT: stop accepting connections, let requests in flight finish (for at most
   * SHUTDOWN_TIMEOUT_SECONDS, then their connections are closed), stop the mail worker once its
   * current message is done, move the write-ahead log into the database file, and exit 0.
   * A second signal while stopping exits at once, with 1.
   */
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      app.log.warn({ signal }, 'stopping now, without waiting');
      process.exit(1);
    }
    stopping = true;
    app.log.info({ signal }, 'stopping: finishing the requests in flight');
    const deadline = setTimeout(() => {
      app.log.warn({ timeoutMs: config.shutdownTimeoutMs }, 'requests still in flight at the shutdown deadline: closing their connections');
      app.server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    deadline.unref();
    // A kept-alive connection whose request has been answered is closed at once, not at the deadline.
    const closeIdle = setInterval(() => app.server.closeIdleConnections(), 50);
    closeIdle.unref();
    void (async () => {
      try {
        await app.close();
        await stopBackups();
        clearTimeout(deadline);
        clearInterval(closeIdle);
        stopCheckpoints();
        closeDatabase(db);
        app.log.info('stopped');
        process.exit(0);
      } catch (error) {
        app.log.error({ err: error }, 'stopping failed');
        process.exit(1);
      }
    })();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await app.listen({ port: config.port, host: config.host });
  stopCheckpoints = scheduleWalCheckpoints(db);
  stopBackups = await startBackups(config, db, app.log);
  saveModuleCompileCache();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = new URL(config.publicUrl);
  if (!process.env.PUBLIC_URL) url.port = String(port);
  process.stdout.write(`Dials is running at ${url.origin}/ (data in ${config.dataDir})\n`);
  // Until an administrator exists, the link that makes one is printed at every start (the same link each time).
  const setupLink = await app.services.adminSetup.startLink();
  if (setupLink) {
    const link = new URL(new URL(setupLink).pathname, url);
    process.stdout.write(
      `\nNo administrator yet. Open this link to create the administrator account; it works once, and is printed at every start until then:\n\n  ${link.href}\n\n`,
    );
  }
  return 'serving';
}

async function main(): Promise<ExitCode | 'serving'> {
  const parsed = parseArguments(process.argv.slice(2));
  if (!parsed.ok) {
    output.err(`${parsed.problem} Run "dials help" for the commands.\n`);
    return 2;
  }
  if (parsed.command === 'help') {
    output.out(usage);
    return 0;
  }
  if (parsed.command === 'version') {
    const { dialsVersion } = await import('./version.ts');
    output.out(`Dials ${dialsVersion()} (Node.js ${process.versions.node})\n`);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      output.err(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  useAddonCacheFolder(config.addonCacheDir);
  if (parsed.command === 'serve') return serve(config);
  const commands = await import('./cli/commands.ts');
  switch (parsed.command) {
    case 'migrate':
      return commands.migrateCommand(config, output);
    case 'check':
      return commands.checkCommand(config, output);
    case 'reset-password':
      return commands.resetPasswordCommand(config, parsed.options, output);
    case 'create-admin':
      return commands.createAdminCommand(config, parsed.options, output);
    case 'demo':
      return commands.demoCommand(config, parsed.options, output);
    case 'backup':
      return commands.backupCommand(config, parsed.argument ?? '', output);
    case 'restore':
      return commands.restoreCommand(config, parsed.argument ?? '', parsed.flags.includes('force'), output);
  }
}

/** The binary runs itself again as a helper process (src/runtime/helper-process.ts). */
async function runHelper(role: HelperRole): Promise<void> {
  switch (role) {
    case 'password-worker':
      await import('./auth/password-worker.ts');
  }
}

const helperRole = process.env[helperRoleVariable];
if (isHelperRole(helperRole)) {
  void runHelper(helperRole);
} else {
  void main().then(
    (outcome) => {
      if (outcome !== 'serving') process.exitCode = outcome;
    },
    (error: unknown) => {
      if (!(error instanceof AddonCacheError)) throw error;
      output.err(`${error.message}\n`);
      process.exit(1);
    },
  );
}
