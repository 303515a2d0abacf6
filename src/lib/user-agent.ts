import UAParser from 'ua-parser-js';

/** What a person recognises a device by: the browser (with its major version) and the operating system. */
export interface DeviceDescription {
  /** e.g. "Firefox 128"; null when the user agent does not say. */
  browser: string | null;
  /** e.g. "Ubuntu", "Windows", "macOS"; null when the user agent does not say. */
  os: string | null;
}

/** Only this much of a header is read (stored user agents are already cut to 512 characters). */
const maximumLength = 512;

// ua-parser-js 1.x still says "Mac OS"; Apple has called it macOS since 2016.
const osNames = new Map([['Mac OS', 'macOS']]);

/** The browser and operating system named by a User-Agent header; never throws. */
export function describeDevice(userAgent: string | null | undefined): DeviceDescription {
  const text = (userAgent ?? '').slice(0, maximumLength).trim();
  if (text === '') return { browser: null, os: null };
  const result = new UAParser(text).getResult();
  const browserName = clean(result.browser.name, 40);
  const major = clean(result.browser.major, 10);
  const osName = clean(result.os.name, 40);
  return {
    browser: browserName ? (major ? `${browserName} ${major}` : browserName) : null,
    // No system version: browsers freeze it (Windows 11 says "Windows NT 10.0", every Mac "10_15_7"), so it would mislead.
    os: osName ? (osNames.get(osName) ?? osName) : null,
  };
}

/** A trimmed, bounded name, or null for nothing: what a user agent says is whatever its sender wants. */
function clean(value: string | undefined, maximum: number): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed.slice(0, maximum) : null;
}
