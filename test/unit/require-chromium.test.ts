import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const script = 'test/support/require-chromium.ts';

describe('the check before the tests', () => {
  it('stops with one line that says Chromium is missing and how to install it', () => {
    const run = spawnSync(process.execPath, [script], { env: { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Chromium is missing');
    expect(lines[0]).toContain('apt-get install chromium');
  });

  it('lets the tests go on when Chromium is there', () => {
    const run = spawnSync(process.execPath, [script], { env: { ...process.env, CHROMIUM_PATH: process.execPath }, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  });
});
