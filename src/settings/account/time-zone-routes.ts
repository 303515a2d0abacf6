import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLanguage } from '../../lib/languages.ts';
import { describeTimeZone, searchTimeZones, timeZoneChoices } from '../../lib/timezones.ts';
import { parseForm, type FieldErrors } from '../../web/form.ts';
import { actorOf, viewerOf } from '../../web/guards.ts';
import { timeZoneForm } from './form.ts';
import type { AccountService } from './service.ts';

interface TimeZoneRouteOptions {
  account: AccountService;
  pagePath: string;
}

const maximumQueryLength = 100;

/**
 * The time-zone picker's list for the browser (the account page only carries the chosen zone),
 * and the page that picks a zone without JavaScript: search, then choose from the matches.
 */
export function registerTimeZoneRoutes(scoped: FastifyInstance, options: TimeZoneRouteOptions): void {
  const listPath = `${options.pagePath}/time-zones.json`;
  const pickerPath = `${options.pagePath}/time-zone`;

  scoped.get(listPath, async (request, reply) => {
    const asked = (request.query as Record<string, unknown>).lang;
    const language = isLanguage(asked) ? asked : request.language;
    // The offsets follow daylight saving time; an hour old list is still right almost always.
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('cache-control', 'private, max-age=3600')
      .send(timeZoneChoices(language).json);
  });

  const renderPicker = (request: FastifyRequest, query: string, errors: FieldErrors = {}) => {
    const current = describeTimeZone(viewerOf(request).preferences.timeZone, request.language);
    return { query, current, matches: searchTimeZones(query, request.language), errors };
  };

  scoped.get(pickerPath, async (request, reply) => {
    const raw = (request.query as Record<string, unknown>).q;
    const query = typeof raw === 'string' ? raw.slice(0, maximumQueryLength) : '';
    return reply.page('settings/account/time-zone', renderPicker(request, query));
  });

  scoped.post(pickerPath, async (request, reply) => {
    const parsed = parseForm(timeZoneForm, request.body);
    if (!parsed.ok) {
      const raw = (request.body as Record<string, unknown> | undefined)?.q;
      const query = typeof raw === 'string' ? raw.slice(0, maximumQueryLength) : '';
      return reply.page('settings/account/time-zone', renderPicker(request, query, parsed.errors), 422);
    }
    await options.account.saveTimeZone(actorOf(request), parsed.data.timezone);
    return reply.redirectWithFlash(`${options.pagePath}#pref-timezone-field`, { kind: 'success', messageKey: 'flash.saved' });
  });
}
