import { describe, expect, it } from 'vitest';
import { composeMail, composeMailTemplate, type MailContent } from '../../src/mail/compose.ts';

/** A message composed once for many readers and filled in per person is the very message composed for each alone. */

const content: MailContent = {
  kind: 'build-email',
  key: 'buildFinished',
  when: new Date('2026-03-10T14:05:00Z'),
  values: { build: '4711', pipeline: 'main', project: 'Web', organization: 'Acme', status: 'failed', setting: 'failed builds', sha: '9fceb02d0ae5', author: 'Ada', message: 'Fix <b>it</b> & "more"', settingsUrl: 'http://localhost/settings/notifications' },
  paragraphs: ['intro', 'commit', 'why'],
  action: { url: 'http://localhost/orgs/acme/builds' },
  unsubscribe: { url: '', label: 'Turn off these e-mails for Web' },
};

describe('composing a message once for many readers', () => {
  it.each([
    { language: 'en' as const, name: 'Ada Lovelace', confirmed: true },
    { language: 'de' as const, name: '<script>alert("x")</script> & Grace\'s', confirmed: true },
    { language: 'fr' as const, name: 'Linus', confirmed: false },
  ])('gives the same message as composing it for one person ($language, $name)', ({ language, name, confirmed }) => {
    const preferences = { language, timeZone: 'Europe/Berlin', clock24h: language !== 'en', dateFormat: 'iso' as const };
    const url = `http://localhost/unsubscribe/12.buildEmails.p3.${'A'.repeat(22)}`;
    const filled = composeMailTemplate({ confirmed, preferences }, content)({ address: 'someone@example.com', name, unsubscribeUrl: url });
    const alone = composeMail({ address: 'someone@example.com', name, confirmed, preferences }, { ...content, unsubscribe: { url, label: 'Turn off these e-mails for Web' } });
    expect(filled).toEqual(alone);
    expect(filled.html).not.toContain('dials-name-');
    expect(filled.text).not.toContain('.invalid/');
  });

  it('fills in each reader differently from one composition', () => {
    const compose = composeMailTemplate({ confirmed: true, preferences: { language: 'en', timeZone: 'UTC', clock24h: false, dateFormat: 'us' } }, content);
    const ada = compose({ address: 'ada@example.com', name: 'Ada', unsubscribeUrl: 'http://localhost/unsubscribe/1' });
    const grace = compose({ address: 'grace@example.com', name: 'Grace', unsubscribeUrl: 'http://localhost/unsubscribe/2' });
    expect(ada.text).toContain('Hello Ada,');
    expect(grace.text).toContain('Hello Grace,');
    expect(ada.unsubscribeUrl).toBe('http://localhost/unsubscribe/1');
    expect(grace.html).toContain('href="http://localhost/unsubscribe/2"');
    expect(grace.to).toBe('grace@example.com');
  });
});
