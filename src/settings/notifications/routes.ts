import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../lib/actor.ts';
import type { SetSettingResult } from '../../notify/settings.ts';
import { testableTypes, testLimit, type SendTestResult, type TestNotices } from '../../notify/test-notices.ts';
import { notFoundPage } from '../../web/errors.ts';
import type { Flash } from '../../web/flash.ts';
import { emptyForm, parseForm, pickStrings, type FieldErrors } from '../../web/form.ts';
import { actorOf, requireViewer } from '../../web/guards.ts';
import { wantsBlock } from '../../web/render.ts';
import { addPlaceForm, confirmForm, defaultForm, placeValueForm, reportTimeForm, testForm } from './form.ts';
import { kindOfSlug, kindWithPage, parsePlace, placeKey, type PlaceRef, type SettingKind } from './kinds.ts';
import { createPageData, type PageSources } from './page-data.ts';
import { reportHours } from './report-time.ts';
import { formatHourOfDay } from '../../lib/datetime-format.ts';

export type NotificationRouteOptions = PageSources & { testNotices: Pick<TestNotices, 'send'> };

export const notificationsPath = '/settings/notifications';
const pathOf = (kind: SettingKind) => `${notificationsPath}/${kind.slug}`;

const templates = {
  overview: 'settings/notifications/page',
  typePage: 'settings/notifications/type-page',
  defaultBlock: 'settings/notifications/default-form',
  placesBlock: 'settings/notifications/places-form',
  turnOff: 'settings/notifications/turn-off',
  reset: 'settings/notifications/reset',
  reportTimeBlock: 'settings/notifications/report-time-form',
  testBlock: 'settings/notifications/test-form',
} as const;

/** The block of the weekly reports page that says when they arrive. */
const reportTimeBlock = 'report-time';

/** The name of the places block, for `activeBlock`: the one block of a type page that lists places. */
const placesBlock = 'places';
const defaultBlockOf = (kind: SettingKind) => `default:${kind.slug}`;

/** Why the service did not store a setting, as the message next to the field. */
const refusalKeys: Record<Extract<SetSettingResult, { ok: false }>['reason'], string> = {
  unknownType: 'errors.notifications.valueNotAllowed',
  valueNotAllowed: 'errors.notifications.valueNotAllowed',
  addressNotVerified: 'errors.notifications.addressNotVerified',
  placeNotFound: 'errors.notifications.placeNotFound',
  scopeNotAllowed: 'errors.notifications.placeNotFound',
};


/** Why no test message was sent, as the message in its block (the place's field for a place), and the status answered. */
const testRefusals: Record<Extract<SendTestResult, { ok: false }>['reason'], { field: 'place' | '_form'; key: string; status: number }> = {
  notTestable: { field: '_form', key: 'errors.notifications.valueNotAllowed', status: 404 },
  placeNotFound: { field: 'place', key: 'errors.notificationTests.placeNotFound', status: 422 },
  noVerifiedAddress: { field: '_form', key: 'errors.notificationTests.noVerifiedAddress', status: 422 },
  tooMany: { field: '_form', key: 'errors.notificationTests.tooMany', status: 429 },
};
const testLimitValues = { count: testLimit.count, minutes: Math.round(testLimit.windowMs / 60_000) };

/** A status the places block says after an auto-save: a translation key and its values. */
interface BlockStatus {
  key: string;
  values?: Record<string, string | number>;
}

