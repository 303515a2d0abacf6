import type { EmailAddressBook } from '../auth/email-addresses.ts';
import type { UserDirectory } from '../auth/users.ts';
import type { Db } from '../db/client.ts';
import type { Recipient } from '../mail/compose.ts';
import type { AccountService } from '../settings/account/service.ts';

/**
 * Finds who a message is for, with their language and time format; the address defaults to their
 * primary one. Inside a transaction (a sign-up), pass its `tx`: the person may exist only there yet.
 */
export type RecipientLookup = (userId: number, address?: string, tx?: Db) => Promise<Recipient | null>;

/** Reads a person's name and address from the user directory, and their language and time formats from the account page's service. */
export function createRecipientLookup(deps: { users: UserDirectory; account: AccountService; emailAddresses: EmailAddressBook }): RecipientLookup {
  return async (userId, address, tx) => {
    const profile = await deps.users.profile(userId, tx);
    if (!profile) return null;
    const preferences = await deps.account.preferences(userId, tx);
    const to = address ?? profile.email;
    return { address: to, name: profile.name, confirmed: await deps.emailAddresses.isConfirmed(userId, to, tx), preferences };
  };
}
