import type { Language } from '../lib/languages.ts';
import { translatorFor } from '../web/i18n.ts';
import type { WeeklyReportLinks } from './weekly-types.ts';

export const weeklyReportsPath = '/reports/weekly';
/** Where a reader chooses which organizations and projects their weekly report covers. */
export const weeklyReportSettingsPath = '/settings/notifications/weekly-reports';

/** The path of an organization's report for a week: /reports/weekly/<org>/<week>. */
export const weeklyReportPath = (organizationSlug: string, week: string) => `${weeklyReportsPath}/${encodeURIComponent(organizationSlug)}/${encodeURIComponent(week)}`;

/**
 * A report mail's links, absolute: the page, the settings, and the one-click unsubscribe whose
 * token (notify/unsubscribe-token.ts, for `weeklyReports` at the organization) the caller signs.
 */
export function weeklyReportLinks(options: { publicUrl: URL; organization: { slug: string; name: string }; week: string; unsubscribeToken: string; language: Language }): WeeklyReportLinks {
  const t = translatorFor(options.language);
  return {
    view: new URL(weeklyReportPath(options.organization.slug, options.week), options.publicUrl).href,
    settings: new URL(weeklyReportSettingsPath, options.publicUrl).href,
    unsubscribe: { url: new URL(`/unsubscribe/${options.unsubscribeToken}`, options.publicUrl).href, label: t('mail.unsubscribe', { place: options.organization.name }) },
  };
}
