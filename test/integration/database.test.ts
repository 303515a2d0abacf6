import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, sqliteOf } from '../../src/db/client.ts';
import { applyMigrations, pendingMigrations } from '../../src/db/migrate.ts';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

function freshFile(): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dials-db-'));
  folders.push(folder);
  return path.join(folder, 'dials.db');
}

describe('the database file', () => {
  it('gets every migration, with foreign keys switched back on and WAL journaling', () => {
    const db = openDatabase(freshFile());
    applyMigrations(db);
    expect(sqliteOf(db).pragma('foreign_keys', { simple: true })).toBe(1);
    expect(sqliteOf(db).pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = (sqliteOf(db).prepare("select name from sqlite_master where type = 'table'").all() as Array<{ name: string }>).map((row) => row.name);
    expect(tables).toEqual(expect.arrayContaining(['users', 'sessions', 'account_settings', 'user_emails', 'mail_outbox', 'security_events']));
    sqliteOf(db).close();
  });

  it('knows how many migrations it still lacks', () => {
    const db = openDatabase(freshFile());
    const committed = fs.readdirSync(path.resolve(import.meta.dirname, '../../migrations')).filter((name) => name.endsWith('.sql')).length;
    expect(pendingMigrations(db)).toBe(committed);
    applyMigrations(db);
    expect(pendingMigrations(db)).toBe(0);
    sqliteOf(db).close();
  });

  it('is held by Dials alone in exclusive mode, and open to other readers in normal mode', () => {
    for (const [exclusive, othersMayRead] of [
      [true, false],
      [false, true],
    ] as const) {
      const file = freshFile();
      const db = openDatabase(file, { exclusive });
      applyMigrations(db);
      sqliteOf(db).prepare('select count(*) from users').get();
      const other = new Database(file, { timeout: 50 });
      const read = () => other.prepare('select count(*) from users').get();
      if (othersMayRead) expect(read).not.toThrow();
      else expect(read).toThrow(/locked|busy/i);
      other.close();
      sqliteOf(db).close();
    }
  });
});
