import { describe, expect, it } from 'vitest';
import { parseArguments } from '../../src/cli/arguments.ts';

describe('the command line', () => {
  it('serves when given nothing, and reads each command with its options', () => {
    expect(parseArguments([])).toEqual({ ok: true, command: 'serve', options: {} });
    expect(parseArguments(['check'])).toEqual({ ok: true, command: 'check', options: {} });
    expect(parseArguments(['--version'])).toEqual({ ok: true, command: 'version', options: {} });
    expect(parseArguments(['-h'])).toEqual({ ok: true, command: 'help', options: {} });
    expect(parseArguments(['reset-password', '--email', 'a@example.com'])).toEqual({ ok: true, command: 'reset-password', options: { email: 'a@example.com' } });
    expect(parseArguments(['create-admin', '--email=a@example.com'])).toEqual({ ok: true, command: 'create-admin', options: { email: 'a@example.com' } });
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
  });
});
