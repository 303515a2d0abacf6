import type { EmailAddressBook } from '../auth/email-addresses.ts';
import type { UserDirectory } from '../auth/users.ts';
import type { Recipient } from '../mail/compose.ts';
import type { AccountService } from '../settings/account/service.ts';

/** Finds who a message is for, with their language and time format; the address defaults to their primary one. */
export type RecipientLookup = (userId: number, address?: string) => Recipient | null;

/** Reads a person's name and address from the user directory, and their language and time formats from the account page's service. */
export function createRecipientLookup(deps: { users: UserDirectory; account: AccountService; emailAddresses: EmailAddressBook }): RecipientLookup {
  return (userId, address) => {
    const profile = deps.users.profile(userId);
    if (!profile) return null;
    const preferences = deps.account.preferences(userId);
    const to = address ?? profile.email;
    return { address: to, name: profile.name, confirmed: deps.emailAddresses.isConfirmed(userId, to), preferences };
  };
}
