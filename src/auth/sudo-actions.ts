import type { PendingAction } from './sudo-continuation.ts';

/**
 * What a kept sensitive form does, in words, keyed by its route: shown on "Confirm access" and on
 * the page that finishes it. Routes not listed are described in general terms.
 */
const descriptions: Record<string, string> = {
  '/settings/emails': 'sudo.pending.addEmail',
  '/settings/emails/:id/primary': 'sudo.pending.makePrimary',
  '/settings/emails/:id/remove': 'sudo.pending.removeEmail',
  '/settings/security/two-factor/app/start': 'sudo.pending.startTotp',
  '/settings/security/two-factor/app/remove': 'sudo.pending.removeTotp',
  '/settings/security/recovery-codes': 'sudo.pending.regenerateRecoveryCodes',
};

/** The translation key and values that say what the pending action will do. */
export function describePendingAction(pending: PendingAction): { key: string; values: Record<string, string> } {
  // Only named values reach i18next: a field called "lng" or "count" would change how it translates.
  return { key: descriptions[pending.route] ?? 'sudo.pending.other', values: { address: pending.fields.address ?? '' } };
}
