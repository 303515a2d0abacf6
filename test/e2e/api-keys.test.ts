import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolationsInBothThemes } from '../support/e2e-axe.ts';
import { clickAndWaitForPage, eventually } from '../support/e2e-browser.ts';
import { en, newPerson, setUpAdministratorThroughLink, signUpThroughForm, textOf } from '../support/e2e-dials.ts';
import { useE2eEnvironment, useWatchedPages } from '../support/e2e-setup.ts';

// One Dials (with its SMTP server) and one Chromium for the file.
const e2e = useE2eEnvironment();
const { openPage } = useWatchedPages(e2e);

const pathOf = (page: Page) => new URL(page.url()).pathname;
const heading = (page: Page) => textOf(page.getByRole('heading', { level: 1 }));
const flash = (page: Page) => textOf(page.locator('main .flash'));
const navigationLink = (page: Page, key: string) => page.getByRole('navigation', { name: en('nav.label') }).getByRole('link', { name: en(key), exact: true });
const fill = (text: string, values: Record<string, string | number>) => text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name]));

let administrator: Promise<void> | undefined;
/** The instance's administrator exists before anyone signs up (sign-up never makes one). */
function ensureAdministrator(): Promise<void> {
  administrator ??= (async () => {
    const { context, page } = await openPage();
    await setUpAdministratorThroughLink(page, newPerson('Grace Hopper'));
    await context.close();
  })();
  return administrator;
}

/** Calls the API as a script would, from outside the browser. */
async function callApi(path: string, key: string): Promise<number> {
  const response = await fetch(new URL(path, e2e.server.url), { headers: { authorization: `Bearer ${key}`, 'user-agent': 'e2e-script/1.0' } });
  await response.arrayBuffer();
  return response.status;
}

async function fitsNarrowScreen(page: Page, where: string): Promise<void> {
  await page.setViewportSize({ width: 375, height: 780 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth), `${where} at 375 px`).toBeLessThanOrEqual(375);
  await expectNoAxeViolationsInBothThemes(page, `${where} at 375 px`);
  await page.setViewportSize({ width: 1200, height: 900 });
}

/** Fills the create form: a name, read access to the user and the keys; the recommended expiry stays chosen. */
async function createKey(page: Page, name: string): Promise<void> {
  const form = page.locator('form[action="/settings/api-keys"]');
  await form.getByLabel(en('apiKeys.name'), { exact: true }).fill(name);
  await form.getByLabel(en('apiKeys.resources.user'), { exact: true }).selectOption('read');
  await form.getByLabel(en('apiKeys.resources.keys'), { exact: true }).selectOption('read');
  expect(await form.getByLabel(fill(en('apiKeys.expiry.recommended_other'), { count: 30 }), { exact: true }).isChecked()).toBe(true);
  await clickAndWaitForPage(page, form.getByRole('button', { name: en('apiKeys.create'), exact: true }));
}

const keyRow = (page: Page, name: string) => page.locator('main tbody tr').filter({ has: page.getByRole('rowheader').filter({ hasText: name }) });

