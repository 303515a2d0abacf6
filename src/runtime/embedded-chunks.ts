import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { readProjectText } from './project-files.ts';

/**
 * Packages the binary carries bundled apart from Dials' own code, because Dials needs them late or
 * seldom: sending mail over SMTP, the API's OpenAPI document, authenticator-app QR codes, Fastify's
 * JSON-schema compilers. Dials' own code is held in memory and prepared at every start; these are
 * read and compiled only when first required. From the sources nothing here runs.
 */
export const embeddedChunks = ['nodemailer', '@fastify/swagger', 'qrcode', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'] as const;

/** The asset under which the binary carries a chunk (scripts/build/bundle.ts makes it). */
export function chunkAsset(name: string): string {
  return `chunks/${name}.cjs`;
}

const loaded = new Map<string, unknown>();

/** A chunk's `module.exports`, run once, when first required; it requires only Node's own modules. */
export function requireEmbeddedChunk(name: string): unknown {
  if (loaded.has(name)) return loaded.get(name);
  const file = chunkAsset(name);
  const run = vm.compileFunction(readProjectText(file), ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  const module = { exports: {} as unknown };
  run(module.exports, createRequire(process.execPath), module, process.execPath, path.dirname(process.execPath));
  loaded.set(name, module.exports);
  return module.exports;
}
