import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { describeTimeZone } from '../../lib/timezones.ts';
import { isLanguage, languages, type Language } from '../../lib/languages.ts';
import { CsrfError } from '../../web/csrf.ts';
import { parseForm, type FieldErrors } from '../../web/form.ts';
import { actorOf, requireViewer, viewerOf } from '../../web/guards.ts';
import { translatorFor } from '../../web/i18n.ts';
import { initialsOf } from '../../web/avatar.ts';
import { triggerClientEvents } from '../../web/htmx-events.ts';
import { wantsBlock } from '../../web/render.ts';
import { maximumAvatarBytes } from './avatar-image.ts';
import { avatarForm, detailsForm, preferencesForm } from './form.ts';
import type { AccountService, StoredPreferences } from './service.ts';
import { partsToSwap, shownStateOf } from './shown-state.ts';
import { registerTimeZoneRoutes } from './time-zone-routes.ts';

export interface AccountRouteOptions {
  account: AccountService;
  /** The primary address while it waits for confirmation, for the notice at the top of the page. */
  unconfirmedPrimary: (userId: number) => Promise<{ id: number; address: string } | null>;
}

const pagePath = '/settings/account';
const pageTemplate = 'settings/account/page';
const blocks = {
  details: 'settings/account/details-form',
  preferences: 'settings/account/preferences-form',
  /** Not a block: the parts of one that a save with scripts swaps into a preferences block shown without errors. */
  preferencesSavedParts: 'settings/account/preferences-saved',
  avatar: 'settings/account/avatar-form',
} as const;

/** Errors of the preferences block's hidden fields (only a hand-made request gets them wrong), said for the whole form. */
function shownNextToTheForm(errors: FieldErrors): FieldErrors {
  const { shownLanguage, shownState, blockState, ...shown } = errors;
  const hidden = shownLanguage ?? shownState ?? blockState;
  return hidden && !shown._form ? { ...shown, _form: hidden } : shown;
}

/** The preferences' status line after a save with scripts, swapped in by its id. */
const savedStatus = { id: 'account-preferences-status', oob: true, failed: false } as const;

// The picker's "n matches" announcement, as a template the browser fills in; made once per language.
const timeZoneMatchesText = new Map(languages.map((language) => [language, translatorFor(language)('account.timeZone.matches', { number: '{n}' })]));

