import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiKeyActor } from '../lib/actor.ts';
import type { ApiKeysService } from '../settings/api-keys/service.ts';
import { allows, type Scope } from '../settings/api-keys/scopes.ts';
import { sendProblem } from '../web/problem.ts';
import type { ApiRateLimit, KeyRateLimit } from './rate-limit.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope an API route needs; every API route names one, or is `public`. */
    scope?: Scope;
    /** An API route anyone may read without a key (the OpenAPI document). */
    public?: boolean;
  }
}

const challenge = 'Bearer realm="dials", Basic realm="dials", charset="UTF-8"';

/** The caller of a route behind the guard. */
export function keyActorOf(request: FastifyRequest): ApiKeyActor {
  const actor = request.actor;
  if (actor?.via !== 'apiKey') throw new Error('keyActorOf called on a route without the API guard');
  return actor;
}

/**
 * The one place where an API call is let in: a key that holds (401 otherwise, saying whether it
 * was missing or malformed, and nothing more about one that does not hold; past 60 refusals a
 * minute from one address, 429), within its rate limit (429), with the scope the route names
 * (403 naming it). Every answer to a key is noted in its trail. Runs before the body is read, so
 * nothing is parsed for a caller who may not call.
 */
export function registerApiGuard(api: FastifyInstance, deps: { apiKeys: ApiKeysService; rateLimit: KeyRateLimit; refusalLimit: ApiRateLimit }): void {
  const refuse = async (request: FastifyRequest, reply: FastifyReply) => {
    const limited = await deps.refusalLimit(request.ip, reply);
    if (!limited.ok) return sendProblem(reply, 'tooManyRefusals', `Try again in ${limited.retryAfterSeconds} seconds.`);
    reply.header('www-authenticate', challenge);
    if (request.keyRefusal === 'malformed') return sendProblem(reply, 'malformedKey', 'The key is not a Dials API key, or its checksum is wrong: check it was copied whole.');
    if (request.keyRefusal === 'rejected') return sendProblem(reply, 'invalidKey', 'The key is unknown, has expired or was revoked.');
    return sendProblem(reply, 'missingKey', 'Send the key as "Authorization: Bearer <key>", or as the password of HTTP Basic.');
  };

  const admit = async (request: FastifyRequest, reply: FastifyReply, actor: ApiKeyActor) => {
    const limited = await deps.rateLimit(actor.keyId, reply);
    if (!limited.ok) return sendProblem(reply, 'tooManyRequests', `Try again in ${limited.retryAfterSeconds} seconds.`);
    const scope = request.routeOptions.config.scope;
    if (request.is404 || scope === undefined) return undefined;
    if (!allows(actor.scopes, scope)) return sendProblem(reply, 'missingScope', `This needs the scope "${scope}".`, { scope });
    return undefined;
  };

  // Callback hooks: the API's every call passes here, and an async hook costs a Promise each time.
  api.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config.public) return done();
    const actor = request.actor;
    const answered = actor?.via === 'apiKey' ? admit(request, reply, actor) : refuse(request, reply);
    // A refusal has answered: the chain must not go on to the route.
    answered.then((refused) => (refused ? undefined : done()), done);
  });

  // As the answer is sent, not once it has arrived: a call whose client hung up is noted too.
  api.addHook('onSend', (request, reply, payload, done) => {
    const actor = request.actor;
    if (actor?.via === 'apiKey') {
      deps.apiKeys.recordUse(actor.keyId, {
        method: request.method,
        path: request.url,
        status: reply.statusCode,
        ipAddress: request.ip ?? '',
        userAgent: String(request.headers['user-agent'] ?? ''),
      });
    }
    done(null, payload);
  });
}
