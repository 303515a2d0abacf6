import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiKeySummary, ApiKeysService, CreateKeyResult } from '../settings/api-keys/service.ts';
import { clientDetails } from '../web/session.ts';
import { sendProblem } from '../web/problem.ts';
import { keyActorOf } from './guard.ts';
import { createdKeySchema, createKeyBody, keyIdParams, keySchema, keyUseSchema, problemSchema } from './schemas.ts';

const refusals = { 401: problemSchema, 403: problemSchema, 429: problemSchema };

export function keyAnswer(key: ApiKeySummary) {
  return {
    id: key.id,
    name: key.name,
    scopes: key.scopes,
    preview: key.preview,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    expired: key.expired,
    lastUsed: key.lastUsed ? { at: key.lastUsed.at.toISOString(), ipAddress: key.lastUsed.ipAddress, userAgent: key.lastUsed.userAgent } : null,
  };
}

/** The caller's keys: list, read a key's trail, revoke, and make one within the calling key's scopes. */
export function registerKeyApi(scope: FastifyInstance, deps: { apiKeys: ApiKeysService }): void {
  const api = scope.withTypeProvider<ZodTypeProvider>();

  api.get('/keys', { config: { scope: 'keys:read' }, schema: { summary: "The user's API keys", tags: ['keys'], response: { 200: z.array(keySchema), ...refusals } } }, async (request) =>
    (await deps.apiKeys.list(keyActorOf(request))).map(keyAnswer),
  );

  api.get(
    '/keys/:id/uses',
    {
      config: { scope: 'keys:read' },
      schema: { summary: 'The last 100 calls made with a key (30 days)', tags: ['keys'], params: keyIdParams, response: { 200: z.array(keyUseSchema), 404: problemSchema, ...refusals } },
    },
    async (request, reply) => {
      const actor = keyActorOf(request);
      if (!(await deps.apiKeys.find(actor, request.params.id))) return sendProblem(reply, 'notFound', 'No such key.');
      return (await deps.apiKeys.uses(actor, request.params.id)).map((use) => ({ ...use, at: use.at.toISOString() }));
    },
  );

  api.post(
    '/keys',
    {
      config: { scope: 'keys:write' },
      schema: {
        summary: 'Make a key',
        description:
          'The new key has at most the calling key\'s scopes and expires no later than it. On an account with a second factor, only a key that was itself made past the second factor can make keys.',
        tags: ['keys'],
        body: createKeyBody,
        response: { 201: createdKeySchema, 400: problemSchema, 422: problemSchema, ...refusals },
      },
    },
    async (request, reply) => {
      const input = request.body;
      const made: CreateKeyResult = await deps.apiKeys.create(
        keyActorOf(request),
        { name: input.name, scopes: input.scopes, expiresAt: input.expiresAt ? new Date(input.expiresAt) : null },
        clientDetails(request),
      );
      // The answer holds the key itself: no cache, shared or private, may keep it.
      if (made.ok) return reply.code(201).header('cache-control', 'no-store').send({ ...keyAnswer(made.key), key: made.secret });
      switch (made.reason) {
        case 'scopeBeyondCaller':
          return sendProblem(reply, 'scopeBeyondKey', `The calling key does not have the scope "${made.scope}".`, { scope: made.scope });
        case 'expiryBeyondCaller':
          return sendProblem(reply, 'expiryBeyondKey', 'Give the new key an expiry no later than the calling key\'s.');
        case 'secondFactorRequired':
          return sendProblem(reply, 'secondFactorRequired', 'The calling key was made before the second factor was turned on.');
        case 'expiryInPast':
          return sendProblem(reply, 'unprocessable', 'The expiry is in the past.');
        case 'tooMany':
          return sendProblem(reply, 'unprocessable', 'The account has as many keys as allowed; revoke one first.');
        default:
          return sendProblem(reply, 'unprocessable', 'The key cannot be made.');
      }
    },
  );

  api.delete(
    '/keys/:id',
    {
      config: { scope: 'keys:write' },
      schema: { summary: 'Revoke a key (the calling one too)', tags: ['keys'], params: keyIdParams, response: { 204: z.null(), 404: problemSchema, ...refusals } },
    },
    async (request, reply) => {
      const revoked = await deps.apiKeys.revoke(keyActorOf(request), request.params.id, clientDetails(request));
      if (!revoked.ok) return sendProblem(reply, 'notFound', 'No such key.');
      return reply.code(204).send(null);
    },
  );
}
