import crypto from 'node:crypto';
import { formatTimestamp, type TimestampPreferences } from '../lib/datetime-format.ts';
import type { Language } from '../lib/languages.ts';
import { translatorFor } from '../web/i18n.ts';
import { createTemplateEngine } from '../web/templates.ts';
import type { OutgoingMail } from './outbox.ts';

const eta = createTemplateEngine({ autoEscape: true, keepNewlines: true });
const plainEta = createTemplateEngine({ autoEscape: false, keepNewlines: true });

export interface Recipient {
  address: string;
  name: string;
  /** False when the address is not confirmed: its mail then greets no one by name, as with `anonymous`. */
  confirmed?: boolean;
  preferences: TimestampPreferences & { language: Language };
}

export interface MailContent {
  kind: string;
  /** The i18n key under mail.<key> holding subject, greeting-free paragraphs and an action label. */
  key: string;
  values?: Record<string, string | number>;
  /** A timestamp to show in the recipient's own format, as {{when}}. */
  when?: Date;
  action?: { url: string };
  /** Paragraph keys under mail.<key>, in order. */
  paragraphs: string[];
  /**
   * For mail to an address that has not been confirmed yet: the greeting names no one, since the
   * account's name was typed by whoever entered the address, who may be a stranger to its owner.
   */
  anonymous?: boolean;
  /** For notifications: the link that turns this kind off for its place, shown in the footer and sent as List-Unsubscribe. */
  unsubscribe?: { url: string; label: string };
  /** A test a person asked for: marked as one in the subject and on the first line, with sample content. */
  test?: boolean;
}

/** Builds a message in the recipient's language, with times in their zone and format, as HTML and plain text. */
export function composeMail(recipient: Recipient, content: MailContent): OutgoingMail {
  const t = translatorFor(recipient.preferences.language);
  const values = { ...content.values, ...(content.when ? { when: formatTimestamp(content.when, recipient.preferences) } : {}) };
  const data = {
    lang: recipient.preferences.language,
    greeting: content.anonymous || recipient.confirmed === false ? t('mail.greetingAnonymous') : t('mail.greeting', { name: recipient.name }),
    paragraphs: content.paragraphs.map((paragraph) => t(`mail.${content.key}.${paragraph}`, values)),
    action: content.action ? { url: content.action.url, label: t(`mail.${content.key}.action`, values) } : null,
    footer: content.unsubscribe ? t('mail.notificationFooter') : t('mail.footer'),
    unsubscribe: content.unsubscribe ?? null,
    subject: content.test ? t('mail.test.subject', { subject: t(`mail.${content.key}.subject`, values) }) : t(`mail.${content.key}.subject`, values),
    testLine: content.test ? t('mail.test.firstLine') : null,
  };
  return {
    to: recipient.address,
    subject: data.subject,
    kind: content.kind,
    html: eta.render('emails/message-html', data),
    text: plainEta.render('emails/message-text', data),
    ...(content.unsubscribe ? { unsubscribeUrl: content.unsubscribe.url } : {}),
  };
}

/** What differs between the recipients of one composed message: who they are, and their own unsubscribe link. */
export interface PersonalPart {
  address: string;
  name: string;
  unsubscribeUrl?: string;
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => htmlEscapes[character] ?? character);

/**
 * Composes a message once for everyone who reads it alike (the same language, time zone, clock and
 * date format, and the same content): rendered with markers where each recipient's name and
 * unsubscribe link go, then filled in for each, escaped as the template would have. A fan-out to
 * thousands renders each variant once instead of once per person. The markers carry a random
 * nonce, so no text of an event can be mistaken for one.
 */
export function composeMailTemplate(shared: Omit<Recipient, 'address' | 'name'>, content: MailContent): (personal: PersonalPart) => OutgoingMail {
  const nonce = crypto.randomBytes(12).toString('hex');
  const nameMarker = `dials-name-${nonce}`;
  const unsubscribeMarker = `https://dials-unsubscribe-${nonce}.invalid/`;
  const sample = composeMail(
    { ...shared, address: '', name: nameMarker },
    content.unsubscribe ? { ...content, unsubscribe: { ...content.unsubscribe, url: unsubscribeMarker } } : content,
  );
  // Each part split once at the markers: filling in is then joining the pieces.
  const piecesOf = (template: string) => template.split(nameMarker).map((piece) => piece.split(unsubscribeMarker));
  const fill = (pieces: string[][], name: string, url: string) => pieces.map((piece) => piece.join(url)).join(name);
  const subject = piecesOf(sample.subject);
  const text = piecesOf(sample.text);
  const html = piecesOf(sample.html);
  return (personal) => {
    const url = personal.unsubscribeUrl ?? '';
    return {
      to: personal.address,
      subject: fill(subject, personal.name, url),
      kind: sample.kind,
      text: fill(text, personal.name, url),
      html: fill(html, escapeHtml(personal.name), escapeHtml(url)),
      ...(content.unsubscribe ? { unsubscribeUrl: url } : {}),
    };
  };
}
