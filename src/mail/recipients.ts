import type { Recipient } from './compose.ts';

/** Finds who a message is for, with their language and time format; the address defaults to their primary one. */
export type RecipientLookup = (userId: number, address?: string) => Recipient | null;
