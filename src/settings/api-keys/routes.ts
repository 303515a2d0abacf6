import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { notFoundPage } from '../../web/errors.ts';
import type { FlashKind } from '../../web/flash.ts';
import { emptyForm, formLevel, parseForm, pickStrings, type FieldErrors } from '../../web/form.ts';
import { actorOf, requireViewer, viewerOf } from '../../web/guards.ts';
import { clientDetails } from '../../web/session.ts';
import type { ShownOnce } from '../../web/shown-once.ts';
import { chosenScopes, createKeyForm, expiryFrom, keyIdParam, renameForm, scopeFieldName, scopesForm } from './form.ts';
import { keyPrefix } from './key-format.ts';
import { scopeResources, type Scope } from './scopes.ts';
import type { ApiKeySummary, ApiKeysService } from './service.ts';

export interface ApiKeyRouteOptions {
  apiKeys: ApiKeysService;
  requireSudo: preHandlerAsyncHookHandler;
  /** Carries a new key from the POST that made it to the one page that shows it. */
  shownOnce: ShownOnce;
  now: () => number;
}

export const apiKeysPath = '/settings/api-keys';
/** The page that shows a new key, once. */
export const newKeyPath = `${apiKeysPath}/new`;

const newKeyShown = z.object({ secret: z.string(), name: z.string() });
const textFields = ['name', 'expiry', 'expiryDate', ...scopeResources.map(scopeFieldName)];

/** What a select shows for a key's scopes: per resource none, read or write. */
function accessByResource(scopes: readonly Scope[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const resource of scopeResources) {
    values[scopeFieldName(resource)] = scopes.includes(`${resource}:write` as Scope) ? 'write' : scopes.includes(`${resource}:read` as Scope) ? 'read' : 'none';
  }
  return values;
}

