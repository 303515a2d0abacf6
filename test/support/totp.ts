import { generate } from 'otplib';
import type { BrowserSession } from './browser-session.ts';
import { linkIn } from './mailbox.ts';
import { mailboxOf } from './test-app.ts';

/** The code an authenticator app would show for this secret at the app's (test) clock time. */
export function totpCode(secret: string, atMs: number): Promise<string> {
  return generate({ secret, epoch: Math.floor(atMs / 1000) });
}

/** Confirms the signed-in person's primary address through the link in the mail sent at sign-up, if it is not confirmed yet. */
export async function confirmPrimaryEmail(browser: BrowserSession): Promise<void> {
  const page = await browser.get('/settings/emails');
  const primary = /<span class="address-text">([^<]+)<\/span>\s*<span class="badge badge-primary">/.exec(page.body)?.[1];
  if (!primary || !/badge-primary">[^<]*<\/span>\s*<span class="badge badge-warn">/.test(page.body)) return;
  const mail = await mailboxOf(browser.app).waitFor(primary, 'Confirm your e-mail address');
  const link = linkIn(mail, '/verify-email/');
  await browser.get(link);
  await browser.post(link, {});
}

/** Enrols the authenticator app through the real pages; returns the secret and the recovery codes shown. */
export async function enrolTotp(browser: BrowserSession, nowMs: () => number): Promise<{ secret: string; recoveryCodes: string[] }> {
  await confirmPrimaryEmail(browser);
  await browser.get('/settings/security/two-factor/app');
  await browser.post('/settings/security/two-factor/app/start', {});
  const page = await browser.get('/settings/security/two-factor/app');
  const secret = (/<code class="secret" id="totp-secret">([^<]+)<\/code>/.exec(page.body)?.[1] ?? '').replace(/\s/g, '');
  if (!secret) throw new Error('no secret on the enrolment page');
  const confirmed = await browser.post('/settings/security/two-factor/app/confirm', { code: await totpCode(secret, nowMs()) });
  // The codes are shown once, on the page the confirmation redirects to.
  const shown = confirmed.statusCode === 303 && confirmed.headers.location ? await browser.get(String(confirmed.headers.location)) : confirmed;
  const recoveryCodes = [...shown.body.matchAll(/<li><code>([A-Z0-9]{4}-[A-Z0-9]{4})<\/code><\/li>/g)].map((match) => match[1] ?? '');
  return { secret, recoveryCodes };
}
