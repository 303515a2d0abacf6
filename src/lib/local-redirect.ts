/**
 * Returns `target` when it is a path on this site, otherwise `fallback`.
 * Refuses protocol-relative (`//evil`), backslash (`/\evil`) and scheme (`javascript:`) targets.
 */
export function localRedirectTarget(target: unknown, fallback = '/'): string {
  if (typeof target !== 'string' || target.length === 0 || target.length > 2000) return fallback;
  if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return fallback;
  // Control characters and backslashes are normalised by browsers into surprising URLs.
  if ([...target].some((char) => char.charCodeAt(0) < 0x20 || char === '\u007f' || char === '\\')) return fallback;
  const resolved = new URL(target, 'http://dials.invalid');
  if (resolved.origin !== 'http://dials.invalid') return fallback;
  return resolved.pathname + resolved.search + resolved.hash;
}
