/** Every IANA zone the runtime knows, computed once at start. */
export const timeZones: readonly string[] = Object.freeze(
  Array.from(new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])).sort(),
);

const known = new Set(timeZones);

/** Accepts canonical zones and their IANA aliases (e.g. "Europe/Kiev"), nothing else. */
export function isTimeZone(value: string): boolean {
  if (known.has(value)) return true;
  if (value.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
