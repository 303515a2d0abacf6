// Loaded by `npm start` (`node --import ./src/compile-cache.mjs src/main.ts`) before any TypeScript:
// with Node's compile cache on from the first module, a start whose sources are unchanged reads
// each module's stripped and compiled code from the cache and never loads the TypeScript stripper
// (about 17 MB and 40 ms). Plain JavaScript, because a TypeScript file would itself need the stripper.
// See enableModuleCompileCache in module-hooks.ts for where the cache lives.
import { enableCompileCache } from 'node:module';

enableCompileCache();