export async function registerNotificationRoutes(app: FastifyInstance, options: NotificationRouteOptions): Promise<void> {
  const pageData = createPageData(options);

  /** After a reset: how many settings went, as a one-time message (the number travels in the flash cookie, never in the address). */
  const resetFlash = (count: number): Flash => ({ kind: 'success', messageKey: 'notifications.flash.reset', values: { count } });


  /** "Web in Acme", "Acme", or "a place you no longer belong to": how a status names a place. */
  const placeName = async (request: FastifyRequest, place: PlaceRef): Promise<string> => {
    for (const organization of await options.organizationsOf(actorOf(request).userId)) {
      if (place.scope === 'organization' && organization.organizationId === place.id) return organization.name;
      const project = organization.projects.find((candidate) => candidate.id === place.id);
      if (place.scope === 'project' && project) return request.t('notifications.places.projectIn', { project: project.name, organization: organization.name });
    }
    return request.t('notifications.places.unknown');
  };

  const renderOverview = async (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown>, kind: SettingKind | null, status = 200) => {
    const data = await pageData.overview(actorOf(request));
    const entry = kind ? data.kinds.find((candidate) => candidate.kind === kind) : undefined;
    return reply.pageOrBlock(
      { page: templates.overview, block: templates.defaultBlock },
      { ...data, entry, from: 'overview', errors: {}, values: {}, testableTypes, ...extra },
      status,
    );
  };

  /** The overview, or one of its blocks alone for htmx. */
  const renderOverviewWith = async (request: FastifyRequest, reply: FastifyReply, block: string, extra: Record<string, unknown>, status: number) => {
    const data = await pageData.overview(actorOf(request));
    return reply.pageOrBlock({ page: templates.overview, block }, { ...data, from: 'overview', errors: {}, values: {}, testableTypes, ...extra }, status);
  };

  const renderTypePage = async (request: FastifyRequest, reply: FastifyReply, kind: SettingKind, block: string, extra: Record<string, unknown>, status = 200) => {
    const data = await pageData.typePage(actorOf(request), kind);
    // The weekly reports' hours, as the person reads clock times.
    const preferences = request.viewer?.preferences;
    const hourLabels = data.reportTime && preferences ? reportHours.map((hour) => formatHourOfDay(hour, preferences)) : [];
    return reply.pageOrBlock({ page: templates.typePage, block }, { ...data, hourLabels, entry: { kind, value: data.value }, from: 'type', errors: {}, values: {}, testableTypes, ...extra }, status);
  };

  /** Stores the person's own default; for routing, "" is "my primary address", which is no row at all. */
  const saveDefault = async (actor: Actor, kind: SettingKind, value: string): Promise<SetSettingResult> => {
    const key = { type: kind.type, scope: 'user' as const, scopeId: null };
    if (kind.values === null && value === '') {
      await options.settings.remove(actor, key);
      return { ok: true };
    }
    return options.settings.set(actor, key, value);
  };

  /** Answers an auto-saved places block: the block with its status, the page with the error, or back to the page with a flash. */
  const answerPlaces = async (
    request: FastifyRequest,
    reply: FastifyReply,
    kind: SettingKind,
    outcome: { errors?: FieldErrors; values?: Record<string, string>; status?: BlockStatus; flashKey: string },
  ) => {
    const errors = outcome.errors ?? {};
    const failed = Object.keys(errors).length > 0;
    if (!failed && !wantsBlock(request)) return reply.redirectWithFlash(pathOf(kind), { kind: 'success', messageKey: outcome.flashKey });
    const extra = { errors, values: outcome.values ?? {}, activeBlock: placesBlock, placesStatus: failed ? null : (outcome.status ?? { key: 'status.saved' }) };
    return renderTypePage(request, reply, kind, templates.placesBlock, extra, failed ? 422 : 200);
  };

  const badForm = (reply: FastifyReply) => reply.page('errors/error', { titleKey: 'errors.badRequest.title', messageKey: 'errors.form.unreadable' }, 400);

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', requireViewer);

    scoped.get(notificationsPath, async (request, reply) => renderOverview(request, reply, {}, null));

    scoped.get(`${notificationsPath}/:slug`, async (request, reply) => {
      const kind = kindWithPage((request.params as { slug?: unknown }).slug);
      if (!kind) return notFoundPage(reply);
      return renderTypePage(request, reply, kind, templates.placesBlock, {});
    });

    scoped.post(`${notificationsPath}/:slug/default`, async (request, reply) => {
      const kind = kindOfSlug((request.params as { slug?: unknown }).slug);
      if (!kind) return notFoundPage(reply);
      const parsed = parseForm(defaultForm, request.body);
      const posted = pickStrings(request.body, ['from']).from;
      const from = kindWithPage(kind.slug) && (parsed.ok ? parsed.data.from : posted) === 'type' ? 'type' : 'overview';
      let errors: FieldErrors = parsed.ok ? {} : parsed.errors;
      if (parsed.ok) {
        const saved = await saveDefault(actorOf(request), kind, parsed.data.value);
        if (!saved.ok) errors = { value: { key: refusalKeys[saved.reason] } };
      }
      const failed = Object.keys(errors).length > 0;
      if (!failed && !wantsBlock(request)) return reply.redirectWithFlash(from === 'type' ? pathOf(kind) : notificationsPath, { kind: 'success', messageKey: 'flash.saved' });
      const extra = { errors, saved: !failed, activeBlock: defaultBlockOf(kind) };
      const status = failed ? 422 : 200;
      if (from === 'type') return renderTypePage(request, reply, kind, templates.defaultBlock, extra, status);
      return renderOverview(request, reply, extra, kind, status);
    });

    scoped.post(`${notificationsPath}/weekly-reports/time`, async (request, reply) => {
      const kind = kindWithPage('weekly-reports');
      const reportTimes = options.reportTimes;
      if (!kind || !reportTimes) return notFoundPage(reply);
      const parsed = parseForm(reportTimeForm, request.body);
      let errors: FieldErrors = parsed.ok ? {} : parsed.errors;
      if (parsed.ok) {
        const saved = await reportTimes.save(actorOf(request), parsed.data);
        if (!saved.ok) errors = saved.reason === 'badWeekday' ? { weekday: { key: 'errors.notifications.badWeekday' } } : { hour: { key: 'errors.notifications.badHour' } };
      }
      const failed = Object.keys(errors).length > 0;
      if (!failed && !wantsBlock(request)) return reply.redirectWithFlash(pathOf(kind), { kind: 'success', messageKey: 'flash.saved' });
      const extra = { errors, values: pickStrings(request.body, ['weekday', 'hour']), saved: !failed, activeBlock: reportTimeBlock };
      return renderTypePage(request, reply, kind, templates.reportTimeBlock, extra, failed ? 422 : 200);
    });

    scoped.post(`${notificationsPath}/:slug/test`, async (request, reply) => {
      const kind = kindOfSlug((request.params as { slug?: unknown }).slug);
      if (!kind || !(testableTypes as readonly string[]).includes(kind.type)) return notFoundPage(reply);
      const parsed = parseForm(testForm, request.body);
      const from = kindWithPage(kind.slug) && (parsed.ok ? parsed.data.from : pickStrings(request.body, ['from']).from) === 'type' ? 'type' : 'overview';
      const values = pickStrings(request.body, ['place']);
      const answer = (extra: Record<string, unknown>, status: number) => {
        const data = { ...extra, testKind: kind, activeBlock: `test:${kind.slug}` };
        if (from === 'type') return renderTypePage(request, reply, kind, templates.testBlock, data, status);
        return renderOverviewWith(request, reply, templates.testBlock, data, status);
      };
      if (!parsed.ok) return answer({ errors: parsed.errors, values }, 422);
      const place = parsed.data.place ? parsePlace(parsed.data.place) : null;
      // The overview's block has no place field: a place refused there is said as the block's own error.
      const placeField = from === 'type' ? 'place' : '_form';
      if (parsed.data.place && (!place || !kind.placeScopes.includes(place.scope))) return answer({ errors: { [placeField]: { key: 'errors.notificationTests.placeNotFound' } }, values }, 422);
      const sent = await options.testNotices.send(actorOf(request), kind.type, place);
      if (sent.ok) {
        if (!wantsBlock(request)) return reply.redirectWithFlash(from === 'type' ? pathOf(kind) : notificationsPath, { kind: 'success', messageKey: 'notificationTests.sent', values: { address: sent.address } });
        return answer({ testStatus: { key: 'notificationTests.sent', values: { address: sent.address } } }, 200);
      }
      const refusal = testRefusals[sent.reason];
      if (sent.reason === 'notTestable') return notFoundPage(reply);
      const error = { key: refusal.key, values: testLimitValues };
      if (sent.reason === 'tooMany') {
        reply.header('retry-after', String(sent.retryAfterSeconds));
        // htmx swaps no 429: the block's status says it from this plain text (public/app.js).
        if (wantsBlock(request)) return reply.code(429).type('text/plain; charset=utf-8').send(request.t(refusal.key, testLimitValues));
      }
      return answer({ errors: { [refusal.field === 'place' ? placeField : refusal.field]: error }, values }, refusal.status);
    });

    scoped.post(`${notificationsPath}/:slug/places`, async (request, reply) => {
      const kind = kindWithPage((request.params as { slug?: unknown }).slug);
      if (!kind) return notFoundPage(reply);
      const values = pickStrings(request.body, ['place', 'value']);
      const parsed = parseForm(addPlaceForm, request.body);
      if (!parsed.ok) return answerPlaces(request, reply, kind, { errors: parsed.errors, values, flashKey: 'flash.saved' });
      const place = parsePlace(parsed.data.place);
      if (!place || !kind.placeScopes.includes(place.scope)) return answerPlaces(request, reply, kind, { errors: { place: { key: 'errors.notifications.placeNotFound' } }, values, flashKey: 'flash.saved' });
      const saved = await options.settings.set(actorOf(request), { type: kind.type, scope: place.scope, scopeId: place.id }, parsed.data.value);
      if (!saved.ok) {
        const field = saved.reason === 'placeNotFound' || saved.reason === 'scopeNotAllowed' ? 'place' : 'value';
        return answerPlaces(request, reply, kind, { errors: { [field]: { key: refusalKeys[saved.reason] } }, values, flashKey: 'flash.saved' });
      }
      return answerPlaces(request, reply, kind, { status: { key: 'notifications.status.added', values: { place: await placeName(request, place) } }, flashKey: 'notifications.flash.added' });
    });

    /** The place named in the address, when the person has a setting of their own there; else null (a 404). */
    const ownPlace = async (request: FastifyRequest, kind: SettingKind): Promise<PlaceRef | null> => {
      const place = parsePlace((request.params as { place?: unknown }).place);
      if (!place) return null;
      const rows = await options.settings.rows(actorOf(request));
      return rows.some((row) => row.type === kind.type && row.scope === place.scope && row.scopeId === place.id) ? place : null;
    };

    scoped.post(`${notificationsPath}/:slug/places/:place`, async (request, reply) => {
      const kind = kindWithPage((request.params as { slug?: unknown }).slug);
      const place = kind ? await ownPlace(request, kind) : null;
      if (!kind || !place) return notFoundPage(reply);
      const field = `value-${placeKey(place)}`;
      const parsed = parseForm(placeValueForm, request.body);
      if (!parsed.ok) return answerPlaces(request, reply, kind, { errors: { [field]: parsed.errors.value ?? { key: 'errors.form.unreadable' } }, flashKey: 'flash.saved' });
      const saved = await options.settings.set(actorOf(request), { type: kind.type, scope: place.scope, scopeId: place.id }, parsed.data.value);
      if (!saved.ok) return answerPlaces(request, reply, kind, { errors: { [field]: { key: refusalKeys[saved.reason] } }, flashKey: 'flash.saved' });
      return answerPlaces(request, reply, kind, { status: { key: 'notifications.status.changed', values: { place: await placeName(request, place) } }, flashKey: 'flash.saved' });
    });

    scoped.post(`${notificationsPath}/:slug/places/:place/remove`, async (request, reply) => {
      const kind = kindWithPage((request.params as { slug?: unknown }).slug);
      const place = kind ? parsePlace((request.params as { place?: unknown }).place) : null;
      if (!kind || !place || !parseForm(emptyForm, request.body).ok) return notFoundPage(reply);
      const removed = await options.settings.remove(actorOf(request), { type: kind.type, scope: place.scope, scopeId: place.id });
      if (!removed) return notFoundPage(reply);
      return answerPlaces(request, reply, kind, { status: { key: 'notifications.status.removed', values: { place: await placeName(request, place) } }, flashKey: 'notifications.flash.removed' });
    });

    scoped.post(`${notificationsPath}/:slug/turn-off`, async (request, reply) => {
      const kind = kindWithPage((request.params as { slug?: unknown }).slug);
      if (!kind || !kind.canTurnOff || kind.type === 'emailRouting') return notFoundPage(reply);
      const parsed = parseForm(confirmForm, request.body);
      if (!parsed.ok) return badForm(reply);
      const outcome = await options.settings.turnOffEverywhere(actorOf(request), kind.type, parsed.data.confirm === 'yes');
      if (outcome.ok) return reply.redirectWithFlash(pathOf(kind), { kind: 'success', messageKey: 'notifications.flash.turnedOff' });
      if (outcome.reason !== 'wouldOverwrite') return notFoundPage(reply);
      return reply.page(templates.turnOff, { kind, overrides: outcome.overrides, action: `${pathOf(kind)}/turn-off`, cancel: pathOf(kind) });
    });

    scoped.post(`${notificationsPath}/:slug/reset`, async (request, reply) => {
      const kind = kindWithPage((request.params as { slug?: unknown }).slug);
      if (!kind) return notFoundPage(reply);
      const parsed = parseForm(confirmForm, request.body);
      if (!parsed.ok) return badForm(reply);
      const actor = actorOf(request);
      if (parsed.data.confirm === 'yes') return reply.redirectWithFlash(pathOf(kind), resetFlash(await options.settings.reset(actor, kind.type)));
      const settings = (await options.settings.rows(actor)).filter((row) => row.type === kind.type).length;
      return reply.page(templates.reset, { kind, settings, action: `${pathOf(kind)}/reset`, cancel: pathOf(kind) });
    });

    scoped.post(`${notificationsPath}/reset`, async (request, reply) => {
      const parsed = parseForm(confirmForm, request.body);
      if (!parsed.ok) return badForm(reply);
      const actor = actorOf(request);
      if (parsed.data.confirm === 'yes') return reply.redirectWithFlash(notificationsPath, resetFlash(await options.settings.reset(actor, null)));
      const settings = (await options.settings.rows(actor)).length;
      return reply.page(templates.reset, { kind: null, settings, action: `${notificationsPath}/reset`, cancel: notificationsPath });
    });
  });
}
