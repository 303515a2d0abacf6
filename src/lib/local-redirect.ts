/**
 * Returns `target` when it is a path on this site, otherwise `fallback`.
 * Refuses protocol-relative (`//evil`), backslash (`/\evil`) and scheme (`javascript:`) targets.
 */
export function localRedirectTarget(target: unknown, fallback = '/'): string {
  if (!isPlainLocalPath(target)) return fallback;
  const resolved = new URL(target, 'http://dials.invalid');
  if (resolved.origin !== 'http://dials.invalid') return fallback;
  const result = resolved.pathname + resolved.search + resolved.hash;
  // Resolving dot segments can itself produce "//host" (from "/.//host"): check the result too.
  return isPlainLocalPath(result) ? result : fallback;
}

function isPlainLocalPath(target: unknown): target is string {
  if (typeof target !== 'string' || target.length === 0 || target.length > 2000) return false;
  if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return false;
  // Control characters and backslashes are normalised by browsers into surprising URLs.
  return ![...target].some((char) => char.charCodeAt(0) < 0x20 || char === '\u007f' || char === '\\');
}
