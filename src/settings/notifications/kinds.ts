import { emailRoutingScopes, isFixed, notificationTypeNames, notificationTypes, type NotificationScope } from '../../notify/registry.ts';
import type { SettingType } from '../../notify/settings.ts';

/** The places a setting can name: an organization or a project. */
export type PlaceScope = Exclude<NotificationScope, 'user'>;

/**
 * One setting as the notifications pages show it: a type of the registry, or where mail goes.
 * `slug` is its part of the address (/settings/notifications/<slug>).
 */
export interface SettingKind {
  type: SettingType;
  slug: string;
  /** The places it can be set for besides the person's own default; none means it has no page of its own. */
  placeScopes: readonly PlaceScope[];
  /** The values it takes, in the page's order; null for routing, whose values are the person's verified addresses. */
  values: readonly string[] | null;
  /** Whether "turn off everywhere" applies to it. */
  canTurnOff: boolean;
  /** A setting no one can change (security notices): shown, never offered as a form. */
  fixed: boolean;
}

const slugOf = (type: string) => type.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
const placeScopesOf = (scopes: readonly NotificationScope[]) => scopes.filter((scope): scope is PlaceScope => scope !== 'user');

/** Every setting, in the order the overview lists them: the registry's types, then where mail goes. */
export const settingKinds: readonly SettingKind[] = [
  ...notificationTypeNames.map((type) => ({
    type,
    slug: slugOf(type),
    placeScopes: placeScopesOf(notificationTypes[type].scopes),
    values: notificationTypes[type].values,
    canTurnOff: notificationTypes[type].off !== null,
    fixed: isFixed(type),
  })),
  { type: 'emailRouting', slug: slugOf('emailRouting'), placeScopes: placeScopesOf(emailRoutingScopes), values: null, canTurnOff: false, fixed: false },
];

const bySlug = new Map(settingKinds.map((kind) => [kind.slug, kind]));

/** The setting a slug names, or null for anything else (an unknown name, another spelling, `__proto__`, a setting no one can change). */
export function kindOfSlug(slug: unknown): SettingKind | null {
  const kind = typeof slug === 'string' ? bySlug.get(slug) : undefined;
  return kind && !kind.fixed ? kind : null;
}

/** The setting a slug names when it has a page of its own (it can be set per organization or project). */
export function kindWithPage(slug: unknown): SettingKind | null {
  const kind = kindOfSlug(slug);
  return kind && kind.placeScopes.length > 0 ? kind : null;
}

/** A place as a form names it: `organization-12`, `project-7`. */
export interface PlaceRef {
  scope: PlaceScope;
  id: number;
}

const placePattern = /^(organization|project)-([1-9][0-9]{0,11})$/;

/** The place a form or an address names, or null when it names none (not a number, too large, another scope). */
export function parsePlace(value: unknown): PlaceRef | null {
  const match = typeof value === 'string' ? placePattern.exec(value) : null;
  if (!match) return null;
  return { scope: match[1] as PlaceScope, id: Number(match[2]) };
}

export function placeKey(place: PlaceRef): string {
  return `${place.scope}-${place.id}`;
}