export async function registerApiKeyRoutes(app: FastifyInstance, options: ApiKeyRouteOptions): Promise<void> {
  const done = (reply: FastifyReply, kind: FlashKind, messageKey: string, path = apiKeysPath) => reply.redirectWithFlash(path, { kind, messageKey });
  const keyIdOf = (request: FastifyRequest): string | null => {
    const parsed = keyIdParam.safeParse(request.params);
    return parsed.success ? parsed.data.id : null;
  };

  const renderList = async (request: FastifyRequest, reply: FastifyReply, extra: { errors?: FieldErrors; values?: Record<string, string> } = {}, status = 200) => {
    const keys = await options.apiKeys.list(actorOf(request));
    return reply.page(
      'settings/api-keys/page',
      { keys, keyPrefix, scopeResources, errors: extra.errors ?? {}, values: extra.values ?? { expiry: '30', ...accessByResource([]) } },
      status,
    );
  };

  const renderKey = async (request: FastifyRequest, reply: FastifyReply, key: ApiKeySummary, extra: { errors?: FieldErrors; values?: Record<string, string> } = {}, status = 200) => {
    const uses = await options.apiKeys.uses(actorOf(request), key.id);
    return reply.page(
      'settings/api-keys/key',
      { key, uses, keyPrefix, scopeResources, errors: extra.errors ?? {}, values: { name: key.name, ...accessByResource(key.scopes), ...extra.values } },
      status,
    );
  };

  /** The create form's values, checked before "Confirm access" asks for the password, and again after. */
  const readCreateForm = (request: FastifyRequest) => {
    const { _resume: _kept, ...fields } = (request.body ?? {}) as Record<string, unknown>;
    const values = pickStrings(fields, textFields);
    const parsed = parseForm(createKeyForm, fields);
    if (!parsed.ok) return { ok: false as const, errors: parsed.errors, values };
    const scopes = chosenScopes(parsed.data);
    if (!scopes.ok) return { ok: false as const, errors: { [scopes.field]: { key: 'errors.apiKey.unknownScope' } }, values };
    if (scopes.scopes.length === 0) return { ok: false as const, errors: { scopes: { key: 'errors.apiKey.noScopes' } }, values };
    const expiry = expiryFrom(parsed.data.expiry, parsed.data.expiryDate, options.now());
    if (!expiry.ok) return { ok: false as const, errors: { expiryDate: { key: 'errors.apiKey.expiryDate' } }, values };
    return { ok: true as const, input: { name: parsed.data.name, scopes: scopes.scopes, expiresAt: expiry.expiresAt }, values };
  };

  await app.register(async (scoped) => {
    scoped.addHook('preHandler', requireViewer);

    scoped.get(apiKeysPath, async (request, reply) => renderList(request, reply));

    const refuseBadForm = async (request: FastifyRequest, reply: FastifyReply) => {
      const read = readCreateForm(request);
      if (!read.ok) return renderList(request, reply, { errors: read.errors, values: read.values }, 422);
      return undefined;
    };

    scoped.post(apiKeysPath, { preHandler: [refuseBadForm, options.requireSudo] }, async (request, reply) => {
      const read = readCreateForm(request);
      if (!read.ok) return renderList(request, reply, { errors: read.errors, values: read.values }, 422);
      const made = await options.apiKeys.create(actorOf(request), read.input, clientDetails(request));
      if (!made.ok) {
        const key = made.reason === 'tooMany' ? 'errors.apiKey.tooMany' : made.reason === 'expiryInPast' ? 'errors.apiKey.expiryDate' : 'errors.apiKey.notMade';
        return renderList(request, reply, { errors: { [formLevel]: { key } }, values: read.values }, 422);
      }
      options.shownOnce.put(reply, viewerOf(request).session.id, { secret: made.secret, name: made.key.name });
      return reply.redirect(newKeyPath, 303);
    });

    scoped.get(newKeyPath, async (request, reply) => {
      const shown = newKeyShown.safeParse(options.shownOnce.take(request, reply, viewerOf(request).session.id));
      reply.header('cache-control', 'no-store');
      return reply.page('settings/api-keys/new', { shown: shown.success ? shown.data : null });
    });

    scoped.get(`${apiKeysPath}/:id`, async (request, reply) => {
      const id = keyIdOf(request);
      const key = id === null ? undefined : await options.apiKeys.find(actorOf(request), id);
      if (!key) return notFoundPage(reply);
      return renderKey(request, reply, key);
    });

    scoped.post(`${apiKeysPath}/:id/name`, async (request, reply) => {
      const id = keyIdOf(request);
      const key = id === null ? undefined : await options.apiKeys.find(actorOf(request), id);
      if (!key) return notFoundPage(reply);
      const parsed = parseForm(renameForm, request.body);
      if (!parsed.ok) return renderKey(request, reply, key, { errors: parsed.errors, values: pickStrings(request.body, ['name']) }, 422);
      const renamed = await options.apiKeys.rename(actorOf(request), key.id, parsed.data.name);
      if (!renamed.ok) return notFoundPage(reply);
      return done(reply, 'success', 'flash.apiKeyRenamed', `${apiKeysPath}/${key.id}`);
    });

    // New scopes can widen a key: like making one, it needs confirmed access.
    scoped.post(`${apiKeysPath}/:id/scopes`, { preHandler: options.requireSudo }, async (request, reply) => {
      const id = keyIdOf(request);
      const key = id === null ? undefined : await options.apiKeys.find(actorOf(request), id);
      if (!key) return notFoundPage(reply);
      const values = pickStrings(request.body, scopeResources.map(scopeFieldName));
      const parsed = parseForm(scopesForm, request.body);
      if (!parsed.ok) return renderKey(request, reply, key, { errors: parsed.errors, values }, 422);
      const scopes = chosenScopes(parsed.data);
      if (!scopes.ok) return renderKey(request, reply, key, { errors: { [scopes.field]: { key: 'errors.apiKey.unknownScope' } }, values }, 422);
      const changed = await options.apiKeys.setScopes(actorOf(request), key.id, scopes.scopes, clientDetails(request));
      if (changed.ok) return done(reply, 'success', 'flash.apiKeyScopesChanged', `${apiKeysPath}/${key.id}`);
      if (changed.reason === 'noScopes') return renderKey(request, reply, key, { errors: { scopes: { key: 'errors.apiKey.noScopes' } }, values }, 422);
      return notFoundPage(reply);
    });

    scoped.get(`${apiKeysPath}/:id/revoke`, async (request, reply) => {
      const id = keyIdOf(request);
      const key = id === null ? undefined : await options.apiKeys.find(actorOf(request), id);
      if (!key) return notFoundPage(reply);
      return reply.page('settings/api-keys/revoke', { key });
    });

    scoped.post(`${apiKeysPath}/:id/revoke`, async (request, reply) => {
      const id = keyIdOf(request);
      if (id === null || !parseForm(emptyForm, request.body).ok) return notFoundPage(reply);
      const revoked = await options.apiKeys.revoke(actorOf(request), id, clientDetails(request));
      if (!revoked.ok) return notFoundPage(reply);
      return done(reply, 'success', 'flash.apiKeyRevoked');
    });
  });
}
