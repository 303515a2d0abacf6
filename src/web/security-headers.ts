import type { FastifyInstance } from 'fastify';
import { isJsonApiRequest } from './api-paths.ts';

/**
 * The security headers of every page (and of everything else but the API's JSON answers). They
 * depend on nothing in the request but whether it is an API call, so both sets are worked out once
 * at start and set in one hook (a middleware rebuilding them per request cost more than the rest of a page).
 */
export function securityHeaders(options: { https: boolean }): Record<string, string> {
  const contentSecurityPolicy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' https://www.gravatar.com",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
  return {
    'content-security-policy': contentSecurityPolicy,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'same-origin',
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
    ...(options.https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

/**
 * The headers of the API's JSON answers, which no browser shows as a page: nothing may run in them,
 * frame them or read them from another site, nor keep them (they carry people's data), nor guess
 * their type. The headers about how a page behaves in a browser window mean nothing for them.
 */
export function apiSecurityHeaders(options: { https: boolean }): Record<string, string> {
  return {
    'content-security-policy': "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'cache-control': 'no-store',
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    ...(options.https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

export function registerSecurityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  const pageHeaders = securityHeaders(options);
  const apiHeaders = apiSecurityHeaders(options);
  // A callback hook, not an async one: nothing here waits, so no Promise is made per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(isJsonApiRequest(request) ? apiHeaders : pageHeaders);
    done();
  });
}
