import type { FastifyRequest } from 'fastify';

/** Where the JSON API lives: only a key authenticates there, and no cookie does. */
export const apiPathPrefix = '/api/';

/** Where the API's documentation lives: HTML pages, beside the JSON answers. */
export const apiDocsPath = '/api/docs';

/**
 * The path the router sees in a request target: the absolute form (`http://host/path`) loses its
 * scheme and authority, the query is cut off, and percent-escapes are decoded (left as they are
 * when they cannot be). A target that is neither a path nor an http(s) URL answers null.
 */
export function routedPath(url: string): string | null {
  let path = url;
  if (!path.startsWith('/')) {
    const schemeEnd = path.indexOf('://');
    const scheme = schemeEnd === -1 ? '' : path.slice(0, schemeEnd).toLowerCase();
    if (scheme !== 'http' && scheme !== 'https') return null;
    const pathStart = path.indexOf('/', schemeEnd + 3);
    const queryStart = path.indexOf('?', schemeEnd + 3);
    path = pathStart === -1 || (queryStart !== -1 && queryStart < pathStart) ? '/' : path.slice(pathStart);
  }
  const query = path.indexOf('?');
  if (query !== -1) path = path.slice(0, query);
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export function isApiPath(url: string): boolean {
  return routedPath(url)?.startsWith(apiPathPrefix) ?? false;
}

/**
 * Whether a request is an API call, decided on the route it was routed to (hooks run after
 * routing), or on its routed path when no route matched: never on the raw request target, which
 * can name the same route in other spellings.
 */
export function isApiRequest(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route === undefined ? isApiPath(request.url) : route.startsWith(apiPathPrefix);
}

/** Whether the request is answered with the API's JSON: an API request (isApiRequest) not for its documentation. */
export function isJsonApiRequest(request: FastifyRequest): boolean {
  // Read once: each read of routeOptions builds a new object.
  const path = request.routeOptions.url ?? routedPath(request.url) ?? '';
  return path.startsWith(apiPathPrefix) && path !== apiDocsPath && !path.startsWith(`${apiDocsPath}/`);
}
