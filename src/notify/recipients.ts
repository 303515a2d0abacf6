import type { EmailAddress, EmailAddressBook } from '../auth/email-addresses.ts';
import type { UserDirectory } from '../auth/users.ts';
import type { Db } from '../db/client.ts';
import type { Recipient } from '../mail/compose.ts';
import type { AccountService } from '../settings/account/service.ts';
import type { RoutableAddresses } from './resolve.ts';

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

/** One of many people mail may go to: their name, language and formats, and their addresses (the confirmed ones are the only ones mail may use). */
export interface RecipientFacts {
  name: string;
  preferences: Recipient['preferences'];
  addresses: RoutableAddresses;
}

/** What `RecipientLookup` answers for one person, for many at once; a person with no account is left out. */
export type RecipientsLookup = (userIds: readonly number[]) => Promise<Map<number, RecipientFacts>>;

/**
 * The batched recipient lookup of the dispatcher: names, languages, time formats and confirmed
 * addresses of any number of people in three queries (names, preferences, addresses), not three per person.
 */
export function createRecipientsLookup(deps: {
  users: Pick<UserDirectory, 'profiles'>;
  account: Pick<AccountService, 'preferencesOfEach'>;
  emailAddresses: Pick<EmailAddressBook, 'listOfEach'>;
}): RecipientsLookup {
  return async (userIds) => {
    const found = new Map<number, RecipientFacts>();
    if (userIds.length === 0) return found;
    const [profiles, preferences, addresses] = await Promise.all([deps.users.profiles(userIds), deps.account.preferencesOfEach(userIds), deps.emailAddresses.listOfEach(userIds)]);
    for (const [userId, profile] of profiles) {
      const chosen = preferences.get(userId);
      if (!chosen) continue;
      found.set(userId, { name: profile.name, preferences: chosen, addresses: routableAddresses(addresses.get(userId) ?? []) });
    }
    return found;
  };
}

/** A person's addresses as notification routing reads them: the primary, and the confirmed ones. */
export function routableAddresses(addresses: readonly Pick<EmailAddress, 'address' | 'isPrimary' | 'verifiedAt'>[]): RoutableAddresses {
  return { primary: addresses.find((address) => address.isPrimary)?.address ?? '', verified: addresses.filter((address) => address.verifiedAt).map((address) => address.address) };
}
