interface CommandSpec {
  /** Options that take a value (`--email ADDRESS`). */
  options: readonly string[];
  /** Options that stand alone (`--force`). */
  flags?: readonly string[];
  /** The one argument the command needs (`FILE`), if any. */
  argument?: string;
}

/** The commands Dials knows, with what each one takes. */
export const commands = {
  serve: { options: [] },
  migrate: { options: [] },
  check: { options: [] },
  'create-admin': { options: ['email'] },
  'reset-password': { options: ['email'] },
  demo: { options: ['email'] },
  backup: { options: [], argument: 'FILE' },
  restore: { options: [], flags: ['force'], argument: 'FILE' },
  version: { options: [] },
  help: { options: [] },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof commands;

export type ParsedArguments =
  | { ok: true; command: CommandName; options: Record<string, string>; flags: string[]; argument: string | null }
  | { ok: false; problem: string };

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}

/** Shorthands that stand for a command. */
const aliases: Record<string, CommandName> = { '--version': 'version', '-v': 'version', '--help': 'help', '-h': 'help' };

/**
 * Reads the command line (without node and the script): one command (serve when none), then its
 * options as `--name value` or `--name=value`. Anything else is a problem, named in plain words.
 */
export function parseArguments(argv: readonly string[]): ParsedArguments {
  const [first, ...rest] = argv;
  const name = first === undefined ? 'serve' : (aliases[first] ?? first);
  if (!isCommand(name)) {
    return { ok: false, problem: first?.startsWith('-') ? `Unknown option "${first}".` : `Unknown command "${first}".` };
  }
  const spec: CommandSpec = commands[name];
  const options: Record<string, string> = {};
  const flags: string[] = [];
  let argument: string | null = null;
  for (let index = 0; index < rest.length; index += 1) {
    const given = rest[index] ?? '';
    if (!given.startsWith('--')) {
      if (!spec.argument) return { ok: false, problem: `"${name}" takes no argument "${given}".` };
      if (argument !== null) return { ok: false, problem: `"${name}" takes one ${spec.argument}; "${given}" is one too many.` };
      argument = given;
      continue;
    }
    const equals = given.indexOf('=');
    const option = given.slice(2, equals < 0 ? undefined : equals);
    if (spec.flags?.includes(option)) {
      if (equals >= 0) return { ok: false, problem: `"--${option}" takes no value.` };
      if (flags.includes(option)) return { ok: false, problem: `"--${option}" is given twice.` };
      flags.push(option);
      continue;
    }
    if (!spec.options.includes(option)) return { ok: false, problem: `"${name}" has no option "--${option}".` };
    let value = equals < 0 ? undefined : given.slice(equals + 1);
    if (value === undefined) {
      const next = rest[index + 1];
      if (next === undefined || next.startsWith('--')) return { ok: false, problem: `"--${option}" needs a value.` };
      value = next;
      index += 1;
    }
    if (Object.hasOwn(options, option)) return { ok: false, problem: `"--${option}" is given twice.` };
    options[option] = value;
  }
  if (spec.argument && argument === null) return { ok: false, problem: `"${name}" needs a ${spec.argument}: dials ${name} ${spec.argument}.` };
  return { ok: true, command: name, options, flags, argument };
}

export const usage = `Usage: dials [command] [options]
       (from the sources: npm start -- [command] [options])

Commands:
  serve                          start Dials (the default)
  migrate                        apply pending database migrations and exit
  check                          check the configuration and the database (integrity,
                                 foreign keys, pending migrations); exit 0 when all is well
  create-admin --email ADDRESS   print a one-time link that creates an administrator
                                 account with this address
  reset-password --email ADDRESS print a one-time password-reset link for the account
                                 with this address, to pass on to its owner
  demo [--email ADDRESS]         fill this Dials with a demo organization ("Demo", /orgs/demo):
                                 projects, pipelines, a week of builds, deploys and issues,
                                 owned by the first administrator or the account with this
                                 address; running it again adds nothing twice
  backup FILE                    write a backup (the database and secret.key, in one file)
                                 to FILE, also while Dials is serving
  restore FILE [--force]         put a backup back into the data folder of a stopped Dials;
                                 --force replaces an existing database (kept aside)
  --version                      print the version of Dials
  help                           print this help

Settings come from the environment or a .env file in the current folder (see the README).
Exit codes: 0 done, 1 the command failed or found a problem, 2 a wrong command line or configuration.
`;
