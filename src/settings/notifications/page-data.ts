import type { Actor } from '../../lib/actor.ts';
import type { SettingRow } from '../../notify/resolve.ts';
import type { NotificationSettings, TypeOverview } from '../../notify/settings.ts';
import { placeKey, settingKinds, type PlaceScope, type SettingKind } from './kinds.ts';
import type { ReportTime, ReportTimes } from './report-time.ts';

/** An organization the person belongs to, with its projects (as the platform lists them). */
export interface OrganizationWithProjects {
  organizationId: number;
  name: string;
  projects: ReadonlyArray<{ id: number; name: string }>;
}

/** The person's addresses that can receive mail: the primary one, and every confirmed one. */
export interface MailAddresses {
  primary: string;
  verified: readonly string[];
}

export interface PageSources {
  settings: NotificationSettings;
  organizationsOf: (userId: number) => Promise<OrganizationWithProjects[]>;
  addressesOf: (actor: Actor) => Promise<MailAddresses>;
  /** The weekday and hour of weekly reports, shown on that type's page. */
  reportTimes?: Pick<ReportTimes, 'of' | 'save'>;
}

/** One place's own setting, as the type page lists it. */
export interface PlaceSetting {
  key: string;
  scope: PlaceScope;
  id: number;
  /** The organization's name, or the project's; null when the person no longer belongs there. */
  name: string | null;
  /** For a project, its organization's name. */
  organizationName: string | null;
  value: string;
}

/** The places that have no setting of their own yet, grouped by organization, for the "add" form. */
export interface PlaceChoices {
  organizationName: string;
  options: Array<{ key: string; scope: PlaceScope; name: string }>;
}

/**
 * The person's own default of a setting: the type's as the service resolves it, or for routing the
 * chosen address while it is still confirmed ("" stands for "my primary address").
 */
function ownDefault(kind: SettingKind, overview: readonly TypeOverview[], rows: readonly SettingRow[], addresses: MailAddresses): string {
  const typed = overview.find((entry) => entry.type === kind.type);
  if (typed) return typed.value;
  const chosen = rows.find((row) => row.type === kind.type && row.scope === 'user')?.value;
  return chosen !== undefined && chosen !== addresses.primary && addresses.verified.includes(chosen) ? chosen : '';
}

/** The addresses routing offers besides "my primary address": the other confirmed ones. */
function otherAddresses(addresses: MailAddresses): string[] {
  return addresses.verified.filter((address) => address !== addresses.primary);
}

export function createPageData(sources: PageSources) {
  return {
    /** Every setting's own default and how many places of each kind have their own. */
    async overview(actor: Actor) {
      const [overview, rows, addresses] = await Promise.all([sources.settings.overview(actor), sources.settings.rows(actor), sources.addressesOf(actor)]);
      const kinds = settingKinds.map((kind) => {
        const placeRows = rows.filter((row) => row.type === kind.type && row.scope !== 'user');
        return {
          kind,
          value: ownDefault(kind, overview, rows, addresses),
          counts: { organization: placeRows.filter((row) => row.scope === 'organization').length, project: placeRows.filter((row) => row.scope === 'project').length },
        };
      });
      return { kinds, addresses: { primary: addresses.primary, others: otherAddresses(addresses), verified: addresses.verified } };
    },

    /** One setting's own default, the places with their own, and the places that could have one. */
    async typePage(actor: Actor, kind: SettingKind) {
      const [overview, rows, organizations, addresses, reportTime] = await Promise.all([
        sources.settings.overview(actor),
        sources.settings.rows(actor),
        sources.organizationsOf(actor.userId),
        sources.addressesOf(actor),
        kind.type === 'weeklyReports' && sources.reportTimes ? sources.reportTimes.of(actor) : Promise.resolve<ReportTime | null>(null),
      ]);
      const names = new Map<string, { name: string; organizationName: string | null }>();
      for (const organization of organizations) {
        names.set(placeKey({ scope: 'organization', id: organization.organizationId }), { name: organization.name, organizationName: null });
        for (const project of organization.projects) names.set(placeKey({ scope: 'project', id: project.id }), { name: project.name, organizationName: organization.name });
      }
      const places: PlaceSetting[] = rows
        .filter((row) => row.type === kind.type && row.scope !== 'user' && row.scopeId !== null && kind.placeScopes.includes(row.scope))
        .map((row) => {
          const place = { scope: row.scope as PlaceScope, id: row.scopeId ?? 0 };
          const known = names.get(placeKey(place));
          return { key: placeKey(place), ...place, name: known?.name ?? null, organizationName: known?.organizationName ?? null, value: row.value };
        })
        .sort((a, b) => (a.organizationName ?? a.name ?? '').localeCompare(b.organizationName ?? b.name ?? '') || (a.scope === b.scope ? (a.name ?? '').localeCompare(b.name ?? '') : a.scope === 'organization' ? -1 : 1));
      const taken = new Set(places.map((place) => place.key));
      const choices: PlaceChoices[] = organizations
        .map((organization) => {
          const options: PlaceChoices['options'] = [];
          const own = { scope: 'organization' as const, id: organization.organizationId };
          if (kind.placeScopes.includes('organization') && !taken.has(placeKey(own))) options.push({ key: placeKey(own), scope: 'organization', name: organization.name });
          if (kind.placeScopes.includes('project')) {
            for (const project of organization.projects) {
              const key = placeKey({ scope: 'project', id: project.id });
              if (!taken.has(key)) options.push({ key, scope: 'project', name: project.name });
            }
          }
          return { organizationName: organization.name, options };
        })
        .filter((group) => group.options.length > 0);
      // Every place of the kind's scopes, for the test message's "about" (its routing then applies).
      const testPlaces: PlaceChoices[] = organizations
        .map((organization) => ({
          organizationName: organization.name,
          options: [
            ...(kind.placeScopes.includes('organization') ? [{ key: placeKey({ scope: 'organization', id: organization.organizationId }), scope: 'organization' as const, name: organization.name }] : []),
            ...(kind.placeScopes.includes('project') ? organization.projects.map((project) => ({ key: placeKey({ scope: 'project', id: project.id }), scope: 'project' as const, name: project.name })) : []),
          ],
        }))
        .filter((group) => group.options.length > 0);
      return {
        kind,
        value: ownDefault(kind, overview, rows, addresses),
        places,
        choices,
        testPlaces,
        hasOrganizations: organizations.length > 0,
        ownSettings: rows.filter((row) => row.type === kind.type).length,
        reportTime,
        addresses: { primary: addresses.primary, others: otherAddresses(addresses), verified: addresses.verified },
      };
    },
  };
}

export type PageData = ReturnType<typeof createPageData>;
