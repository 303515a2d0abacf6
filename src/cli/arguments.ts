/** The commands Dials knows, with what each one takes. */
export const commands = {
  serve: { options: [] },
  migrate: { options: [] },
  check: { options: [] },
  'create-admin': { options: ['email'] },
  'reset-password': { options: ['email'] },
  version: { options: [] },
  help: { options: [] },
} as const satisfies Record<string, { options: readonly string[] }>;

export type CommandName = keyof typeof commands;

export type ParsedArguments =
  | { ok: true; command: CommandName; options: Record<string, string> }
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
  const accepted: readonly string[] = commands[name].options;
  const options: Record<string, string> = {};
  for (let index = 0; index < rest.length; index += 1) {
    const argument = rest[index] ?? '';
    if (!argument.startsWith('--')) return { ok: false, problem: `"${name}" takes no argument "${argument}".` };
    const equals = argument.indexOf('=');
    const option = argument.slice(2, equals < 0 ? undefined : equals);
    if (!accepted.includes(option)) return { ok: false, problem: `"${name}" has no option "--${option}".` };
    let value = equals < 0 ? undefined : argument.slice(equals + 1);
    if (value === undefined) {
      const next = rest[index + 1];
      if (next === undefined || next.startsWith('--')) return { ok: false, problem: `"--${option}" needs a value.` };
      value = next;
      index += 1;
    }
    if (Object.hasOwn(options, option)) return { ok: false, problem: `"--${option}" is given twice.` };
    options[option] = value;
  }
  return { ok: true, command: name, options };
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
  --version                      print the version of Dials
  help                           print this help

Settings come from the environment or a .env file in the current folder (see the README).
Exit codes: 0 done, 1 the command failed or found a problem, 2 a wrong command line or configuration.
`;
