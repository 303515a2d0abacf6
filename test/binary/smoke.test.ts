import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import zlib from 'node:zlib';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventually, launchChromium, newContext, watchForPageProblems } from '../support/e2e-browser.ts';
import { accountPage, en, logInThroughForm, logOutThroughTopBar, strongPassword, textOf } from '../support/e2e-dials.ts';
import { binaryFile, emptyFolder, environmentWithoutNode, runBinary, startBinary, type RunningBinary } from '../support/dials-binary.ts';

/**
 * The binary as an operator meets it, on a machine without Node: started from an empty folder
 * with nothing in its environment but a PATH without `node`. The steps run in order and share the
 * folder and the running Dials; a new step (a command, a restart) goes where it belongs.
 */
vi.setConfig({ testTimeout: 60_000 });

let folder: string;
let browser: Browser;
let dials: RunningBinary;

beforeAll(async () => {
  if (!fs.existsSync(binaryFile)) throw new Error(`No ${binaryFile}: run "npm run build" first`);
  folder = emptyFolder();
  browser = await launchChromium();
});

afterAll(async () => {
  await dials?.stop();
  await browser?.close();
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

describe('the binary on a machine without Node', () => {
  it('runs where no node is found on the PATH', () => {
    const lookup = spawnSync('/bin/sh', ['-c', 'command -v node'], { env: environmentWithoutNode(), encoding: 'utf8' });
    expect(lookup.stdout).toBe('');
    expect(lookup.status).not.toBe(0);
  });

  it('prints its version and its commands', async () => {
    const { version } = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const versionRun = await runBinary(['--version'], folder);
    expect(versionRun.code).toBe(0);
    expect(versionRun.stdout).toBe(`Dials ${version} (Node.js ${process.versions.node})\n`);
    const help = await runBinary(['help'], folder);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('serve');
    expect(help.stdout).toContain('create-admin --email');
    const wrong = await runBinary(['serve-all'], folder);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('dials help');
    // None of these made a data folder.
    expect(fs.readdirSync(folder)).toEqual([]);
  });

  it('starts from an empty folder, keeps its data in ./data and prints the set-up link', async () => {
    dials = await startBinary(folder);
    expect(dials.setupPath()).toMatch(/^\/setup\/\w+$/);
    expect(fs.readdirSync(`${folder}/data`)).toEqual(expect.arrayContaining(['dials.db', 'secret.key', 'addon-cache']));
  });

  it('makes the administrator through the set-up link, saves the name as it is typed, takes a picture and logs out, in a browser', async () => {
    const context = await newContext(browser, { baseUrl: dials.url, javaScript: true });
    const page = await context.newPage();
    const problems = watchForPageProblems(page);
    try {
      await page.goto(dials.setupPath()!);
      await page.getByLabel(en('fields.name'), { exact: true }).fill('Ada Lovelace');
      await page.getByLabel(en('fields.email'), { exact: true }).fill('ada@example.test');
      await page.getByLabel(en('fields.password'), { exact: true }).fill(strongPassword);
      const loaded = page.waitForEvent('load');
      await page.getByRole('button', { name: en('setup.submit') }).click();
      await loaded;
      expect(new URL(page.url()).pathname).toBe('/settings/account');

      const account = accountPage(page);
      await account.nameInput.fill('Ada King');
      await account.nameInput.blur();
      await eventually(() => textOf(account.detailsStatus), (text) => text === en('status.saved'), '"Saved"');
      await eventually(() => textOf(account.topBarName), (text) => text === 'Ada King', 'the new name in the top bar');
      await page.reload();
      expect(await account.nameInput.inputValue()).toBe('Ada King');

      // A picture is re-encoded by sharp, the third native addon after SQLite's driver and argon2.
      const picture = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#3366cc' } }).png().toBuffer();
      const csrfToken = await page.locator('form#account-details input[name="_csrf"]').inputValue();
      const upload = await page.request.post('/settings/account/avatar', {
        multipart: { _csrf: csrfToken, avatarType: 'upload', avatarFile: { name: 'me.png', mimeType: 'image/png', buffer: picture } },
        maxRedirects: 0,
      });
      expect(upload.status()).toBe(303);
      await page.reload();
      const avatar = await page.request.get(`/avatars/${avatarUserId(await page.content())}.webp`);
      expect(avatar.status()).toBe(200);
      expect((await sharp(await avatar.body()).metadata())).toMatchObject({ format: 'webp', width: 256, height: 256 });

      await logOutThroughTopBar(page);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.goto('/settings/account');
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('sends htmx, CSS and JavaScript compressed as the browser accepts, cacheable for a year', async () => {
    const plain = await get(`${dials.url}/assets/htmx.min.js`, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    for (const [encoding, decode] of [['br', zlib.brotliDecompressSync], ['gzip', zlib.gunzipSync]] as const) {
      for (const name of ['htmx.min.js', 'app.css', 'app.js']) {
        const response = await get(`${dials.url}/assets/${name}`, { 'accept-encoding': encoding });
        expect(response.status).toBe(200);
        expect(response.headers['content-encoding'], name).toBe(encoding);
        expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(response.headers.vary).toBe('Accept-Encoding');
        if (name === 'htmx.min.js') expect(decode(response.body).equals(plain.body)).toBe(true);
      }
    }
  });

  it('serves the API with its OpenAPI document and documentation page', async () => {
    const document = await get(`${dials.url}/api/v1/openapi.json`, {});
    expect(document.status).toBe(200);
    expect((JSON.parse(document.body.toString('utf8')) as { openapi: string }).openapi).toMatch(/^3\.1\./);
    const docs = await get(`${dials.url}/api/docs`, {});
    expect(docs.status).toBe(200);
    expect(docs.body.toString('utf8')).toContain('swagger-ui');
    expect((await get(`${dials.url}/api/docs/static/swagger-ui-bundle.js`, {})).status).toBe(200);
    const keyless = await get(`${dials.url}/api/v1/user`, {});
    expect(keyless.status).toBe(401);
    expect(keyless.headers['content-type']).toContain('application/problem+json');
  });

  it('takes a backup while it serves', async () => {
    const backup = await runBinary(['backup', `${folder}/ada.dials-backup`], folder);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(fs.statSync(`${folder}/ada.dials-backup`).mode & 0o777).toBe(0o600);
  });

  it('stops on SIGTERM with exit code 0', async () => {
    expect(await dials.stop()).toEqual({ code: 0, signal: null });
  });

  it('finds its data folder sound afterwards', async () => {
    const check = await runBinary(['check'], folder);
    expect(check.stderr).toBe('');
    expect(check.code).toBe(0);
  });

  it('fills itself with the demo organization, once', async () => {
    const demo = await runBinary(['demo'], folder);
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain('Made the organization "Demo" (/orgs/demo)');
    const again = await runBinary(['demo'], folder);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Found the organization "Demo"');
    expect(again.stdout).toContain('Made now:        0 projects, 0 pipelines, 0 builds, 0 deploys');
  });

  it('restores the backup into a new folder, where Ada logs in and finds her name', async () => {
    const restored = `${folder}/restored`;
    fs.mkdirSync(restored);
    const restore = await runBinary(['restore', `${folder}/ada.dials-backup`], restored);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(fs.readFileSync(`${restored}/data/secret.key`)).toEqual(fs.readFileSync(`${folder}/data/secret.key`));
    const again = await startBinary(restored);
    try {
      // The administrator came along: no set-up link this time.
      expect(again.setupPath()).toBeNull();
      const context = await newContext(browser, { baseUrl: again.url, javaScript: true });
      const page = await context.newPage();
      try {
        await logInThroughForm(page, { email: 'ada@example.test', password: strongPassword });
        await page.goto('/settings/account');
        expect(await accountPage(page).nameInput.inputValue()).toBe('Ada King');
      } finally {
        await context.close();
      }
    } finally {
      expect(await again.stop()).toEqual({ code: 0, signal: null });
    }
  });

  it('says so in a line when it cannot unpack its native addons, and stops with 1', async () => {
    const result = await runBinary(['check'], folder, { ADDON_CACHE_DIR: `${folder}/data/dials.db/addons` });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Could not unpack the native addons into .*dials\.db\/addons \(ADDON_CACHE_DIR\): ENOTDIR[^\n]*\n$/);
  });

  it('unpacks its native addons beside those of another version, never over them', async () => {
    const cache = `${folder}/other-cache`;
    fs.mkdirSync(`${cache}/0123456789abcdef`, { recursive: true });
    fs.writeFileSync(`${cache}/0123456789abcdef/in-use`, 'another version');
    const check = await runBinary(['check'], folder, { ADDON_CACHE_DIR: cache });
    expect(check.code).toBe(0);
    expect(fs.readFileSync(`${cache}/0123456789abcdef/in-use`, 'utf8')).toBe('another version');
    const unpacked = fs.readdirSync(cache).filter((name) => name !== '0123456789abcdef');
    expect(unpacked).toEqual(fs.readdirSync(`${folder}/data/addon-cache`));
  });
});

/** A GET whose body stays as it was sent (fetch would decompress it). */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

/** The account's id, from the avatar address on the account page (`/avatars/<id>.webp`), once a picture is there. */
function avatarUserId(html: string): string {
  const id = /\/avatars\/(\d+)\.webp/.exec(html)?.[1];
  if (!id) throw new Error('The page shows no uploaded avatar');
  return id;
}
