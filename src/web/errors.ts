import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { isApiRequest } from './api-paths.ts';
import { CsrfError } from './csrf.ts';
import { sendProblem } from './problem.ts';
import { wantsBlock } from './render.ts';

/** The page for anything that does not exist, or that the caller may not know exists. */
export function notFoundPage(reply: FastifyReply): FastifyReply {
  return reply.page('errors/error', { titleKey: 'errors.notFound.title', messageKey: 'errors.notFound.message' }, 404);
}

/**
 * Whatever a client sends, the answer is a page with a 4xx status and a plain explanation;
 * only faults of Dials itself give a 500, and those never show their details.
 */
export function registerErrorPages(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    if (isApiRequest(request)) return sendProblem(reply, 'notFound');
    return notFoundPage(reply);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error instanceof CsrfError ? 403 : error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ status, code: error.code }, 'request refused');

    const messageKey =
      error instanceof CsrfError
        ? 'errors.csrf.message'
        : status === 413
          ? 'errors.tooLarge.message'
          : status === 429
            ? 'errors.tooManyRequests.message'
            : status === 415
              ? 'errors.unsupportedMediaType.message'
              : status === 500
                ? 'errors.server.message'
                : 'errors.badRequest.message';
    if (isApiRequest(request)) return sendProblem(reply, status === 413 ? 'bodyTooLarge' : status === 415 ? 'unsupportedMediaType' : status === 500 ? 'serverError' : 'invalidRequest');
    // A limit says how long to wait, from the Retry-After it sends.
    const waitSeconds = status === 429 ? Number(reply.getHeader('retry-after')) : NaN;
    const [key, values] = Number.isFinite(waitSeconds) && waitSeconds > 0 ? ['errors.tooManyRequests.wait', { count: Math.ceil(waitSeconds / 60) }] : [messageKey, {}];
    if (wantsBlock(request)) return reply.code(status).header('content-type', 'text/plain; charset=utf-8').send(request.t(key, values));
    return reply.page('errors/error', { titleKey: status === 500 ? 'errors.server.title' : 'errors.badRequest.title', messageKey: key, messageValues: values }, status);
  });
}