describe('API keys page', () => {
  it('with JavaScript: create, copy, call the API, see "last used", change scopes, revoke; axe at desktop and 375 px', { timeout: 180_000 }, async () => {
    await ensureAdministrator();
    const { context, page } = await openPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signUpThroughForm(page, newPerson());

    await clickAndWaitForPage(page, navigationLink(page, 'nav.apiKeys'));
    expect(pathOf(page)).toBe('/settings/api-keys');
    expect(await heading(page)).toBe(en('apiKeys.title'));
    expect(await page.getByText(en('apiKeys.empty'), { exact: true }).isVisible()).toBe(true);
    await expectNoAxeViolationsInBothThemes(page, 'the API keys page, empty');
    await fitsNarrowScreen(page, 'the API keys page, empty');

    // A form with mistakes says so next to the fields.
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('apiKeys.create'), exact: true }));
    expect(await page.getByText(en('errors.apiKey.nameRequired'), { exact: true }).isVisible()).toBe(true);
    await expectNoAxeViolationsInBothThemes(page, 'the API keys page with errors');

    await createKey(page, 'Deploy script');
    expect(pathOf(page)).toBe('/settings/api-keys/new');
    const secret = (await textOf(page.locator('#new-key code'))).trim();
    expect(secret).toMatch(/^dials_[a-z2-7]{16}\.[a-z2-7]{39}$/);
    await expectNoAxeViolationsInBothThemes(page, 'the new key, shown once');
    await fitsNarrowScreen(page, 'the new key, shown once');
    await page.getByRole('button', { name: en('apiKeys.new.copy'), exact: true }).click();
    await eventually(() => textOf(page.locator('#live-status')), (text) => text === en('apiKeys.new.copied'), 'the copy to be announced');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(secret);

    // Shown once: a reload shows it no more.
    await page.reload();
    expect(await page.getByText(en('apiKeys.new.cannotShow'), { exact: true }).isVisible()).toBe(true);
    expect(await page.content()).not.toContain(secret);

    await page.goto('/settings/api-keys');
    const row = keyRow(page, 'Deploy script');
    expect(await textOf(row.locator('.last-used'))).toBe(en('apiKeys.neverUsed'));
    expect(await callApi('/api/v1/user', copied)).toBe(200);
    expect(await callApi('/api/v1/emails', copied)).toBe(403);
    await page.reload();
    const lastUsed = await textOf(row.locator('.last-used'));
    expect(lastUsed).not.toBe(en('apiKeys.neverUsed'));
    expect(lastUsed).toContain('e2e-script/1.0');
    await expectNoAxeViolationsInBothThemes(page, 'the API keys page with a used key');
    await fitsNarrowScreen(page, 'the API keys page with a used key');

    await clickAndWaitForPage(page, row.getByRole('link', { name: `${en('apiKeys.edit')} Deploy script`, exact: true }));
    expect(await page.getByText('GET /api/v1/emails', { exact: true }).isVisible()).toBe(true);
    await expectNoAxeViolationsInBothThemes(page, 'a key with its recent calls');
    await fitsNarrowScreen(page, 'a key with its recent calls');
    const scopes = page.locator('form[action$="/scopes"]');
    await scopes.getByLabel(en('apiKeys.resources.emails'), { exact: true }).selectOption('read');
    await clickAndWaitForPage(page, scopes.getByRole('button', { name: en('apiKeys.saveScopes'), exact: true }));
    expect(await flash(page)).toBe(en('flash.apiKeyScopesChanged'));
    expect(await callApi('/api/v1/emails', copied)).toBe(200);

    await clickAndWaitForPage(page, page.locator('main section').last().getByRole('link', { name: `${en('apiKeys.revoke')} Deploy script`, exact: true }));
    await expectNoAxeViolationsInBothThemes(page, 'the revoke confirmation');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('apiKeys.revokeConfirm'), exact: true }));
    expect(pathOf(page)).toBe('/settings/api-keys');
    expect(await flash(page)).toBe(en('flash.apiKeyRevoked'));
    expect(await page.getByText(en('apiKeys.empty'), { exact: true }).isVisible()).toBe(true);
    expect(await callApi('/api/v1/user', copied)).toBe(401);
  });

  it('without JavaScript: the same forms work; the key is shown to select by hand', { timeout: 180_000 }, async () => {
    await ensureAdministrator();
    const { page } = await openPage({ javaScript: false, expectedStatuses: [422] });
    await signUpThroughForm(page, newPerson());
    await page.goto('/settings/api-keys');
    await createKey(page, 'Backup job');
    const secret = (await textOf(page.locator('#new-key code'))).trim();
    expect(await page.getByRole('button', { name: en('apiKeys.new.copy'), exact: true }).isVisible()).toBe(false);
    await expectNoAxeViolationsInBothThemes(page, 'the new key without JavaScript');
    expect(await callApi('/api/v1/user', secret)).toBe(200);

    await page.goto('/settings/api-keys');
    const row = keyRow(page, 'Backup job');
    expect(await textOf(row.locator('.last-used'))).toContain('e2e-script/1.0');
    await clickAndWaitForPage(page, row.getByRole('link', { name: `${en('apiKeys.edit')} Backup job`, exact: true }));
    const rename = page.locator('form[action$="/name"]');
    await rename.getByLabel(en('apiKeys.name'), { exact: true }).fill('Nightly backup');
    await clickAndWaitForPage(page, rename.getByRole('button', { name: en('apiKeys.rename'), exact: true }));
    expect(await flash(page)).toBe(en('flash.apiKeyRenamed'));
    expect(await heading(page)).toBe('Nightly backup');
    const scopes = page.locator('form[action$="/scopes"]');
    await scopes.getByLabel(en('apiKeys.resources.user'), { exact: true }).selectOption('none');
    await scopes.getByLabel(en('apiKeys.resources.preferences'), { exact: true }).selectOption('write');
    await clickAndWaitForPage(page, scopes.getByRole('button', { name: en('apiKeys.saveScopes'), exact: true }));
    expect(await callApi('/api/v1/user', secret)).toBe(403);
    expect(await callApi('/api/v1/preferences', secret)).toBe(200);

    await clickAndWaitForPage(page, page.locator('main section').last().getByRole('link', { name: `${en('apiKeys.revoke')} Nightly backup`, exact: true }));
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('apiKeys.revokeConfirm'), exact: true }));
    expect(await flash(page)).toBe(en('flash.apiKeyRevoked'));
    expect(await callApi('/api/v1/preferences', secret)).toBe(401);
  });

  it('the API documentation renders from the package under the same CSP, offline', async () => {
    const { page } = await openPage();
    await page.goto('/api/docs/');
    await eventually(() => textOf(page.locator('.swagger-ui .info .title')), (text) => text.startsWith('Dials API'), 'the API documentation to render');
    expect(await page.locator('.swagger-ui .opblock-summary-path').allTextContents()).toEqual(expect.arrayContaining(['/api/v1/user', '/api/v1/keys']));
  });
});

