import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { users } from '../../src/auth/tables.ts';
import { accountSettings } from '../../src/settings/account/tables.ts';
import { BrowserSession, signUp, setUpAdministrator } from '../support/browser-session.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let ada: BrowserSession;
beforeEach(async () => {
  t = await createTestApp();
  ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
});
afterEach(async () => {
  await t.close();
});

const adaRow = () => t.db.select().from(users).where(eq(users.email, 'ada@example.com')).get();
const adaSettings = async () => t.db.select().from(accountSettings).where(eq(accountSettings.userId, (await adaRow())?.id ?? -1)).get();

const validPreferences = {
  stackTraceOrder: 'default',
  language: 'en',
  timezone: 'UTC',
  dateFormat: 'us',
  theme: 'system',
};

describe('the account page', () => {
  it('sends a visitor without a session to log in, and back afterwards', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/settings/account' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?next=%2Fsettings%2Faccount');
  });

  it('shows the name, the address and an example timestamp in the person\'s format', async () => {
    const page = await ada.get('/settings/account');
    expect(page.body).toContain('value="Ada Lovelace"');
    expect(page.body).toContain('ada@example.com');
    expect(page.body).toMatch(/data-example-time>03\/10\/2026 2:05 PM UTC</);
  });

  it('escapes what people type', async () => {
    await ada.post('/settings/account/details', { name: '<script>alert(1)</script>' }, { htmx: true });
    const page = await ada.get('/settings/account');
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('auto-saving the name', () => {
  it('answers htmx with the block alone, saying Saved, and stores the name', async () => {
    const response = await ada.post('/settings/account/details', { name: '  Augusta Ada King  ' }, { htmx: true });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/^\s*<form id="account-details"/);
    expect(response.body).not.toContain('<html');
    expect(response.body).toContain('Saved');
    expect((await adaRow())?.name).toBe('Augusta Ada King');
    expect(JSON.parse(String(response.headers['hx-trigger']))).toEqual({ 'dials:profile': { name: 'Augusta Ada King', initials: 'AK' } });
  });

  it('sends names beyond ASCII to the top bar intact', async () => {
    const response = await ada.post('/settings/account/details', { name: 'Zoë Ōkubo 李' }, { htmx: true });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(String(response.headers['hx-trigger']))['dials:profile'].name).toBe('Zoë Ōkubo 李');
  });

  it('without JavaScript, redirects back to the page with a flash', async () => {
    const response = await ada.post('/settings/account/details', { name: 'Augusta Ada King' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/settings/account');
    const page = await ada.get('/settings/account');
    expect(page.body).toContain('Saved.');
    expect(page.body).toContain('value="Augusta Ada King"');
  });

  it.each([
    ['an empty name', { name: '   ' }, 'Enter your name.'],
    ['a name over 100 characters', { name: 'x'.repeat(101) }, 'Use at most 100 characters.'],
    ['a field the form does not have', { name: 'Mallory', role: 'admin' }, 'does not have'],
    ['a name sent twice', { name: ['Mallory', 'Eve'] }, 'sent more than once'],
    ['an is_admin field', { name: 'Mallory', is_admin: '1' }, 'does not have'],
    ['an id field', { name: 'Mallory', id: '2' }, 'does not have'],
  ])('refuses %s with 422 and the reason, changing nothing', async (_label, fields, message) => {
    for (const htmx of [true, false]) {
      const response = await ada.post('/settings/account/details', fields as Record<string, string | string[]>, { htmx });
      expect(response.statusCode).toBe(422);
      expect(response.body).toContain(message);
      expect((await adaRow())?.name).toBe('Ada Lovelace');
      expect((await adaRow())?.isAdmin).toBe(true);
    }
  });

  it('refuses __proto__ and leaves the account as it was', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/settings/account/details',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: ada.cookieHeader(), 'hx-request': 'true' },
      payload: `_csrf=${encodeURIComponent(ada.csrfToken)}&name=Mallory&__proto__[isAdmin]=1&constructor[prototype][x]=1`,
    });
    expect(response.statusCode).toBe(422);
    expect((await adaRow())?.name).toBe('Ada Lovelace');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('asks for the name when the form comes without it', async () => {
    const response = await ada.post('/settings/account/details', {}, { htmx: true });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Enter your name.');
    expect((await adaRow())?.name).toBe('Ada Lovelace');
  });

  it('renames only the person who asked', async () => {
    const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    await grace.post('/settings/account/details', { name: 'Rear Admiral Hopper' }, { htmx: true });
    expect((await adaRow())?.name).toBe('Ada Lovelace');
    expect((await ada.get('/settings/account')).body).not.toContain('Hopper');
  });
});

describe('preferences', () => {
  it.each([
    ['stackTraceOrder', 'caller-first', 'stackTraceOrder', 'caller-first'],
    ['language', 'fr', 'language', 'fr'],
    ['timezone', 'Asia/Kolkata', 'timezone', 'Asia/Kolkata'],
    ['dateFormat', 'iso', 'dateFormat', 'iso'],
    ['theme', 'dark', 'theme', 'dark'],
  ] as const)('stores %s', async (field, value, column, stored) => {
    const response = await ada.post('/settings/account/preferences', { ...validPreferences, [field]: value }, { htmx: true });
    expect(response.statusCode).toBe(200);
    expect((await adaSettings())?.[column]).toBe(stored);
  });

  it('shows the stack-trace preview in the chosen order', async () => {
    const frames = (body: string) => [...body.matchAll(/<li><code>(\w+)<\/code>/g)].map((match) => match[1]);
    const first = await ada.post('/settings/account/preferences', { ...validPreferences, stackTraceOrder: 'caller-first' }, { htmx: true });
    const last = await ada.post('/settings/account/preferences', { ...validPreferences, stackTraceOrder: 'caller-last' }, { htmx: true });
    expect(frames(first.body)).toEqual(['renderPage', 'handleRequest', 'main']);
    expect(frames(last.body)).toEqual(['main', 'handleRequest', 'renderPage']);
  });

  it('stores the 24-hour clock from the checkbox, and clears it when unticked', async () => {
    await ada.post('/settings/account/preferences', { ...validPreferences, clock24h: 'on' }, { htmx: true });
    expect((await adaSettings())?.clock24h).toBe(true);
    await ada.post('/settings/account/preferences', validPreferences, { htmx: true });
    expect((await adaSettings())?.clock24h).toBe(false);
  });

  it('applies zone, clock and date format to the example at once', async () => {
    const response = await ada.post(
      '/settings/account/preferences',
      { ...validPreferences, timezone: 'Asia/Tokyo', clock24h: 'on', dateFormat: 'international' },
      { htmx: true },
    );
    expect(response.body).toMatch(/data-example-time>10\/03\/2026 23:05 GMT\+9</);
    const iso = await ada.post('/settings/account/preferences', { ...validPreferences, timezone: 'America/New_York', dateFormat: 'iso' }, { htmx: true });
    expect(iso.body).toMatch(/data-example-time>2026-03-10 10:05 AM EDT</);
  });

  it('saves a new language without switching the page under the person, and offers the switch', async () => {
    const response = await ada.post('/settings/account/preferences', { ...validPreferences, language: 'de', shownLanguage: 'en' }, { htmx: true });
    expect(response.statusCode).toBe(200);
    expect(response.headers['hx-refresh']).toBeUndefined();
    expect((await adaSettings())?.language).toBe('de');
    // The block stays in the page's language, and the offer is in the new one.
    expect(response.body).toContain('Saved');
    expect(response.body).toContain('<label for="pref-language">Language</label>');
    expect(response.body).toContain('<a href="/settings/account?saved=language" lang="de" hreflang="de">Diese Seite auf Deutsch anzeigen</a>');
    expect(response.body).toContain('name="shownLanguage" value="en"');
    // Going back to the page's language needs no switch.
    const back = await ada.post('/settings/account/preferences', { ...validPreferences, language: 'en', shownLanguage: 'en' }, { htmx: true });
    expect(back.body).not.toContain('saved=language');
    expect((await adaSettings())?.language).toBe('en');
  });

  it('after the switch, says Saved and puts the focus on the language control', async () => {
    await ada.post('/settings/account/preferences', { ...validPreferences, language: 'de', shownLanguage: 'en' }, { htmx: true });
    const page = await ada.get('/settings/account?saved=language');
    expect(page.body).toContain('<html lang="de"');
    expect(page.body).toContain('Gespeichert.');
    expect(page.body).toMatch(/<select id="pref-language" name="language"[^>]* autofocus>/);
    expect((await ada.get('/settings/account')).body).not.toContain('autofocus');
  });

  it('without JavaScript, comes back in the new language with the focus on the language control', async () => {
    const response = await ada.post('/settings/account/preferences', { ...validPreferences, language: 'fr', shownLanguage: 'en' });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/settings/account?saved=language');
    const page = await ada.get(String(response.headers.location));
    expect(page.body).toContain('<html lang="fr"');
    expect(page.body).toContain('Enregistré.');
    expect(page.body).toMatch(/<select id="pref-language" name="language"[^>]* autofocus>/);
  });

  it('tells the page about a new theme without reloading it', async () => {
    const response = await ada.post('/settings/account/preferences', { ...validPreferences, theme: 'dark' }, { htmx: true });
    expect(JSON.parse(String(response.headers['hx-trigger']))).toEqual({ 'dials:theme': 'dark' });
    expect((await ada.get('/settings/account')).body).toContain('data-theme="dark"');
  });

  it.each([
    ['an unknown time zone', { timezone: 'Mars/Olympus_Mons' }, 'timezone', 'Choose a time zone from the list.'],
    ['an unknown language', { language: 'xx' }, 'language', 'Choose one of the languages in the list.'],
    ['an unknown date format', { dateFormat: 'julian' }, 'dateFormat', 'Choose one of the date formats.'],
    ['an unknown theme', { theme: 'neon' }, 'theme', 'Choose one of the themes.'],
    ['an unknown stack order', { stackTraceOrder: 'random' }, 'stackTraceOrder', 'Choose one of the stack trace orders.'],
    ['a checkbox with a strange value', { clock24h: 'yes' }, 'clock24h', 'not one of the choices'],
  ] as const)('refuses %s with 422 next to the field and saves none of the form', async (_label, override, _field, message) => {
    const before = await adaSettings();
    const response = await ada.post('/settings/account/preferences', { ...validPreferences, theme: 'dark', ...override }, { htmx: true });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain(message);
    expect(response.body).toContain('aria-invalid="true"');
    expect(await adaSettings()).toEqual(before);
  });

  describe('saved from a block shown without errors (it sends shownState, what it shows, as the page does)', () => {
    const oobIds = (body: string) => [...body.matchAll(/id="([\w-]+)"[^>]* hx-swap-oob="true"/g)].map((match) => match[1]);
    // What the page's block shows for Ada at first: the language, zone, clock, date format and stack order saved.
    const shownAtFirst = 'en|UTC|12|us|default';
    const save = (fields: Record<string, string>) => ada.post('/settings/account/preferences', { ...validPreferences, shownLanguage: 'en', shownState: shownAtFirst, ...fields }, { htmx: true });

    it('says in the page\'s block what it shows', async () => {
      const page = await ada.get('/settings/account');
      expect(page.body).toContain(`<input type="hidden" name="shownState" id="pref-shown-state" value="${shownAtFirst}">`);
    });

    it('answers what the choice changed, by id, and leaves the block in place', async () => {
      const page = await ada.get('/settings/account');
      const response = await save({ language: 'de', timezone: 'Asia/Tokyo', clock24h: 'on', dateFormat: 'international', stackTraceOrder: 'caller-last', theme: 'dark' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['hx-reswap']).toBe('none');
      expect(response.body).not.toContain('<form');
      expect(oobIds(response.body)).toEqual(['pref-language-note', 'pref-timezone-detail', 'pref-example', 'pref-stack-preview', 'pref-shown-state', 'account-preferences-status']);
      // Every id it swaps is in the page's block.
      for (const id of oobIds(response.body)) expect(page.body).toContain(`id="${id}"`);
      expect(response.body).toContain('<a href="/settings/account?saved=language" lang="de" hreflang="de">Diese Seite auf Deutsch anzeigen</a>');
      expect(response.body).toMatch(/data-example-time>10\/03\/2026 23:05 GMT\+9</);
      expect([...response.body.matchAll(/<li><code>(\w+)<\/code>/g)].map((match) => match[1])).toEqual(['main', 'handleRequest', 'renderPage']);
      expect(response.body).toMatch(/id="pref-timezone-detail" data-timezone-detail data-saved="Japan[^"]*"/);
      // The block now shows these, and says so with its next save.
      expect(response.body).toContain('<input type="hidden" name="shownState" id="pref-shown-state" value="de|Asia/Tokyo|24|international|caller-last" hx-swap-oob="true">');
      expect(response.body).toMatch(/data-save-status id="account-preferences-status" hx-swap-oob="true">Saved</);
      expect(JSON.parse(String(response.headers['hx-trigger']))).toEqual({ 'dials:theme': 'dark' });
      expect(await adaSettings()).toMatchObject({ language: 'de', timezone: 'Asia/Tokyo', clock24h: true, dateFormat: 'international', stackTraceOrder: 'caller-last', theme: 'dark' });
    });

    it.each<[string, Record<string, string>, string[]]>([
      ['the stack order', { stackTraceOrder: 'caller-first' }, ['pref-stack-preview']],
      ['the clock', { clock24h: 'on' }, ['pref-example']],
      ['the date format', { dateFormat: 'iso' }, ['pref-example']],
      ['the zone', { timezone: 'Europe/Kyiv' }, ['pref-timezone-detail', 'pref-example']],
      ['the language', { language: 'fr' }, ['pref-language-note', 'pref-example']],
    ])('a change of %s swaps in only the parts that show it, and what the block now shows', async (_label, fields, parts) => {
      const response = await save(fields);
      expect(response.statusCode).toBe(200);
      expect(oobIds(response.body)).toEqual([...parts, 'pref-shown-state', 'account-preferences-status']);
    });

    it('a change of theme, or the choices the block shows sent again, swaps in the status alone', async () => {
      const theme = await save({ theme: 'light' });
      expect(oobIds(theme.body)).toEqual(['account-preferences-status']);
      expect(theme.body).not.toContain('shownState');
      expect((await adaSettings())?.theme).toBe('light');
      const again = await save({ theme: 'light' });
      expect(again.statusCode).toBe(200);
      expect(oobIds(again.body)).toEqual(['account-preferences-status']);
      expect(again.headers['hx-reswap']).toBe('none');
      expect(again.headers['content-type']).toMatch(/^text\/html/);
      expect(again.headers['cache-control']).toBe('no-store');
    });

    it('says the status line in the language of the page it was sent from, whoever sent the same before', async () => {
      const status = (body: string) => /id="account-preferences-status" hx-swap-oob="true">([^<]*)</.exec(body)?.[1];
      expect(status((await save({ theme: 'dark' })).body)).toBe('Saved');
      expect(status((await save({ theme: 'dark', shownLanguage: 'de' })).body)).toBe('Gespeichert');
      const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
      const fromGrace = await grace.post('/settings/account/preferences', { ...validPreferences, shownLanguage: 'fr', shownState: shownAtFirst }, { htmx: true });
      expect(status(fromGrace.body)).toBe('Enregistré');
      expect(status((await save({ theme: 'dark' })).body)).toBe('Saved');
    });

    it('compares with what this block shows, not with what was saved before: another tab\'s save is caught up', async () => {
      // Another tab saves the zone; this block still shows UTC.
      await save({ timezone: 'Asia/Tokyo' });
      // Here the person picks the same zone, from the block that shows UTC.
      const response = await save({ timezone: 'Asia/Tokyo' });
      expect(oobIds(response.body)).toEqual(['pref-timezone-detail', 'pref-example', 'pref-shown-state', 'account-preferences-status']);
      expect(response.body).toMatch(/data-saved="Japan[^"]*"/);
    });

    it('empties the offer of a language once the page\'s language is saved again', async () => {
      await save({ language: 'fr' });
      const back = await save({ language: 'en', shownState: 'fr|UTC|12|us|default' });
      expect(back.body).toContain('<div id="pref-language-note" hx-swap-oob="true"></div>');
    });

    it('answers a refused save with the whole block, its errors next to the fields, and without what it shows', async () => {
      const refused = await save({ theme: 'neon' });
      expect(refused.statusCode).toBe(422);
      expect(refused.headers['hx-reswap']).toBeUndefined();
      expect(refused.body).toContain('<form id="account-preferences"');
      expect(refused.body).toContain('aria-invalid="true"');
      expect(refused.body).not.toContain('name="shownState"');
      // The next save, from that block, replaces it whole: the errors go.
      const fixed = await ada.post('/settings/account/preferences', { ...validPreferences, theme: 'dark' }, { htmx: true });
      expect(fixed.statusCode).toBe(200);
      expect(fixed.headers['hx-reswap']).toBeUndefined();
      expect(fixed.body).toContain('<form id="account-preferences"');
      expect(fixed.body).not.toContain('aria-invalid');
      expect(fixed.body).toContain(`name="shownState" id="pref-shown-state" value="${shownAtFirst}"`);
    });

    it.each([
      ['a value it never writes', 'dirty'],
      ['too many parts', 'en|UTC|12|us|default|x'],
      ['a value longer than any it writes', `en|${'A'.repeat(190)}|12|us|default`],
    ])('answers the whole block for %s, and saves', async (_label, shownState) => {
      const response = await save({ shownState, theme: 'dark' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['hx-reswap']).toBeUndefined();
      expect(response.body).toContain('<form id="account-preferences"');
      expect((await adaSettings())?.theme).toBe('dark');
    });

    it('from a page left open across an upgrade (it sends the earlier release\'s blockState), saves and answers the whole block', async () => {
      const response = await ada.post('/settings/account/preferences', { ...validPreferences, shownLanguage: 'en', blockState: 'clean', theme: 'dark' }, { htmx: true });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('<form id="account-preferences"');
      expect(response.body).toContain('name="shownState" id="pref-shown-state" value="en|UTC|12|us|default"');
      expect((await adaSettings())?.theme).toBe('dark');
    });

    it('without JavaScript, is the usual redirect back to the page', async () => {
      const response = await ada.post('/settings/account/preferences', { ...validPreferences, shownState: shownAtFirst, theme: 'dark' });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/settings/account');
      expect((await adaSettings())?.theme).toBe('dark');
    });
  });

  it.each<[string, Record<string, string | string[]>, string]>([
    ['an unknown page language', { shownLanguage: 'xx' }, 'Choose one of the languages in the list.'],
    ['a repeated page language', { shownLanguage: ['de', 'fr'] }, 'This field was sent more than once.'],
    ['a repeated account of what the block shows', { shownState: ['en|UTC|12|us|default', 'x'] }, 'This field was sent more than once.'],
    ['a repeated mark of the earlier release', { blockState: ['clean', 'clean'] }, 'This field was sent more than once.'],
  ])('says what is wrong with %s for the whole form, saving nothing', async (_label, override, message) => {
    const before = await adaSettings();
    const response = await ada.post('/settings/account/preferences', { ...validPreferences, theme: 'dark', ...override }, { htmx: true });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain(message);
    expect(await adaSettings()).toEqual(before);
  });

  it('refuses a form missing a field rather than guessing it', async () => {
    const { theme: _theme, ...withoutTheme } = validPreferences;
    const response = await ada.post('/settings/account/preferences', withoutTheme, { htmx: true });
    expect(response.statusCode).toBe(422);
  });

  it('accepts an IANA alias such as Europe/Kiev', async () => {
    const response = await ada.post('/settings/account/preferences', { ...validPreferences, timezone: 'Europe/Kiev' }, { htmx: true });
    expect(response.statusCode).toBe(200);
    expect((await adaSettings())?.timezone).toBe('Europe/Kiev');
    const page = await ada.get('/settings/account');
    // Shown by its current name; the saved value stays until another zone is chosen.
    expect(page.body).toContain('value="Europe/Kyiv (UTC+0');
    expect(page.body).toContain('name="timezone" value="Europe/Kiev"');
  });

  it('takes the browser\'s zone at sign-up, and UTC when it is unknown or invalid', async () => {
    await signUp(t.app, { email: 'kyiv@example.com', timezone: 'Europe/Kyiv' });
    await signUp(t.app, { email: 'nowhere@example.com', timezone: 'Not/AZone' });
    const zoneOf = async (email: string) => {
      const id = (await t.db.select().from(users).where(eq(users.email, email)).get())?.id ?? -1;
      return (await t.db.select().from(accountSettings).where(eq(accountSettings.userId, id)).get())?.timezone;
    };
    expect(await zoneOf('kyiv@example.com')).toBe('Europe/Kyiv');
    expect(await zoneOf('nowhere@example.com')).toBe('UTC');
  });

  it('starts someone who signs up in German in German, with the 24-hour clock', async () => {
    const hans = await signUp(t.app, { email: 'hans@example.com', name: 'Hans' }, { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' });
    const page = await hans.get('/settings/account');
    expect(page.body).toContain('<html lang="de"');
    expect(page.body).toMatch(/<input type="checkbox" id="pref-clock" name="clock24h" checked/);
  });
});

describe('avatar', () => {
  const png = () => sharp({ create: { width: 600, height: 400, channels: 3, background: '#3366cc' } }).png().toBuffer();

  const upload = (session: BrowserSession, avatarType: string, file?: { content: Buffer; type: string; name: string }) => {
    const boundary = '----dials-test-boundary';
    const parts: Buffer[] = [];
    const field = (name: string, value: string) =>
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    field('_csrf', session.csrfToken);
    field('avatarType', avatarType);
    if (file) {
      parts.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="avatarFile"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`),
        file.content,
        Buffer.from('\r\n'),
      );
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    return t.app.inject({
      method: 'POST',
      url: '/settings/account/avatar',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: session.cookieHeader() },
      payload: Buffer.concat(parts),
    });
  };

  it('re-encodes an uploaded picture into a 256 px square WebP and shows it', async () => {
    const response = await upload(ada, 'upload', { content: await png(), type: 'image/png', name: 'me.png' });
    expect(response.statusCode).toBe(303);
    const stored = await adaSettings();
    expect(stored?.avatarType).toBe('upload');
    const meta = await sharp(stored?.avatarImage ?? Buffer.alloc(0)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 256, 256]);

    const page = await ada.get('/settings/account');
    const src = /<img class="avatar avatar-32" src="([^"]+)"/.exec(page.body)?.[1] ?? '';
    expect(src).toMatch(/^\/avatars\/\d+\.webp\?v=\d+$/);
    const image = await ada.get(src);
    expect(image.headers['content-type']).toBe('image/webp');
  });

  it('refuses a file that is not a PNG, JPEG or WebP image, whatever it claims to be', async () => {
    for (const file of [
      { content: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), type: 'image/png', name: 'evil.png' },
      { content: await sharp(await png()).gif().toBuffer(), type: 'image/gif', name: 'anim.gif' },
      { content: Buffer.from('just text'), type: 'text/plain', name: 'notes.txt' },
    ]) {
      const response = await upload(ada, 'upload', file);
      expect(response.statusCode).toBe(422);
      expect(response.body).toContain('This file is not a PNG, JPEG or WebP image.');
    }
    expect((await adaSettings())?.avatarType).toBe('initials');
  });

  it('refuses a file over 2 MB with a clear message', async () => {
    const response = await upload(ada, 'upload', { content: Buffer.alloc(2 * 1024 * 1024 + 10, 1), type: 'image/png', name: 'big.png' });
    expect(response.statusCode).toBe(413);
    expect(response.body).toContain('larger than 2 MB');
    expect((await adaSettings())?.avatarType).toBe('initials');
  });

  it('asks for a file when "upload" is chosen without one', async () => {
    const response = await upload(ada, 'upload');
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Choose an image to upload.');
  });

  it('switches to Gravatar and back to initials', async () => {
    expect((await upload(ada, 'gravatar')).statusCode).toBe(303);
    expect((await ada.get('/settings/account')).body).toContain('https://www.gravatar.com/avatar/');
    expect((await upload(ada, 'initials')).statusCode).toBe(303);
    expect((await ada.get('/settings/account')).body).toMatch(/<span class="avatar avatar-32[^"]*" aria-hidden="true"[^>]*>AL<\/span>/);
  });

  it('needs the CSRF token like every other form', async () => {
    ada.csrfToken = 'forged';
    const response = await upload(ada, 'gravatar');
    expect(response.statusCode).toBe(403);
    expect((await adaSettings())?.avatarType).toBe('initials');
  });
});
