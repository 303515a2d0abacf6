import type { DateFormat } from '../lib/datetime-format.ts';
import type { Language } from '../lib/languages.ts';

export type Theme = 'system' | 'light' | 'dark';
export type AvatarType = 'initials' | 'upload' | 'gravatar';

/** What every page needs to know about the person looking at it. */
export interface ViewerPreferences {
  language: Language;
  timeZone: string;
  clock24h: boolean;
  dateFormat: DateFormat;
  theme: Theme;
  avatarType: AvatarType;
  avatarVersion: number;
}

export interface Viewer {
  user: { id: number; email: string; name: string; isAdmin: boolean; createdAt: Date };
  session: { id: string; createdAt: Date; expiresAt: Date; lastSeenAt: Date; reauthenticatedAt: Date | null };
  preferences: ViewerPreferences;
}

export const anonymousPreferences: Omit<ViewerPreferences, 'language'> = {
  timeZone: 'UTC',
  clock24h: false,
  dateFormat: 'iso',
  theme: 'system',
  avatarType: 'initials',
  avatarVersion: 0,
};
