import { apiDocsPath } from '../web/api-paths.ts';

/** Where the API's documentation lives; nothing else is forwarded to the instance that serves it. */
export const docsPath = apiDocsPath;

/**
 * The path and query to forward to the documentation instance, resolved as its inject will
 * resolve them (`..`, `%2e%2e`, backslashes), or null when the result leaves `/api/docs`.
 */
export function docsTarget(url: string): string | null {
  let resolved: URL;
  try {
    resolved = new URL(url, 'http://docs.invalid');
  } catch {
    return null;
  }
  if (resolved.origin !== 'http://docs.invalid') return null;
  if (resolved.pathname !== docsPath && !resolved.pathname.startsWith(`${docsPath}/`)) return null;
  return resolved.pathname + resolved.search;
}
