import type { Config } from '../config.ts';
import { systemActor } from '../lib/actor.ts';
import type { DemoCounts } from '../platform/demo.ts';
import type { Services } from '../services.ts';
import type { ExitCode, Output } from './output.ts';

const describe = (counts: DemoCounts) =>
  `${counts.projects} projects, ${counts.pipelines} pipelines, ${counts.builds} builds, ${counts.deploys} deploys, ${counts.errorEvents} error events, ${counts.activity} issue activities`;

/**
 * `dials demo [--email ADDRESS]`: fills this instance with the demo organization "Demo" (slug
 * `demo`) and makes the first administrator, or the account with this address, its owner. Every
 * row is written through the platform's services with fixed event ids, so a second run finds
 * everything there and writes nothing again.
 */
export async function runDemo(services: Services, db: import('../db/client.ts').Db, config: Config, email: string | null, now: number, output: Output): Promise<ExitCode> {
  const { firstAdministrator } = await import('../auth/administrators.ts');
  const { demoSlug, fillDemo } = await import('../platform/demo.ts');
  let person: { id: number; email: string } | null;
  if (email === null) {
    if ((await services.users.count()) === 0 || !(person = await firstAdministrator(db))) {
      output.err(
        'This Dials has no administrator yet, so there is nobody to own the demo organization.\n' +
          'Create the administrator first: start Dials and open the set-up link it prints, or run "dials create-admin --email ADDRESS" and open its link.\n' +
          'Then run "npm run demo" (or "dials demo") again; "--email ADDRESS" names another account as the owner.\n',
      );
      return 2;
    }
  } else {
    const owner = await services.emailAddresses.owner(email);
    if (!owner) {
      output.err(`No account has the address ${email}. Nothing was changed.\n`);
      return 1;
    }
    person = { id: owner.userId, email };
  }
  const actor = systemActor(person.id, 'demo');

  // An organization at the demo's address that this person does not own is someone else's: it is
  // never joined nor filled (whoever took the address first would otherwise gain the person as a member).
  const filled = await fillDemo(services.platform, actor, now);
  if (!filled.ok) {
    output.err(
      filled.reason === 'slugTaken'
        ? `An organization with the address "${demoSlug}" exists and ${person.email} is not its owner, so the demo was not made. Nothing was changed.\n`
        : `The demo could not be filled: ${filled.detail ?? filled.reason}.\n`,
    );
    return 1;
  }
  const { summary } = filled;
  const url = new URL(`/orgs/${demoSlug}`, config.publicUrl);
  output.out(
    `${summary.organizationCreated ? 'Made' : 'Found'} the organization "Demo" (/orgs/${demoSlug}), owned by ${person.email}.\n` +
      `Made now:        ${describe(summary.made)}.\n` +
      `Already there:   ${describe(summary.alreadyThere)} (running the demo again doubles nothing).\n` +
      `Issues: ${summary.issues}.\n\n` +
      `Open ${url.href} (log in as ${person.email}).\n`,
  );
  return 0;
}
