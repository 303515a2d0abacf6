import type { FastifyServerOptions } from 'fastify';

/**
 * Request logs carry the method and the path only: query strings may hold tokens and
 * bodies hold passwords, and neither may reach a log.
 */
/** Paths whose last part is a secret (links sent by e-mail), logged without it. */
export function redactPath(url: string): string {
  return (url.split('?')[0] ?? '').replace(/^\/(reset-password|verify-email|setup|unsubscribe)\/[^/]+/, '/$1/[redacted]');
}

export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'], remove: true },
    serializers: {
      req: (request: { method: string; url: string; ip?: string }) => ({ method: request.method, path: redactPath(request.url), ip: request.ip }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
  };
}
