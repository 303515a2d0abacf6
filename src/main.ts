import './runtime-check.ts';
import { enableModuleCompileCache, registerModuleHooks, saveModuleCompileCache } from './module-hooks.ts';
import 'dotenv/config';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { loggerOptions } from './logging.ts';

// Before anything that imports the database layer is loaded (see module-hooks.ts), so those are imported below, when needed.
registerModuleHooks();
enableModuleCompileCache();

const usage = `Usage: npm start [-- command]

Commands:
  serve     start Dials (the default)
  migrate   apply database migrations and exit
`;

async function serve(config: Config): Promise<void> {
  const [{ buildApp }, { openDatabase, closeDatabase }, { applyMigrations }, { scheduleWalCheckpoints }] = await Promise.all([
    import('./app.ts'),
    import('./db/client.ts'),
    import('./db/migrate.ts'),
    import('./db/checkpoints.ts'),
  ]);
  const db = openDatabase(config.databaseFile, { exclusive: config.exclusiveDatabase });
  applyMigrations(db);
  const app = await buildApp(config, { db, logger: loggerOptions(config.logLevel) });
  let stopCheckpoints = () => {};
  const close = async () => {
    await app.close();
    stopCheckpoints();
    closeDatabase(db);
    process.exit(0);
  };
  process.once('SIGINT', close);
  process.once('SIGTERM', close);
  await app.listen({ port: config.port, host: config.host });
  stopCheckpoints = scheduleWalCheckpoints(db);
  saveModuleCompileCache();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = new URL(config.publicUrl);
  if (!process.env.PUBLIC_URL) url.port = String(port);
  process.stdout.write(`Dials is running at ${url.origin}/ (data in ${config.dataDir})\n`);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const command = process.argv[2] ?? 'serve';
  if (command === 'serve') return serve(config);
  if (command === 'migrate') {
    const [{ openDatabase, closeDatabase }, { applyMigrations }] = await Promise.all([import('./db/client.ts'), import('./db/migrate.ts')]);
    const db = openDatabase(config.databaseFile, { exclusive: config.exclusiveDatabase });
    applyMigrations(db);
    closeDatabase(db);
    process.stdout.write(`Migrations applied to ${config.databaseFile}\n`);
    return;
  }
  process.stderr.write(usage);
  process.exit(command === 'help' || command === '--help' ? 0 : 2);
}

await main();
