import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN.md rule 4: a page's service takes the Actor and answers with a result union, never a
 * web type (no Viewer in, no FieldErrors out). Read from the import statements of each service.
 */

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');


function services(): string[] {
  const settings = path.join(src, 'settings');
  return fs
    .readdirSync(settings, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(settings, entry.name, 'service.ts')))
    .map((entry) => `settings/${entry.name}/service.ts`);
}

const importsWeb = (file: string) => /\bfrom\s*['"](?:\.\.\/)+web\//.test(fs.readFileSync(path.join(src, file), 'utf8'));

describe('page services', () => {
  it('are found', () => {
    expect(services()).toEqual(expect.arrayContaining(['settings/account/service.ts', 'settings/security/service.ts', 'settings/emails/service.ts']));
  });

  it('import nothing from web/: they take the Actor, not a Viewer, and return result unions, not FieldErrors', () => {
    expect(services().filter(importsWeb)).toEqual([]);
  });
});
