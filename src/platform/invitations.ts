import { and, asc, eq, gte, inArray, sql, type SQL } from 'drizzle-orm';
import { normalizeEmail, type UserDirectory } from '../auth/users.ts';
import type { Db } from '../db/client.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Actor } from '../lib/actor.ts';
import { isMember, membershipOf, type Membership } from './access.ts';
import { memberships, organizationInvitations, organizations, type OrganizationRole } from './tables.ts';
import type { NotFound, OrganizationSummary, OwnerOnly } from './types.ts';

/** A pending invitation as its organization's owners see it. */
export interface InvitationView {
  id: number;
  address: string;
  role: OrganizationRole;
  invitedAt: Date;
}

/** A pending invitation as the invited person sees it. */
export interface ReceivedInvitation {
  id: number;
  organization: { name: string; slug: string };
  role: OrganizationRole;
  /** The inviting owner's name; null when that account is gone. */
  invitedBy: string | null;
  invitedAt: Date;
}

export type InviteResult = { ok: true; invitation: InvitationView } | NotFound | OwnerOnly | { ok: false; reason: 'alreadyMember' };
export type InvitationsResult = { ok: true; invitations: InvitationView[] } | NotFound | OwnerOnly;
export type CancelInvitationResult = { ok: true } | NotFound | OwnerOnly | { ok: false; reason: 'noSuchInvitation' };
export type AcceptInvitationResult = { ok: true; organization: OrganizationSummary } | NotFound;
export type DeclineInvitationResult = { ok: true } | NotFound;

const notFound: NotFound = { ok: false, reason: 'notFound' };
const ownerOnly: OwnerOnly = { ok: false, reason: 'ownerOnly' };

/** How long an invitation can be accepted. */
export const invitationLifetimeMs = 30 * 24 * 60 * 60 * 1000;

const viewOf = (row: typeof organizationInvitations.$inferSelect): InvitationView => ({ id: row.id, address: row.address, role: row.role, invitedAt: row.createdAt });

/**
 * Invitations to organizations by e-mail address. An owner invites an address and gets the same
 * answer whether or not anyone has it (nothing says who has an account); nobody becomes a member
 * and no mail is sent until the person who confirmed that address accepts. Only they see it.
 */