export async function registerAccountRoutes(app: FastifyInstance, options: AccountRouteOptions): Promise<void> {
  /** What the page's template is given; `forPage` false for a block alone, which shows no notice. */
  const pageData = async (request: FastifyRequest, extra: Record<string, unknown> = {}, forPage = true) => {
    const viewer = viewerOf(request);
    // The session layer loaded these already, through the same service.
    const stored = 'stackTraceOrder' in viewer.preferences ? (viewer.preferences as StoredPreferences) : await options.account.preferences(viewer.user.id);
    // Looked up only for the page (not an auto-saved block), which shows the notice.
    const unconfirmedPrimary = forPage ? await options.unconfirmedPrimary(viewer.user.id) : null;
    return {
      stored,
      timeZone: describeTimeZone(stored.timeZone, request.language),
      timeZoneMatchesText: timeZoneMatchesText.get(request.language),
      // The preferences' status line, which a save with scripts swaps in by this id.
      preferencesStatusId: savedStatus.id,
      // Worked out only where a template shows it (not for a save that swaps in the status alone).
      shownState: () => shownStateOf(stored),
      languages,
      unconfirmedPrimary: () => unconfirmedPrimary,
      errors: {},
      values: {},
      ...extra,
    };
  };

  /**
   * Answers a saved or refused form block: the block alone for htmx, otherwise the page
   * (with the errors next to their fields) or a redirect back with a flash.
   */
  const answer = async (request: FastifyRequest, reply: FastifyReply, block: string, outcome: { errors?: FieldErrors; values?: Record<string, unknown> }) => {
    const errors = outcome.errors ?? {};
    const failed = Object.keys(errors).length > 0;
    const status = failed ? 422 : 200;
    const alone = wantsBlock(request);
    if (!alone && !failed) return reply.redirectWithFlash(pagePath, { kind: 'success', messageKey: 'flash.saved' });
    const data = await pageData(request, { errors, values: outcome.values ?? {}, saved: !failed, activeBlock: block }, !alone);
    return reply.pageOrBlock({ page: pageTemplate, block }, data, status);
  };

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', requireViewer);

    // Shows only the session's person, their settings and the clock: given again as last sent until anything is written.
    scoped.get(pagePath, { config: { heldPage: true } }, async (request, reply) => {
      // Back from a change of language: say it was saved, and put the person back on the language control.
      const languageSaved = (request.query as Record<string, unknown>).saved === 'language';
      if (languageSaved) return reply.page(pageTemplate, await pageData(request, { flash: { kind: 'success', messageKey: 'flash.saved' }, focusLanguage: true }));
      return reply.heldPage(pageTemplate, () => pageData(request));
    });
    registerTimeZoneRoutes(scoped, { ...options, pagePath });

    scoped.post(`${pagePath}/details`, async (request, reply) => {
      const parsed = parseForm(detailsForm, request.body);
      if (!parsed.ok) return answer(request, reply, blocks.details, { errors: parsed.errors, values: request.body as Record<string, unknown> });
      const viewer = viewerOf(request);
      await options.account.saveDetails(actorOf(request), { name: parsed.data.name });
      viewer.user.name = parsed.data.name;
      // The name also shows in the top bar, outside the block that htmx swaps.
      if (wantsBlock(request)) triggerClientEvents(reply, { 'dials:profile': { name: viewer.user.name, initials: initialsOf(viewer.user.name) } });
      return answer(request, reply, blocks.details, {});
    });

    scoped.post(`${pagePath}/preferences`, async (request, reply) => {
      const shown = (request.body as Record<string, unknown> | undefined)?.shownLanguage;
      if (wantsBlock(request) && isLanguage(shown)) {
        request.language = shown;
        request.t = translatorFor(shown);
      }
      const parsed = parseForm(preferencesForm, request.body);
      if (!parsed.ok) return answer(request, reply, blocks.preferences, { errors: shownNextToTheForm(parsed.errors), values: request.body as Record<string, unknown> });
      const viewer = viewerOf(request);
      const before = viewer.preferences;
      const { shownLanguage, shownState, blockState: _earlierMark, ...input } = parsed.data as typeof parsed.data & { shownLanguage?: Language };
      await options.account.savePreferences(actorOf(request), { ...input, language: input.language as Language });
      const after: StoredPreferences = {
        ...before,
        stackTraceOrder: input.stackTraceOrder,
        language: input.language as Language,
        timeZone: input.timezone,
        clock24h: input.clock24h,
        dateFormat: input.dateFormat,
        theme: input.theme,
      };
      viewer.preferences = after;
      if (!wantsBlock(request)) {
        // The page comes back in the new language; the language control gets the focus again.
        if (after.language !== before.language) return reply.redirect(`${pagePath}?saved=language`, 303);
        return answer(request, reply, blocks.preferences, {});
      }
      if (after.theme !== before.theme) triggerClientEvents(reply, { 'dials:theme': after.theme });
      // The block answers in the page's language; a new one is offered as a link, never switched to under the person's keys.
      const pageLanguage = shownLanguage ?? before.language;
      request.language = pageLanguage;
      request.t = translatorFor(pageLanguage);
      const languageSwitch = after.language === pageLanguage ? null : { language: after.language, text: translatorFor(after.language)('account.language.switchNow') };
      // The controls show what was chosen: a block shown without errors stays, and the parts that
      // differ from what it shows are swapped in by id (none when the choice changed only the theme).
      const parts = shownState === undefined ? null : partsToSwap(shownState, after);
      // Every part already shows the choice (the theme changed, or nothing did): the status line alone.
      if (parts?.length === 0) return reply.header('hx-reswap', 'none').partOf('partials/save-status', { ...savedStatus, text: request.t('status.saved') });
      const data = await pageData(request, { saved: true, activeBlock: blocks.preferences, languageSwitch, oob: parts !== null, parts }, false);
      if (parts !== null) return reply.header('hx-reswap', 'none').block(blocks.preferencesSavedParts, data);
      return reply.block(blocks.preferences, data);
    });

    await scoped.register(async (uploads) => {
      await uploads.register(multipart, {
        attachFieldsToBody: 'keyValues',
        limits: { fileSize: maximumAvatarBytes, files: 1, fields: 4, parts: 5, fieldSize: 1024 },
      });
      // Errors raised before the handler runs come from reading the upload itself: a 4xx with the reason next to the field.
      const handled = new WeakSet<FastifyRequest>();
      uploads.setErrorHandler(async (error: { code?: string; statusCode?: number }, request, reply) => {
        if (handled.has(request) || error instanceof CsrfError) throw error;
        const tooLarge = error.code === 'FST_REQ_FILE_TOO_LARGE' || error.statusCode === 413;
        const status = tooLarge ? 413 : 400;
        if (!request.viewer) {
          const messageKey = tooLarge ? 'errors.tooLarge.message' : 'errors.badRequest.message';
          return reply.page('errors/error', { titleKey: 'errors.badRequest.title', messageKey }, status);
        }
        const errors: FieldErrors = { avatarFile: { key: tooLarge ? 'errors.avatar.tooLarge' : 'errors.avatar.unreadable' } };
        return reply.page(pageTemplate, await pageData(request, { errors, activeBlock: blocks.avatar }), status);
      });

      uploads.post(`${pagePath}/avatar`, async (request, reply) => {
        handled.add(request);
        const viewer = viewerOf(request);
        const body = { ...(request.body as Record<string, unknown>) };
        const file = body.avatarFile;
        delete body.avatarFile;
        const parsed = parseForm(avatarForm, body);
        if (!parsed.ok) return answer(request, reply, blocks.avatar, { errors: parsed.errors });
        if (file !== undefined && !Buffer.isBuffer(file)) {
          return answer(request, reply, blocks.avatar, { errors: { avatarFile: { key: 'errors.avatar.notAnImage' } } });
        }
        const saved = await options.account.saveAvatar(actorOf(request), { avatarType: parsed.data.avatarType, upload: file });
        if (!saved.ok) return answer(request, reply, blocks.avatar, { errors: { avatarFile: { key: `errors.avatar.${saved.reason}` } } });
        viewer.preferences = saved.preferences;
        return answer(request, reply, blocks.avatar, {});
      });
    });

    scoped.get('/avatars/:file', async (request, reply) => {
      const match = /^(\d{1,12})\.webp$/.exec((request.params as { file: string }).file);
      const avatar = match ? await options.account.avatarImage(Number(match[1])) : null;
      if (!avatar) return reply.callNotFound();
      return reply.header('content-type', 'image/webp').header('cache-control', 'private, max-age=31536000, immutable').send(avatar.image);
    });
  });
}
