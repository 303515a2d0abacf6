import type { FastifyRequest } from 'fastify';
import { localRedirectTarget } from '../lib/local-redirect.ts';

/**
 * The page the person was on: the URL asked for, for htmx requests the page they came from, and
 * for a form posted without JavaScript the page it was on (its Referer, when it is from here).
 */
function pageOf(request: FastifyRequest): string {
  if (request.method === 'GET') return request.url;
  const current = request.headers['hx-current-url'] ?? request.headers.referer;
  if (typeof current !== 'string' || !URL.canParse(current)) return '/';
  // Only the path is kept, so it is a page of Dials whatever the header named.
  const url = new URL(current);
  return url.pathname + url.search;
}

/** Where to log in so as to come back to the page the person was on. */
export function loginPathFor(request: FastifyRequest): string {
  return `/login?next=${encodeURIComponent(localRedirectTarget(pageOf(request), '/'))}`;
}