export function createInvitationService(db: Db, deps: { now: () => number; users: UserDirectory }) {
  /**
   * An invitation holds while it is younger than 30 days and whoever made it is still an owner of
   * the organization: an owner who was removed or demoted cannot come back through one they left.
   */
  const stillHolds = (): SQL =>
    and(
      gte(organizationInvitations.createdAt, new Date(deps.now() - invitationLifetimeMs)),
      sql`exists (select 1 from ${memberships} where ${memberships.organizationId} = ${organizationInvitations.organizationId} and ${memberships.userId} = ${organizationInvitations.invitedBy} and ${memberships.role} = 'owner')`,
    ) as SQL;

  const asOwner = <T>(actor: Actor, slug: string, work: (tx: Db, membership: Membership) => Promise<T>): Promise<T | NotFound | OwnerOnly> =>
    inTransaction(db, async (tx) => {
      const membership = await membershipOf(tx, actor, slug);
      if (!membership) return notFound;
      return membership.role === 'owner' ? work(tx, membership) : ownerOnly;
    });

  /** The invitation with this id, when it is addressed to one of the actor's confirmed addresses. */
  const addressedTo = async (tx: Db, actor: Actor, id: number) => {
    const addresses = await deps.users.confirmedAddresses(actor.userId, tx);
    if (addresses.length === 0) return undefined;
    const [row] = await tx
      .select()
      .from(organizationInvitations)
      .where(and(eq(organizationInvitations.id, id), inArray(organizationInvitations.address, addresses), stillHolds()));
    return row;
  };

  return {
    /** Invites an address, or changes the role of its pending invitation. */
    async invite(actor: Actor, slug: string, input: { email: string; role: OrganizationRole }): Promise<InviteResult> {
      const address = normalizeEmail(input.email);
      return asOwner(actor, slug, async (tx, { organization }): Promise<InviteResult> => {
        // Only a member's log-in address (shown on the page anyway) is refused: any other address gets
        // the same answer whoever holds it, so nothing is learnt of members' other addresses.
        const member = await deps.users.idByEmail(address, tx);
        if (member !== undefined && (await isMember(tx, organization.id, member))) return { ok: false, reason: 'alreadyMember' };
        const [row] = await tx
          .insert(organizationInvitations)
          .values({ organizationId: organization.id, address, role: input.role, invitedBy: actor.userId, createdAt: new Date(deps.now()) })
          .onConflictDoUpdate({
            target: [organizationInvitations.organizationId, organizationInvitations.address],
            set: { role: input.role, invitedBy: actor.userId, createdAt: new Date(deps.now()) },
          })
          .returning();
        if (!row) throw new Error('the invitation was not stored');
        return { ok: true, invitation: viewOf(row) };
      });
    },

    /** The organization's pending invitations, oldest first: for its owners. */
    async pending(actor: Actor, slug: string): Promise<InvitationsResult> {
      return asOwner(actor, slug, async (tx, { organization }) => {
        const rows = await tx
          .select()
          .from(organizationInvitations)
          .where(and(eq(organizationInvitations.organizationId, organization.id), stillHolds()))
          .orderBy(asc(organizationInvitations.createdAt), asc(organizationInvitations.id));
        return { ok: true as const, invitations: rows.map(viewOf) };
      });
    },

    async cancel(actor: Actor, slug: string, id: number): Promise<CancelInvitationResult> {
      return asOwner(actor, slug, async (tx, { organization }): Promise<CancelInvitationResult> => {
        const removed = await tx
          .delete(organizationInvitations)
          .where(and(eq(organizationInvitations.id, id), eq(organizationInvitations.organizationId, organization.id)))
          .returning({ id: organizationInvitations.id });
        return removed.length > 0 ? { ok: true } : { ok: false, reason: 'noSuchInvitation' };
      });
    },

    /** The invitations addressed to any of the actor's confirmed addresses, oldest first. */
    async received(actor: Actor): Promise<ReceivedInvitation[]> {
      return inTransaction(db, async (tx) => {
        const addresses = await deps.users.confirmedAddresses(actor.userId, tx);
        if (addresses.length === 0) return [];
        const rows = await tx
          .select({ invitation: organizationInvitations, organization: { name: organizations.name, slug: organizations.slug } })
          .from(organizationInvitations)
          .innerJoin(organizations, eq(organizations.id, organizationInvitations.organizationId))
          .where(and(inArray(organizationInvitations.address, addresses), stillHolds()))
          .orderBy(asc(organizationInvitations.createdAt), asc(organizationInvitations.id));
        const inviters = await deps.users.profiles(
          rows.flatMap((row) => (row.invitation.invitedBy === null ? [] : [row.invitation.invitedBy])),
          tx,
        );
        return rows.map(({ invitation, organization }) => ({
          id: invitation.id,
          organization,
          role: invitation.role,
          invitedBy: invitation.invitedBy === null ? null : (inviters.get(invitation.invitedBy)?.name ?? null),
          invitedAt: invitation.createdAt,
        }));
      });
    },

    /** Joins the organization with the invited role; someone already in it keeps their role. */
    async accept(actor: Actor, id: number): Promise<AcceptInvitationResult> {
      return inTransaction(db, async (tx): Promise<AcceptInvitationResult> => {
        const invitation = await addressedTo(tx, actor, id);
        if (!invitation) return notFound;
        await tx.delete(organizationInvitations).where(eq(organizationInvitations.id, invitation.id));
        await tx
          .insert(memberships)
          .values({ organizationId: invitation.organizationId, userId: actor.userId, role: invitation.role, joinedAt: new Date(deps.now()) })
          .onConflictDoNothing();
        const [row] = await tx
          .select({ organization: organizations, role: memberships.role })
          .from(memberships)
          .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
          .where(and(eq(memberships.organizationId, invitation.organizationId), eq(memberships.userId, actor.userId)));
        if (!row) throw new Error('the membership was not stored');
        const { organization, role } = row;
        return { ok: true, organization: { id: organization.id, name: organization.name, slug: organization.slug, role, createdAt: organization.createdAt } };
      });
    },

    async decline(actor: Actor, id: number): Promise<DeclineInvitationResult> {
      return inTransaction(db, async (tx): Promise<DeclineInvitationResult> => {
        const invitation = await addressedTo(tx, actor, id);
        if (!invitation) return notFound;
        await tx.delete(organizationInvitations).where(eq(organizationInvitations.id, invitation.id));
        return { ok: true };
      });
    },
  };
}
