import { describe, expect, it } from 'vitest';
import { listProjectFiles, readProjectText } from '../../src/runtime/project-files.ts';
import { createTemplateEngine, notPageFolders, pageEngineOptions, pageViewSources } from '../../src/web/templates.ts';

describe('page templates compiled for the binary', () => {
  const sources = pageViewSources();

  it('covers every page template, and no mail template', () => {
    const pages = listProjectFiles('views').filter((file) => file.endsWith('.eta') && !notPageFolders.some((folder) => file.startsWith(`${folder}/`)));
    expect([...sources.keys()].sort()).toEqual(pages);
    expect(pages.length).toBeGreaterThan(20);
  });

  it('are the functions the page engine compiles at start, valid in the bundle (strict mode)', () => {
    const eta = createTemplateEngine(pageEngineOptions);
    for (const [file, source] of sources) {
      const made = new Function(`"use strict"; return (${source});`)() as (...args: unknown[]) => unknown;
      expect(typeof made, file).toBe('function');
      expect(made.length, file).toBe(2);
      expect(source, file).toContain(eta.compileToString(readProjectText(`views/${file}`), { async: false }));
    }
  });
});
