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
 * One reader's weekly report as a message: HTML and plain text, in their language, with dates in
 * their zone and date format. The chart is a table of coloured cells (no script, no SVG, no image),
 * its numbers written out beside it; the text part lists the same numbers.
 */
export function composeWeeklyReportMail(report: WeeklyReport, recipient: Recipient, links: WeeklyReportLinks): OutgoingMail {
  const language = recipient.preferences.language;
  const t = translatorFor(language);
  const origin = new URL(links.view).origin;
  const shown = presentReport(report, t, { ...recipient.preferences, timeZone: report.timeZone }, {
    issue: (id) => `${origin}/orgs/${encodeURIComponent(report.organization.slug)}/issues/${id}`,
  });
  const subject = t('reports.mail.subject', { organization: report.organization.name, week: report.weekNumber });
  const data = {
    lang: language,
    t,
    subject,
    greeting: recipient.confirmed === false ? t('mail.greetingAnonymous') : t('mail.greeting', { name: recipient.name }),
    report,
    shown,
    links,
    chartHeight: mailChartHeight,
    footer: t('reports.mail.footer', { organization: report.organization.name }),
  };
  return {
    to: recipient.address,
    subject,
    kind: 'weekly-report',
    html: eta.render('emails/weekly-report-html', data),
    text: plainEta.render('emails/weekly-report-text', data),
    unsubscribeUrl: links.unsubscribe.url,
  };
}
