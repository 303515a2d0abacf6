import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { SessionStore } from '../auth/sessions.ts';
import type { Db } from '../db/client.ts';
import type { PlatformService } from '../platform/service.ts';
import type { AccountService } from '../settings/account/service.ts';
import type { ApiKeysService } from '../settings/api-keys/service.ts';
import type { EmailsService } from '../settings/emails/service.ts';
import type { SecurityService } from '../settings/security/service.ts';
import { sendProblem } from '../web/problem.ts';
import { registerAccountApi } from './account-routes.ts';
import { docsPath, docsTarget } from './docs-path.ts';
import { registerEventApi } from './event-routes.ts';
import { registerApiGuard } from './guard.ts';
import { registerInvitationApi } from './invitation-routes.ts';
import { registerKeyApi } from './key-routes.ts';
import { registerOrganizationApi } from './organization-routes.ts';
import { createKeyRateLimit, createRefusalRateLimit } from './rate-limit.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A body the schema refuses is answered 422 (`invalid-fields`) rather than 400: the platform's routes, whose callers are programs reporting events. */
    unprocessableBody?: boolean;
  }
}

export interface ApiOptions {
  db: Db;
  version: string;
  rateLimitPerMinute: number;
  account: AccountService;
  emails: EmailsService;
  security: SecurityService;
  sessions: SessionStore;
  apiKeys: ApiKeysService;
  platform: PlatformService;
}

/** The largest JSON body the API reads. */
export const apiBodyLimit = 16 * 1024;

/**
 * `/api/v1`: JSON in and out, authenticated by API key only (no cookie, so no CSRF token), every
 * route with a zod schema that also makes the OpenAPI document (`/api/v1/openapi.json`, shown at
 * `/api/docs`). Errors are problem+json.
 */
export async function registerApi(app: FastifyInstance, options: ApiOptions): Promise<void> {
  const docs = lazyDocs(options);
  app.get(docsPath, (request, reply) => docs.forward(request, reply));
  app.get(`${docsPath}/*`, (request, reply) => docs.forward(request, reply));
  await app.register(async (v1) => registerVersion1(v1, options, () => docs.document()), { prefix: '/api/v1' });
}

/**
 * Swagger UI under Dials' policy, with two additions for its pages only: its icons are `data:`
 * SVG images, and it adds one `<style>` element of its own (allowed by its hash, for the version
 * in package-lock.json). Scripts stay `'self'` only: the page has no inline script.
 */
const swaggerUiStyleHash = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='";
function docsPolicy(policy: string): string {
  return policy.replace(/img-src ([^;]*)/, "img-src $1 data:").replace(/style-src ([^;]*)/, `style-src $1 ${swaggerUiStyleHash}`);
}

/**
 * The OpenAPI document and its viewer, made on first request: @fastify/swagger and
 * @fastify/swagger-ui cost a tenth of the start-up time. A Fastify instance of their own declares
 * the very same /api/v1 routes (whose schemas make the document) and serves Swagger UI's files
 * from the package; the app forwards `/api/docs` to it.
 */
function lazyDocs(options: ApiOptions) {
  let built: Promise<FastifyInstance> | null = null;
  const instance = () =>
    (built ??= (async () => {
      const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
      const docs = Fastify({ logger: false });
      await docs.register(swagger, {
        openapi: {
          openapi: '3.1.0',
          info: {
            title: 'Dials API',
            version: options.version,
            description:
              'Personal settings of a Dials account, and the platform they act on: organizations, projects, pipelines, and the builds, deploys and errors reported to it. ' +
              'Authenticate with a personal API key: `Authorization: Bearer dials_…` (or HTTP Basic with the key as password). Errors are `application/problem+json` (RFC 9457). ' +
              'Reports (`POST /orgs/{org}/builds`, `/deploys`, `/events`, `/issues/{id}/activity`) are idempotent: a repeated `eventId` or `Idempotency-Key` is answered with the first answer; ' +
              'the same id with a different request is 422 `urn:dials:problem:event-id-reused`.',
          },
          servers: [{ url: '/' }],
          components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A personal API key (dials_…)' } } },
          security: [{ apiKey: [] }],
        },
        transform: jsonSchemaTransform,
      });
      await docs.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { validatorUrl: null } });
      await docs.register(async (v1) => registerVersion1(v1, options, () => docs.swagger()), { prefix: '/api/v1' });
      await docs.ready();
      return docs;
    })());
  return {
    document: async () => (await instance()).swagger(),
    async forward(request: FastifyRequest, reply: FastifyReply) {
      // The documentation instance also declares the /api/v1 routes: a path that resolves out of /api/docs must not reach them.
      const target = docsTarget(request.url);
      if (target === null) return sendProblem(reply, 'notFound', 'There is no such page of the documentation.');
      const answer = await (await instance()).inject({ method: 'GET', url: target, headers: { 'if-none-match': request.headers['if-none-match'] ?? '' } });
      for (const name of ['content-type', 'location', 'etag', 'last-modified', 'cache-control']) {
        const value = answer.headers[name];
        if (value !== undefined) reply.header(name, value);
      }
      const policy = reply.getHeader('content-security-policy');
      if (typeof policy === 'string') reply.header('content-security-policy', docsPolicy(policy));
      return reply.code(answer.statusCode).send(answer.rawPayload);
    },
  };
}

async function registerVersion1(v1: FastifyInstance, options: ApiOptions, openApiDocument: () => Promise<unknown> | unknown): Promise<void> {
  v1.setValidatorCompiler(validatorCompiler);
  v1.setSerializerCompiler(serializerCompiler);
  // JSON only: a form or a text body (which a page of another site could send) is answered 415.
  v1.removeAllContentTypeParsers();
  v1.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: apiBodyLimit }, v1.getDefaultJsonParser('error', 'error'));

  v1.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { scope?: string; public?: boolean };
    if (!config.scope && !config.public && route.method !== 'HEAD') throw new Error(`API route ${route.method} ${route.url} names no scope`);
  });

  registerApiGuard(v1, {
    apiKeys: options.apiKeys,
    rateLimit: createKeyRateLimit(options.rateLimitPerMinute),
    refusalLimit: createRefusalRateLimit(options.db),
  });

  v1.setNotFoundHandler((_request, reply) => sendProblem(reply, 'notFound', 'There is no such API route.'));
  v1.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = error.validation.map((issue) => ({ pointer: issue.instancePath || '/', message: issue.message?.startsWith('errors.') ? request.t(issue.message) : issue.message }));
      const kind = error.validationContext === 'body' && request.routeOptions.config.unprocessableBody ? 'invalidFields' : 'invalidRequest';
      return sendProblem(reply, kind, `${error.validationContext ?? 'request'}: ${errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`, { errors });
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(reply, 'bodyTooLarge', `At most ${request.routeOptions.bodyLimit ?? apiBodyLimit} bytes.`);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
        return sendProblem(reply, 'unsupportedMediaType');
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return sendProblem(reply, 'invalidJson');
      default:
        break;
    }
    if (error instanceof SyntaxError || (error.statusCode === 400 && /JSON|__proto__|constructor/i.test(error.message))) return sendProblem(reply, 'invalidJson');
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return sendProblem(reply, 'invalidRequest', error.message);
    request.log.error({ err: error }, 'API request failed');
    return sendProblem(reply, 'serverError');
  });

  v1.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => openApiDocument());

  registerAccountApi(v1, options);
  registerKeyApi(v1, options);
  registerOrganizationApi(v1, options);
  registerInvitationApi(v1, options);
  registerEventApi(v1, options);
}
