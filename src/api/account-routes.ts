import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { SessionStore } from '../auth/sessions.ts';
import type { Language } from '../lib/languages.ts';
import type { AccountService, StoredPreferences } from '../settings/account/service.ts';
import type { EmailsService } from '../settings/emails/service.ts';
import type { SecurityService } from '../settings/security/service.ts';
import { clientDetails } from '../web/session.ts';
import { sendProblem } from '../web/problem.ts';
import { keyActorOf } from './guard.ts';
import { changePreferencesBody, emailSchema, preferencesSchema, problemSchema, renameUserBody, sessionIdParams, sessionSchema, userSchema } from './schemas.ts';

const refusals = { 401: problemSchema, 403: problemSchema, 429: problemSchema };

function preferencesAnswer(stored: StoredPreferences) {
  return {
    language: stored.language,
    timeZone: stored.timeZone,
    clock24h: stored.clock24h,
    dateFormat: stored.dateFormat,
    theme: stored.theme,
    stackTraceOrder: stored.stackTraceOrder,
  };
}

/** The caller's user, preferences, e-mail addresses and sessions, through the same services as the pages. */
export function registerAccountApi(scope: FastifyInstance, deps: { account: AccountService; emails: EmailsService; security: SecurityService; sessions: SessionStore }): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();

  api.get('/user', { config: { scope: 'user:read' }, schema: { summary: 'The user the key acts for', tags: ['user'], response: { 200: userSchema, ...refusals } } }, async (request) =>
    deps.account.profile(keyActorOf(request)),
  );

  api.patch(
    '/user',
    { config: { scope: 'user:write' }, schema: { summary: 'Rename the user', tags: ['user'], body: renameUserBody, response: { 200: userSchema, 400: problemSchema, ...refusals } } },
    async (request) => {
      const actor = keyActorOf(request);
      await deps.account.saveDetails(actor, { name: request.body.name });
      return deps.account.profile(actor);
    },
  );

  api.get(
    '/preferences',
    { config: { scope: 'preferences:read' }, schema: { summary: "The user's preferences", tags: ['preferences'], response: { 200: preferencesSchema, ...refusals } } },
    async (request) => preferencesAnswer(await deps.account.preferences(keyActorOf(request).userId)),
  );

  api.patch(
    '/preferences',
    {
      config: { scope: 'preferences:write' },
      schema: {
        summary: 'Change any of the preferences',
        description: 'Fields left out keep their value. Each is checked as on the account page.',
        tags: ['preferences'],
        body: changePreferencesBody,
        response: { 200: preferencesSchema, 400: problemSchema, ...refusals },
      },
    },
    async (request) => {
      const actor = keyActorOf(request);
      const stored = await deps.account.preferences(actor.userId);
      const change = request.body;
      await deps.account.savePreferences(actor, {
        language: (change.language as Language | undefined) ?? stored.language,
        timezone: change.timeZone ?? stored.timeZone,
        clock24h: change.clock24h ?? stored.clock24h,
        dateFormat: change.dateFormat ?? stored.dateFormat,
        theme: change.theme ?? stored.theme,
        stackTraceOrder: change.stackTraceOrder ?? stored.stackTraceOrder,
      });
      return preferencesAnswer(await deps.account.preferences(actor.userId));
    },
  );

  api.get(
    '/emails',
    { config: { scope: 'emails:read' }, schema: { summary: "The user's e-mail addresses", tags: ['emails'], response: { 200: z.array(emailSchema), ...refusals } } },
    async (request) =>
      (await deps.emails.list(keyActorOf(request))).map((email) => ({
        id: email.id,
        address: email.address,
        primary: email.isPrimary,
        verified: email.verifiedAt !== null,
        createdAt: email.createdAt.toISOString(),
      })),
  );

  api.get(
    '/sessions',
    { config: { scope: 'user:read' }, schema: { summary: "The user's logged-in browsers", tags: ['sessions'], response: { 200: z.array(sessionSchema), ...refusals } } },
    async (request) =>
      (await deps.sessions.listForUser(keyActorOf(request).userId)).map((session) => ({
        id: session.id,
        createdAt: session.createdAt.toISOString(),
        lastSeenAt: session.lastSeenAt.toISOString(),
        ipAddress: session.ipAddress,
        userAgent: session.userAgent,
      })),
  );

  api.delete(
    '/sessions/:id',
    {
      config: { scope: 'user:write' },
      schema: { summary: 'Log out one session', tags: ['sessions'], params: sessionIdParams, response: { 204: z.null(), 404: problemSchema, ...refusals } },
    },
    async (request, reply) => {
      const ended = await deps.security.endSession(keyActorOf(request), request.params.id, clientDetails(request));
      if (!ended.ok) return sendProblem(reply, 'notFound', 'No such session.');
      return reply.code(204).send(null);
    },
  );
}
