export type DateFormat = 'us' | 'international' | 'iso';

export interface TimestampPreferences {
  language: string;
  timeZone: string;
  clock24h: boolean;
  dateFormat: DateFormat;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

// Building an Intl.DateTimeFormat is far slower than using one, so each combination is built once.
function formatterFor(preferences: TimestampPreferences): Intl.DateTimeFormat {
  const key = `${preferences.language}|${preferences.timeZone}|${preferences.clock24h ? 24 : 12}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(preferences.language, {
      timeZone: preferences.timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: preferences.clock24h ? 'h23' : 'h12',
      timeZoneName: 'short',
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

function partsOf(date: Date, preferences: TimestampPreferences): Record<string, string> {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(preferences).formatToParts(date)) parts[part.type] = part.value;
  return parts;
}

function datePart(parts: Record<string, string>, dateFormat: DateFormat): string {
  const { year = '', month = '', day = '' } = parts;
  if (dateFormat === 'us') return `${month}/${day}/${year}`;
  if (dateFormat === 'international') return `${day}/${month}/${year}`;
  return `${year}-${month}-${day}`;
}

const recentlyFormatted = new Map<string, string>();

/** The one way a timestamp is shown to a person: their zone, their clock, their date format. */
export function formatTimestamp(date: Date, preferences: TimestampPreferences): string {
  // Pages show the same few timestamps again and again (an account's creation, a session's start).
  const key = `${date.getTime()}|${preferences.language}|${preferences.timeZone}|${preferences.clock24h}|${preferences.dateFormat}`;
  const known = recentlyFormatted.get(key);
  if (known !== undefined) return known;
  const formatted = formatTimestampAfresh(date, preferences);
  if (recentlyFormatted.size >= 5000) recentlyFormatted.clear();
  recentlyFormatted.set(key, formatted);
  return formatted;
}

function formatTimestampAfresh(date: Date, preferences: TimestampPreferences): string {
  const parts = partsOf(date, preferences);
  const hour = preferences.clock24h ? parts.hour : String(Number(parts.hour));
  const time = preferences.clock24h ? `${hour}:${parts.minute}` : `${hour}:${parts.minute} ${parts.dayPeriod ?? ''}`.trim();
  return `${datePart(parts, preferences.dateFormat)} ${time} ${parts.timeZoneName ?? ''}`.trim();
}

/** The date alone, in the person's zone and date format. */
export function formatDate(date: Date, preferences: TimestampPreferences): string {
  return datePart(partsOf(date, preferences), preferences.dateFormat);
}

const hourFormatters = new Map<string, Intl.DateTimeFormat>();

/** A whole hour of the day (0–23) as the person reads clock times: "17:00", or "05:00 PM". */
export function formatHourOfDay(hour: number, preferences: Pick<TimestampPreferences, 'language' | 'clock24h'>): string {
  const key = `${preferences.language}|${preferences.clock24h ? 24 : 12}`;
  let formatter = hourFormatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(preferences.language, { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: preferences.clock24h ? 'h23' : 'h12' });
    hourFormatters.set(key, formatter);
  }
  return formatter.format(Date.UTC(2000, 0, 1, hour));
}
