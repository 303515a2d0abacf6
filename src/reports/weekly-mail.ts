import { randomBytes } from 'node:crypto';
import type { Recipient } from '../mail/compose.ts';
import type { OutgoingMail } from '../mail/outbox.ts';
import { translatorFor } from '../web/i18n.ts';
import { createTemplateEngine } from '../web/templates.ts';
import { presentReport } from './present.ts';
import type { WeeklyReport, WeeklyReportLinks } from './weekly-types.ts';

const eta = createTemplateEngine({ autoEscape: true, keepNewlines: true });
const plainEta = createTemplateEngine({ autoEscape: false, keepNewlines: true });

/** The tallest bar of the mail's chart, in pixels. */
export const mailChartHeight = 120;

/**
 * What differs from one reader to the next among those who share a report and a language: their
 * name and their links. The body is rendered once with these marks in their places, and each
 * reader's message fills them in, escaped. Reported text (an issue's title, a project's name) is in
 * the same body, so a mark carries a random part made at start: no text can pass for one.
 */
const nonce = randomBytes(16).toString('hex');
const marks = {
  greeting: `%%${nonce}:greeting%%`,
  view: `%%${nonce}:view%%`,
  settings: `%%${nonce}:settings%%`,
  unsubscribeUrl: `%%${nonce}:unsubscribe-url%%`,
  unsubscribeLabel: `%%${nonce}:unsubscribe-label%%`,
} as const;

interface Body {
  subject: string;
  /** The rendered part split at the marks: literal text at even indexes, a mark's name at odd ones. */
  html: string[];
  text: string[];
}

const markPrefix = `%%${nonce}:`;
const markNames = new Map<string, keyof typeof marks>((Object.keys(marks) as Array<keyof typeof marks>).map((name) => [marks[name].slice(markPrefix.length, -2), name]));

function splitAtMarks(rendered: string): string[] {
  const [first = '', ...rest] = rendered.split(markPrefix);
  const parts = [first];
  for (const piece of rest) {
    const end = piece.indexOf('%%');
    const name = end === -1 ? undefined : markNames.get(piece.slice(0, end));
    if (name === undefined) parts[parts.length - 1] += markPrefix + piece;
    else parts.push(name, piece.slice(end + 2));
  }
  return parts;
}

/**
 * The body rendered last: readers with the same report (same zone and choices), language and
 * formats share it. The weekly reports job hands such readers over one after another, so one body
 * kept is enough, and each is let go as soon as its readers have their mails: bodies kept for a
 * whole organization would outlive the young generation and fill the old one.
 */
let lastBody: { report: WeeklyReport; key: string; body: Body } | null = null;

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (character) => htmlEscapes[character] ?? character);

function bodyOf(report: WeeklyReport, recipient: Recipient, origin: string): Body {
  // The body shows dates, never times of day: the clock does not change it.
  const { language, dateFormat } = recipient.preferences;
  const key = `${language}|${dateFormat}|${origin}`;
  if (lastBody?.report === report && lastBody.key === key) return lastBody.body;
  const t = translatorFor(language);
  const shown = presentReport(report, t, { ...recipient.preferences, timeZone: report.timeZone }, {
    issue: (id) => `${origin}/orgs/${encodeURIComponent(report.organization.slug)}/issues/${id}`,
  });
  const subject = t('reports.mail.subject', { organization: report.organization.name, week: report.weekNumber });
  const data = {
    lang: language,
    t,
    subject,
    greeting: marks.greeting,
    report,
    shown,
    links: { view: marks.view, settings: marks.settings, unsubscribe: { url: marks.unsubscribeUrl, label: marks.unsubscribeLabel } },
    chartHeight: mailChartHeight,
    footer: t('reports.mail.footer', { organization: report.organization.name }),
  };
  const body = { subject, html: splitAtMarks(eta.render('emails/weekly-report-html', data)), text: splitAtMarks(plainEta.render('emails/weekly-report-text', data)) };
  lastBody = { report, key, body };
  return body;
}

/** The part with each mark replaced by the reader's value, escaped: one string built, in one pass. */
function fillIn(parts: readonly string[], values: Record<keyof typeof marks, string>, escape: (value: string) => string): string {
  let filled = '';
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index] ?? '';
    const value = index % 2 === 1 && Object.hasOwn(values, part) ? values[part as keyof typeof marks] : undefined;
    filled += value === undefined ? part : escape(value);
  }
  return filled;
}

/**
 * One reader's weekly report as a message: HTML and plain text, in their language, with dates in
 * their zone and date format. The chart is a table of coloured cells (no script, no SVG, no image),
 * its numbers written out beside it; the text part lists the same numbers.
 */
export function composeWeeklyReportMail(report: WeeklyReport, recipient: Recipient, links: WeeklyReportLinks): OutgoingMail {
  const t = translatorFor(recipient.preferences.language);
  const body = bodyOf(report, recipient, new URL(links.view).origin);
  const values = {
    greeting: recipient.confirmed === false ? t('mail.greetingAnonymous') : t('mail.greeting', { name: recipient.name }),
    view: links.view,
    settings: links.settings,
    unsubscribeUrl: links.unsubscribe.url,
    unsubscribeLabel: links.unsubscribe.label,
  };
  return {
    to: recipient.address,
    subject: body.subject,
    kind: 'weekly-report',
    html: fillIn(body.html, values, escapeHtml),
    text: fillIn(body.text, values, (value) => value),
    unsubscribeUrl: links.unsubscribe.url,
  };
}
