import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The house's dependency rule (DESIGN.md, rule 2), read from the import statements themselves:
 * `web` and `db` import no page, `auth` sends no mail itself, and no module imports itself back
 * through others. Type-only imports count too: they are dependencies of the design all the same.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const src = path.join(root, 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Static `import … from`, `export … from`, bare `import '…'` and `import('…')`, comments removed first. */
function importSpecifiers(code: string): string[] {
  const withoutComments = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) {
    for (const match of withoutComments.matchAll(pattern)) found.push(match[1]!);
  }
  return found;
}

/** Source-relative path (`auth/routes.ts`) of every file under src/ each file imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(src)) {
    const from = path.relative(src, file).split(path.sep).join('/');
    const targets = importSpecifiers(fs.readFileSync(file, 'utf8'))
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => path.resolve(path.dirname(file), specifier))
      .filter((target) => target.startsWith(src + path.sep) && target.endsWith('.ts'))
      .map((target) => path.relative(src, target).split(path.sep).join('/'));
    graph.set(from, [...new Set(targets)]);
  }
  return graph;
}

function topFolder(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? '' : file.slice(0, slash);
}

/** Every elementary cycle found by a depth-first search, each reported once as `a -> b -> a`. */
function importCycles(graph: Map<string, string[]>): string[] {
  const cycles = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next));
        // Start each cycle at its smallest name, so the same cycle is reported once.
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.add([...rotated, rotated[0]].join(' -> '));
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return [...cycles].sort();
}

const pages = ['auth', 'settings', 'mail', 'notify', 'platform'];
const forbidden: { from: string; to: string[]; why: string }[] = [
  { from: 'web', to: pages, why: 'web/ is cross-cutting and imports no page' },
  { from: 'db', to: pages, why: 'db/ is the driver and imports no page' },
  { from: 'lib', to: [...pages, 'web', 'db'], why: 'lib/ is plain code and imports nothing of the house' },
  { from: 'auth', to: ['mail'], why: 'auth/ sends mail through notify/, never through mail/ itself' },
];

describe('module boundaries', () => {
  const graph = importGraph();

  it('reads the imports of the whole source tree', () => {
    expect(graph.size).toBeGreaterThan(20);
    expect(graph.get('app.ts')?.length).toBeGreaterThan(5);
  });

  it.each(forbidden)('$from/ does not import $to ($why)', ({ from, to }) => {
    const offending = [...graph]
      .filter(([file]) => topFolder(file) === from)
      .flatMap(([file, targets]) => targets.filter((target) => to.includes(topFolder(target))).map((target) => `${file} -> ${target}`));
    expect(offending).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('finds a cycle and a forbidden import when there is one', () => {
    const sample = new Map([
      ['web/a.ts', ['auth/b.ts']],
      ['auth/b.ts', ['auth/c.ts']],
      ['auth/c.ts', ['auth/b.ts']],
    ]);
    expect(importCycles(sample)).toEqual(['auth/b.ts -> auth/c.ts -> auth/b.ts']);
    expect(importSpecifiers("import type { A } from './a.ts';\nexport { b } from \"../b.ts\";\nimport './c.ts';\nconst d = await import('./d.ts');"))
      .toEqual(['./a.ts', '../b.ts', './c.ts', './d.ts']);
  });
});
