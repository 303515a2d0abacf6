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
 * name and their links. The body is rendered once with these marks in their places (none holds a
 * character that escaping changes), and each reader's message fills them in, escaped.
 */
const marks = {
  greeting: '%%weekly-report:greeting%%',
  view: '%%weekly-report:view%%',
  settings: '%%weekly-report:settings%%',
  unsubscribeUrl: '%%weekly-report:unsubscribe-url%%',
  unsubscribeLabel: '%%weekly-report:unsubscribe-label%%',
} as const;

interface Body {
  subject: string;
  /** The rendered part split at the marks: literal text at even indexes, a mark's name at odd ones. */
  html: string[];
  text: string[];
}

const markNames = new Map<string, keyof typeof marks>((Object.keys(marks) as Array<keyof typeof marks>).map((name) => [marks[name], name]));
const markPattern = /(%%weekly-report:[a-z-]+%%)/;

function splitAtMarks(rendered: string): string[] {
  return rendered.split(markPattern).map((part, index) => (index % 2 === 1 ? (markNames.get(part) ?? part) : part));
}

/** Rendered bodies per report (readers with the same zone and choices share one) and per language and formats. */
const bodies = new WeakMap<WeeklyReport, Map<string, Body>>();

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (character) => htmlEscapes[character] ?? character);

function bodyOf(report: WeeklyReport, recipient: Recipient, origin: string): Body {
  // The body shows dates, never times of day: the clock does not change it.
  const { language, dateFormat } = recipient.preferences;
  const key = `${language}|${dateFormat}|${origin}`;
  let byKey = bodies.get(report);
  if (!byKey) {
    byKey = new Map();
    bodies.set(report, byKey);
  }
  const known = byKey.get(key);
  if (known) return known;
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
  byKey.set(key, body);
  return body;
}

/** The part with each mark replaced by the reader's value, escaped: one string built, in one pass. */
function fillIn(parts: readonly string[], values: Record<keyof typeof marks, string>, escape: (value: string) => string): string {
  let filled = '';
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index] ?? '';
    filled += index % 2 === 1 ? escape(values[part as keyof typeof marks]) : part;
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
