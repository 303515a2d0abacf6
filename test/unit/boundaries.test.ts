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

/** The part of Dials a file belongs to: its top folder, each settings page on its own, each top-level file on its own. */
function partOf(file: string): string {
  const parts = file.split('/');
  if (parts.length === 1) return file;
  return parts[0] === 'settings' ? `settings/${parts[1]}` : parts[0]!;
}

/** The graph between parts: an edge wherever one file imports a file of another part. */
function partGraph(graph: Map<string, string[]>): Map<string, string[]> {
  const parts = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const from = partOf(file);
    const edges = parts.get(from) ?? new Set<string>();
    for (const target of targets) if (partOf(target) !== from) edges.add(partOf(target));
    parts.set(from, edges);
  }
  return new Map([...parts].map(([part, edges]) => [part, [...edges]]));
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
const forbidden: { name: string; from: string; to: string[] }[] = [
  { name: 'web/ is cross-cutting and imports no page', from: 'web', to: pages },
  { name: 'db/ is the driver and imports no page', from: 'db', to: pages },
  { name: 'lib/ is plain code and imports nothing of the house', from: 'lib', to: [...pages, 'web', 'db', 'jobs'] },
  { name: 'mail/ is transport and outbox, and imports no page', from: 'mail', to: ['auth', 'settings', 'notify', 'platform'] },
  { name: 'auth/ sends mail through notify/, never through mail/ itself', from: 'auth', to: ['mail'] },
];

/** Imports that break a rule, as `file -> imported file`. */
function forbiddenImports(graph: Map<string, string[]>, rule: { from: string; to: string[] }): string[] {
  return [...graph]
    .filter(([file]) => topFolder(file) === rule.from)
    .flatMap(([file, targets]) => targets.filter((target) => rule.to.includes(topFolder(target))).map((target) => `${file} -> ${target}`));
}

describe('module boundaries', () => {
  const graph = importGraph();

  it('reads the imports of the whole source tree', () => {
    expect(graph.size).toBeGreaterThan(20);
    expect(graph.get('app.ts')?.length).toBeGreaterThan(5);
  });

  it.each(forbidden)('$name', (rule) => {
    expect(forbiddenImports(graph, rule)).toEqual([]);
  });

  it('has no import cycles between files', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('has no import cycles between parts (top folders, each settings page on its own)', () => {
    expect(importCycles(partGraph(graph))).toEqual([]);
  });

  it("reads a part's tables only from its own code (and from other tables, for foreign keys)", () => {
    const offending = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => /(^|\/)tables\.ts$/.test(target) && partOf(target) !== partOf(file) && !/(^|\/)tables\.ts$/.test(file))
        .map((target) => `${file} -> ${target}`),
    );
    expect(offending).toEqual([]);
  });

  it('finds a cycle and a forbidden import when there is one', () => {
    const sample = new Map([
      ['web/a.ts', ['auth/b.ts']],
      ['auth/b.ts', ['auth/c.ts']],
      ['auth/c.ts', ['auth/b.ts']],
    ]);
    expect(importCycles(sample)).toEqual(['auth/b.ts -> auth/c.ts -> auth/b.ts']);
    expect(forbiddenImports(sample, forbidden[0]!)).toEqual(['web/a.ts -> auth/b.ts']);
    const parts = new Map([
      ['settings/emails/service.ts', ['notify/notices.ts']],
      ['notify/notices.ts', ['settings/emails/service.ts', 'settings/account/service.ts']],
    ]);
    expect(importCycles(partGraph(parts))).toEqual(['notify -> settings/emails -> notify']);
    expect(importSpecifiers("import type { A } from './a.ts';\nexport { b } from \"../b.ts\";\nimport './c.ts';\nconst d = await import('./d.ts');"))
      .toEqual(['./a.ts', '../b.ts', './c.ts', './d.ts']);
  });
});
