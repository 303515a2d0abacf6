import type { DateFormat } from './datetime-format.ts';
import type { Language } from './languages.ts';

export type Theme = 'system' | 'light' | 'dark';
export type AvatarType = 'initials' | 'upload' | 'gravatar';

/**
 * What every page needs to know about the person looking at it. Kept by the account page's
 * service, shown by `web/`; here so that neither imports the other.
 */
export interface ViewerPreferences {
  language: Language;
  timeZone: string;
  clock24h: boolean;
  dateFormat: DateFormat;
  theme: Theme;
  avatarType: AvatarType;
  avatarVersion: number;
}
