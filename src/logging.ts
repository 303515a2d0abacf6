import type { FastifyServerOptions } from 'fastify';

/**
 * Request logs carry the method and the path only: query strings may hold tokens and
 * bodies hold passwords, and neither may reach a log.
 */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'], remove: true },
    serializers: {
      req: (request: { method: string; url: string; ip?: string }) => ({ method: request.method, path: request.url.split('?')[0], ip: request.ip }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
  };
}
