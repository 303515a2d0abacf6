import { describe, expect, it } from 'vitest';
import { parseArguments } from '../../src/cli/arguments.ts';

describe('the command line', () => {
  it('serves when given nothing, and reads each command with its options', () => {
    const none = { flags: [], argument: null };
    expect(parseArguments([])).toEqual({ ok: true, command: 'serve', options: {}, ...none });
    expect(parseArguments(['check'])).toEqual({ ok: true, command: 'check', options: {}, ...none });
    expect(parseArguments(['--version'])).toEqual({ ok: true, command: 'version', options: {}, ...none });
    expect(parseArguments(['-h'])).toEqual({ ok: true, command: 'help', options: {}, ...none });
    expect(parseArguments(['reset-password', '--email', 'a@example.com'])).toEqual({ ok: true, command: 'reset-password', options: { email: 'a@example.com' }, ...none });
    expect(parseArguments(['create-admin', '--email=a@example.com'])).toEqual({ ok: true, command: 'create-admin', options: { email: 'a@example.com' }, ...none });
    expect(parseArguments(['backup', 'dials.dials-backup'])).toEqual({ ok: true, command: 'backup', options: {}, flags: [], argument: 'dials.dials-backup' });
    expect(parseArguments(['restore', '--force', 'b.dials-backup'])).toEqual({ ok: true, command: 'restore', options: {}, flags: ['force'], argument: 'b.dials-backup' });
    expect(parseArguments(['restore', 'b.dials-backup'])).toEqual({ ok: true, command: 'restore', options: {}, flags: [], argument: 'b.dials-backup' });
  });

  it('names what is wrong', () => {
    const problem = (argv: string[]) => {
      const parsed = parseArguments(argv);
      return parsed.ok ? null : parsed.problem;
    };
    expect(problem(['frobnicate'])).toBe('Unknown command "frobnicate".');
    expect(problem(['--frobnicate'])).toBe('Unknown option "--frobnicate".');
    expect(problem(['__proto__'])).toBe('Unknown command "__proto__".');
    expect(problem(['check', '--email', 'a@example.com'])).toBe('"check" has no option "--email".');
    expect(problem(['create-admin', '--email'])).toBe('"--email" needs a value.');
    expect(problem(['create-admin', '--email', '--email'])).toBe('"--email" needs a value.');
    expect(problem(['create-admin', '--email', 'a@x.org', '--email=b@x.org'])).toBe('"--email" is given twice.');
    expect(problem(['migrate', 'now'])).toBe('"migrate" takes no argument "now".');
    expect(problem(['backup'])).toBe('"backup" needs a FILE: dials backup FILE.');
    expect(problem(['backup', 'a', 'b'])).toBe('"backup" takes one FILE; "b" is one too many.');
    expect(problem(['backup', 'a', '--force'])).toBe('"backup" has no option "--force".');
    expect(problem(['restore', '--force'])).toBe('"restore" needs a FILE: dials restore FILE.');
    expect(problem(['restore', 'a', '--force=yes'])).toBe('"--force" takes no value.');
    expect(problem(['restore', 'a', '--force', '--force'])).toBe('"--force" is given twice.');
  });
});
