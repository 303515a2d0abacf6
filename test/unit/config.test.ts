import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('loadConfig', () => {
  it('has sensible defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.publicUrl.href).toBe('http://localhost:3000/');
    expect(config.secureCookies).toBe(false);
    expect(config.trustProxy).toBe(false);
    expect(config.smtpUrl).toBeNull();
    expect(config.sessionLifetimeMs).toBe(30 * 24 * 3600 * 1000);
    expect(config.sessionIdleMs).toBe(7 * 24 * 3600 * 1000);
    expect(config.exclusiveDatabase).toBe(true);
    expect(loadConfig({ SQLITE_LOCKING: 'normal' }).exclusiveDatabase).toBe(false);
  });

  it.each([
    ['true', 1],
    ['2', 2],
    ['false', false],
    ['10.0.0.1, 10.0.0.0/8', ['10.0.0.1', '10.0.0.0/8']],
  ])('reads TRUST_PROXY=%s', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each([
    ['PORT', 'http'],
    ['PUBLIC_URL', 'ftp://example.org'],
    ['PUBLIC_URL', 'https://example.org/dials/'],
    ['SMTP_URL', 'http://mail.example.org'],
    ['TRUST_PROXY', 'everyone'],
    ['SESSION_IDLE_HOURS', '-1'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('keeps the addon cache in the data folder unless ADDON_CACHE_DIR says otherwise', () => {
    expect(loadConfig({ DATA_DIR: '/var/lib/dials/data' }).addonCacheDir).toBe('/var/lib/dials/data/addon-cache');
    expect(loadConfig({ DATA_DIR: '/var/lib/dials/data', ADDON_CACHE_DIR: '/var/cache/dials' }).addonCacheDir).toBe('/var/cache/dials');
    expect(loadConfig({ ADDON_CACHE_DIR: 'cache' }).addonCacheDir).toBe(path.resolve('cache'));
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ SMTP_URL: '', PUBLIC_URL: '' }).smtpUrl).toBeNull();
  });
});
