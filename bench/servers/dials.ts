// The real Dials, as src/main.ts builds it, on a fresh data directory with the real migrations.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '../../src/runtime-check.ts';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { closeDatabase, openDatabase } from '../../src/db/client.ts';
import { scheduleWalCheckpoints } from '../../src/db/checkpoints.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { listenAndAnnounce } from './announce.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-bench-'));
// The API's per-key limit would stop the load generator within a second.
const config = loadConfig({ DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', API_RATE_LIMIT_PER_MINUTE: '1000000' });
const db = openDatabase(config.databaseFile, { exclusive: config.exclusiveDatabase });
applyMigrations(db);
const app = await buildApp(config, { db, logger: false });

const stopCheckpoints = scheduleWalCheckpoints(db);

// The one way to the first (administrator) account, as an operator would follow it.
const setupLink = await app.services.adminSetup.startLink();

await listenAndAnnounce(
  app,
  () => {
    stopCheckpoints();
    closeDatabase(db);
    fs.rmSync(dataDir, { recursive: true, force: true });
  },
  { setupPath: setupLink ? new URL(setupLink).pathname : null },
);
