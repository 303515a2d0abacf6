import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { describeTimeZone } from '../../lib/timezones.ts';
import { isLanguage, languages, type Language } from '../../lib/languages.ts';
import type { UserDirectory } from '../../auth/users.ts';
import { CsrfError } from '../../web/csrf.ts';
import { parseForm, type FieldErrors } from '../../web/form.ts';
import { requireViewer, viewerOf } from '../../web/guards.ts';
import { translatorFor } from '../../web/i18n.ts';
import { initialsOf } from '../../web/avatar.ts';
import { triggerClientEvents } from '../../web/htmx-events.ts';
import { wantsBlock } from '../../web/render.ts';
import { AvatarImageError, maximumAvatarBytes, normaliseAvatar } from './avatar-image.ts';
import { avatarForm, detailsForm, preferencesForm } from './form.ts';
import type { AccountService, StoredPreferences } from './service.ts';
import { registerTimeZoneRoutes } from './time-zone-routes.ts';

export interface AccountRouteOptions {
  account: AccountService;
  users: UserDirectory;
  /** The primary address while it waits for confirmation, for the notice at the top of the page. */
  unconfirmedPrimary: (userId: number) => { id: number; address: string } | null;
}

const pagePath = '/settings/account';
const pageTemplate = 'settings/account/page';
const blocks = {
  details: 'settings/account/details-form',
  preferences: 'settings/account/preferences-form',
  avatar: 'settings/account/avatar-form',
} as const;

// The picker's "n matches" announcement, as a template the browser fills in; made once per language.
const timeZoneMatchesText = new Map(languages.map((language) => [language, translatorFor(language)('account.timeZone.matches', { number: '{n}' })]));

export async function registerAccountRoutes(app: FastifyInstance, options: AccountRouteOptions): Promise<void> {
  const pageData = (request: FastifyRequest, extra: Record<string, unknown> = {}) => {
    const viewer = viewerOf(request);
    // The session layer loaded these already, through the same service.
    const stored = 'stackTraceOrder' in viewer.preferences ? (viewer.preferences as StoredPreferences) : options.account.preferences(viewer.user.id);
    return {
      stored,
      timeZone: describeTimeZone(stored.timeZone, request.language),
      timeZoneMatchesText: timeZoneMatchesText.get(request.language),
      languages,
      // Looked up only when the page (not an auto-saved block) renders the notice.
      unconfirmedPrimary: () => options.unconfirmedPrimary(viewer.user.id),
      errors: {},
      values: {},
      ...extra,
    };
  };

  /**
   * Answers a saved or refused form block: the block alone for htmx, otherwise the page
   * (with the errors next to their fields) or a redirect back with a flash.
   */
  const answer = (request: FastifyRequest, reply: FastifyReply, block: string, outcome: { errors?: FieldErrors; values?: Record<string, unknown> }) => {
    const errors = outcome.errors ?? {};
    const failed = Object.keys(errors).length > 0;
    const status = failed ? 422 : 200;
    const data = pageData(request, { errors, values: outcome.values ?? {}, saved: !failed, activeBlock: block });
    if (failed || wantsBlock(request)) return reply.pageOrBlock({ page: pageTemplate, block }, data, status);
    return reply.redirectWithFlash(pagePath, { kind: 'success', messageKey: 'flash.saved' });
  };

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', requireViewer);

    scoped.get(pagePath, async (request, reply) => {
      // Back from a change of language: say it was saved, and put the person back on the language control.
      const languageSaved = (request.query as Record<string, unknown>).saved === 'language';
      const extra = languageSaved ? { flash: { kind: 'success', messageKey: 'flash.saved' }, focusLanguage: true } : {};
      return reply.page(pageTemplate, pageData(request, extra));
    });
    registerTimeZoneRoutes(scoped, { ...options, pagePath });

    scoped.post(`${pagePath}/details`, async (request, reply) => {
      const parsed = parseForm(detailsForm, request.body);
      if (!parsed.ok) return answer(request, reply, blocks.details, { errors: parsed.errors, values: request.body as Record<string, unknown> });
      const viewer = viewerOf(request);
      options.users.rename(viewer.user.id, parsed.data.name);
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
      if (!parsed.ok) return answer(request, reply, blocks.preferences, { errors: parsed.errors, values: request.body as Record<string, unknown> });
      const viewer = viewerOf(request);
      const before = viewer.preferences;
      const { shownLanguage, ...input } = parsed.data as typeof parsed.data & { shownLanguage?: Language };
      options.account.savePreferences(viewer.user.id, input);
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
      return reply.block(blocks.preferences, pageData(request, { saved: true, activeBlock: blocks.preferences, languageSwitch }));
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
        return reply.page(pageTemplate, pageData(request, { errors, activeBlock: blocks.avatar }), status);
      });

      uploads.post(`${pagePath}/avatar`, async (request, reply) => {
        handled.add(request);
        const viewer = viewerOf(request);
        const body = { ...(request.body as Record<string, unknown>) };
        const file = body.avatarFile;
        delete body.avatarFile;
        const parsed = parseForm(avatarForm, body);
        if (!parsed.ok) return answer(request, reply, blocks.avatar, { errors: parsed.errors });
        let image: Buffer | undefined;
        if (Buffer.isBuffer(file) && file.length > 0) {
          try {
            image = await normaliseAvatar(file);
          } catch (error) {
            if (!(error instanceof AvatarImageError)) throw error;
            return answer(request, reply, blocks.avatar, { errors: { avatarFile: { key: `errors.avatar.${error.reason}` } } });
          }
        } else if (file !== undefined && !Buffer.isBuffer(file)) {
          return answer(request, reply, blocks.avatar, { errors: { avatarFile: { key: 'errors.avatar.notAnImage' } } });
        }
        if (parsed.data.avatarType === 'upload' && !image && !options.account.hasUploadedImage(viewer.user.id)) {
          return answer(request, reply, blocks.avatar, { errors: { avatarFile: { key: 'errors.avatar.missing' } } });
        }
        options.account.saveAvatar(viewer.user.id, parsed.data.avatarType, image);
        viewer.preferences = options.account.preferences(viewer.user.id);
        return answer(request, reply, blocks.avatar, {});
      });
    });

    scoped.get('/avatars/:file', async (request, reply) => {
      const match = /^(\d{1,12})\.webp$/.exec((request.params as { file: string }).file);
      const avatar = match ? options.account.avatarImage(Number(match[1])) : null;
      if (!avatar) return reply.callNotFound();
      return reply.header('content-type', 'image/webp').header('cache-control', 'private, max-age=31536000, immutable').send(avatar.image);
    });
  });
}
