export * from '../auth/tables.ts';
export * from '../settings/account/tables.ts';
export * from '../settings/emails/tables.ts';
export * from './rate-limit-table.ts';
export * from '../mail/tables.ts';
