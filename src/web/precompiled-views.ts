import type { Eta } from 'eta';

/** A page template as Eta compiles it: called with the engine as `this`, the data and the render options. */
export type PrecompiledView = (this: Eta, it: object, options: object) => string;

/**
 * The page templates compiled when the binary is built, by file under views/ ("layout.eta"). From the
 * sources there are none and registerRendering compiles them at start; the build replaces this module
 * with every page template compiled by the same engine settings (scripts/build/bundle.ts), so that the
 * binary spends no start-up time on it, and compiles a template's code only when it is first rendered.
 */
export const precompiledViews: Readonly<Record<string, PrecompiledView>> | null = null;
