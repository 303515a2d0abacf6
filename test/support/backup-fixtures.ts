import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';

/** Every file under a folder, with its size, mode and modification time: to prove that nothing changed. */
export function fileSnapshot(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const stat = fs.statSync(full);
        files[path.relative(root, full)] = `${stat.size}:${(stat.mode & 0o777).toString(8)}:${stat.mtimeMs}`;
      }
    }
  };
  walk(root);
  return files;
}

/** Every table's rows (and the schema), as one value to compare two databases by content. */
export function databaseContent(file: string): Record<string, unknown[]> {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const tables = sqlite.prepare("select name, sql from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").all() as Array<{ name: string; sql: string }>;
    const content: Record<string, unknown[]> = { schema: tables.map((table) => table.sql) };
    for (const { name } of tables) content[name] = sqlite.prepare(`select * from "${name}" order by rowid`).all();
    return content;
  } finally {
    sqlite.close();
  }
}

const committed = path.resolve(import.meta.dirname, '../../migrations');

/**
 * A migrations folder of a test: the first `count` committed migrations (an older Dials), and then
 * the `extra` ones given (a newer Dials, e.g. with a migration that fails).
 */
export function migrationsFolder(count: number, extra: Array<{ tag: string; sql: string }> = []): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-migrations-'));
  fs.mkdirSync(path.join(folder, 'meta'));
  const journal = JSON.parse(fs.readFileSync(path.join(committed, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ idx: number; when: number; tag: string }> };
  const entries = journal.entries.slice(0, count);
  for (const entry of entries) fs.copyFileSync(path.join(committed, `${entry.tag}.sql`), path.join(folder, `${entry.tag}.sql`));
  let when = journal.entries.at(-1)?.when ?? 0;
  for (const migration of extra) {
    when += 1000;
    entries.push({ idx: entries.length, when, tag: migration.tag, version: '6', breakpoints: true } as never);
    fs.writeFileSync(path.join(folder, `${migration.tag}.sql`), migration.sql);
  }
  fs.writeFileSync(path.join(folder, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }, null, 2));
  return folder;
}

/** How many migrations are committed. */
export function committedMigrationCount(): number {
  return (JSON.parse(fs.readFileSync(path.join(committed, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;
}
