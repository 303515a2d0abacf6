import type { ViewerPreferences } from '../lib/preferences.ts';

export type { AvatarType, Theme, ViewerPreferences } from '../lib/preferences.ts';

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
