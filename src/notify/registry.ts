/**
 * Every notification setting a person has, with the scopes it can be set at, the values it
 * takes and its default (../shared/spec/behaviours.md, "Notifications"). The settings page, the
 * resolver and the dispatcher all read this one list.
 *
 * Scopes, from the widest: `user` (the person's own default for everything), `organization`,
 * `project`. The most specific setting present wins; none at all means the type's default.
 */
export const notificationScopes = ['user', 'organization', 'project'] as const;
export type NotificationScope = (typeof notificationScopes)[number];

interface ChoiceType<V extends string> {
  /** The values, in the order the page offers them. */
  values: readonly V[];
  default: V;
  scopes: readonly NotificationScope[];
  /** The value that turns the type off, for "turn off everywhere" and one-click unsubscribe; null when it cannot be. */
  off: V | null;
  /** A type no one can change: it has one value, no setting is stored for it, and the pages show it without a form. */
  fixed?: true;
}

function choice<const V extends string>(type: ChoiceType<V>): ChoiceType<V> {
  return type;
}

export const notificationTypes = {
  /** An error became an issue, or came back (the error-monitoring product's alerts). */
  issueAlerts: choice({ values: ['always', 'never'], default: 'always', scopes: ['user', 'project'], off: 'never' }),
  /** Assignment, resolution and comments on issues. */
  workflow: choice({ values: ['always', 'subscribed', 'never'], default: 'subscribed', scopes: ['user', 'project'], off: 'never' }),
  /** A release was deployed. */
  deploys: choice({ values: ['always', 'myCommits', 'never'], default: 'myCommits', scopes: ['user', 'organization'], off: 'never' }),
  /** The weekly report per organization; at project scope, `off` leaves that project out of it. */
  weeklyReports: choice({ values: ['on', 'off'], default: 'on', scopes: ['user', 'organization', 'project'], off: 'off' }),
  /** Build e-mails (the CI/CD product): off by default; which finished builds are mailed. */
  buildEmails: choice({ values: ['off', 'failed', 'successful', 'both'], default: 'off', scopes: ['user', 'project'], off: 'off' }),
  /** Whether a person hears of their own actions. */
  myActivity: choice({ values: ['on', 'off'], default: 'off', scopes: ['user'], off: 'off' }),
  /** Whether resolving an issue assigns it to the person who resolved it. */
  selfAssignOnResolve: choice({ values: ['on', 'off'], default: 'off', scopes: ['user'], off: null }),
  /** Security notices (a changed password, a new address, a new API key …): always sent, to the address the event concerns; they cannot be turned off. */
  security: choice({ values: ['always'], default: 'always', scopes: ['user'], off: null, fixed: true }),
} as const;

export type NotificationType = keyof typeof notificationTypes;
export type NotificationValue<T extends NotificationType> = (typeof notificationTypes)[T]['values'][number];

export const notificationTypeNames = Object.keys(notificationTypes) as NotificationType[];

export function isNotificationType(value: string): value is NotificationType {
  return Object.hasOwn(notificationTypes, value);
}

export function allowsScope(type: NotificationType, scope: NotificationScope): boolean {
  return (notificationTypes[type].scopes as readonly string[]).includes(scope);
}

/** Whether a person can change the type at all (security notices they cannot). */
export function isFixed(type: NotificationType): boolean {
  return (notificationTypes[type] as { fixed?: true }).fixed === true;
}

export function isValueOf<T extends NotificationType>(type: T, value: string): value is NotificationValue<T> {
  return (notificationTypes[type].values as readonly string[]).includes(value);
}

/**
 * Where mail goes is a setting too, but its value is one of the person's verified addresses, not
 * a fixed choice: a project may name one; the person's own default is their primary address.
 */
export const emailRoutingScopes: readonly NotificationScope[] = ['user', 'project'];
