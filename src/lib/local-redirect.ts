/**
 * Returns `target` when it is a path on this site, otherwise `fallback`.
 * Refuses protocol-relative (`//evil`), backslash (`/\evil`) and scheme (`javascript:`) targets.
 */
export function localRedirectTarget(target: unknown, fallback = '/'): string {
  if (typeof target !== 'string' || target.length === 0 || target.length > 2000) return fallback;
  if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return fallback;
  // Control characters and backslashes are normalised by browsers into surprising URLs.
  if (/[\u0000-\u001f\u007f\\]/.test(target)) return fallback;
  const resolved = new URL(target, 'http://dials.invalid');
  if (resolved.origin !== 'http://dials.invalid') return fallback;
  return resolved.pathname + resolved.search + resolved.hash;
}
