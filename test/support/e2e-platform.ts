import { systemActor } from '../../src/lib/actor.ts';
import { fillDemo } from '../../src/platform/demo.ts';
import { appAt } from './e2e-server.ts';

/** What the platform's browser tests need made behind the pages: reported builds and errors, other members. */

function servicesAt(origin: string) {
  const app = appAt(origin);
  if (!app) throw new Error(`No Dials at ${origin}: was it started with startDials()?`);
  return app.services;
}

async function userIdOf(origin: string, email: string): Promise<number> {
  const owner = await servicesAt(origin).emailAddresses.owner(email.toLowerCase());
  if (!owner) throw new Error(`No account with the address ${email}`);
  return owner.userId;
}

/**
 * Fills the Dials at this origin with the demo organization owned by the account with this address,
 * as `dials demo --email` does, and adds a second member (who can be removed) to it.
 */
export async function fillDemoAt(origin: string, ownerEmail: string): Promise<void> {
  const services = servicesAt(origin);
  const owner = systemActor(await userIdOf(origin, ownerEmail), 'e2e');
  const filled = await fillDemo(services.platform, owner, Date.now());
  if (!filled.ok) throw new Error(`The demo was not filled: ${filled.reason} ${filled.detail ?? ''}`);
  const email = `demo.member.${process.pid}@example.com`;
  const member = (await services.emailAddresses.owner(email))?.userId ?? (await services.users.create({ email, name: 'Grace Hopper of the Demo Team', passwordHash: 'not a hash', activated: true }, async () => undefined)).id;
  const primary = await services.emailAddresses.primaryOf(member);
  if (primary && !primary.verifiedAt) await services.emailAddresses.markVerified(member, primary.id);
  const invited = await services.platform.invitations.invite(owner, 'demo', { email, role: 'member' });
  if (invited.ok) await services.platform.invitations.accept(systemActor(member, 'e2e'), invited.invitation.id);
}

/** An organization of the person's own, with one issue whose latest event has these frames; answers the issue's path. */
export async function issueWithFrames(
  origin: string,
  ownerEmail: string,
  slug: string,
  occurredAt: Date,
  frames: Array<{ file: string; function: string; line: number | null; inApp: boolean }>,
): Promise<string> {
  const { platform } = servicesAt(origin);
  const owner = systemActor(await userIdOf(origin, ownerEmail), 'e2e');
  const made = await platform.organizations.create(owner, { name: `Trace ${slug}`, slug });
  if (!made.ok) throw new Error(made.reason);
  await platform.organizations.createProject(owner, slug, { name: 'Web', slug: 'web' });
  const reported = await platform.reports.errorEvent(
    owner,
    slug,
    { project: 'web', fingerprint: null, title: 'TypeError: the basket is undefined', level: 'error', occurredAt, message: 'the basket was not loaded', frames },
    { eventId: `${slug}-1`, idempotencyKey: null, digest: slug, answer: (result) => ({ status: 201, body: JSON.stringify(result) }) },
  );
  if (!reported.ok) throw new Error(`The error was not reported: ${reported.reason}`);
  const issueId = (JSON.parse(reported.answer.body) as { issue: { id: number } }).issue.id;
  return `/orgs/${slug}/issues/${issueId}`;
}

/** Someone else's organization, whose owner invites this address to it; answers the organization's name. */
export async function invitationFor(origin: string, email: string, slug: string): Promise<string> {
  const services = servicesAt(origin);
  const ownerEmail = `owner.${slug}@example.com`;
  const ownerId = (await services.emailAddresses.owner(ownerEmail))?.userId ?? (await services.users.create({ email: ownerEmail, name: 'Dorothy Vaughan', passwordHash: 'not a hash', activated: true }, async () => undefined)).id;
  const owner = systemActor(ownerId, 'e2e');
  const name = `Invitation ${slug}`;
  const made = await services.platform.organizations.create(owner, { name, slug });
  if (!made.ok) throw new Error(made.reason);
  const invited = await services.platform.invitations.invite(owner, slug, { email, role: 'member' });
  if (!invited.ok) throw new Error(`The invitation was not made: ${invited.reason}`);
  return name;
}
