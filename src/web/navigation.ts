/** The settings pages that exist; a page is listed here only once it is built. */
export const settingsNavigation: ReadonlyArray<{ path: string; labelKey: string; adminOnly?: boolean }> = [
  { path: '/settings/account', labelKey: 'nav.account' },
  { path: '/settings/security', labelKey: 'nav.security' },
  { path: '/settings/emails', labelKey: 'nav.emails' },
  { path: '/settings/notifications', labelKey: 'nav.notifications' },
  { path: '/settings/api-keys', labelKey: 'nav.apiKeys' },
  { path: '/admin/outbox', labelKey: 'nav.outbox', adminOnly: true },
  { path: '/admin/jobs', labelKey: 'nav.jobs', adminOnly: true },
];

/** Where a signed-in person lands: after logging in, and when no other page was asked for. */
export const homePath = '/settings/account';
