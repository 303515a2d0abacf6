import type { ChildProcess, ForkOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { fromBinary, projectPath, readProjectText } from './project-files.ts';

/** Set in a helper's environment by the binary; src/main.ts then runs that helper instead of Dials. */
export const helperRoleVariable = 'DIALS_HELPER_ROLE';

/** Each helper process Dials starts, and its source file. */
export const helperSources = {
  'password-worker': 'src/auth/password-worker.ts',
} as const;

export type HelperRole = keyof typeof helperSources;

export function isHelperRole(value: string | undefined): value is HelperRole {
  return value !== undefined && Object.hasOwn(helperSources, value);
}

/**
 * Starts a helper process with an IPC channel. From sources it runs the helper's file; the binary
 * has no files to run, so it runs itself again with the role in the environment (its own Node
 * options are built in, so `execArgv` applies from sources only).
 */
/** The asset under which the binary carries a helper, bundled apart from Dials so that its code is not loaded with Dials. */
export function helperAsset(role: HelperRole): string {
  return `helpers/${role}.cjs`;
}

/**
 * Runs a helper the binary carries (helperAsset). The bundled helper is a CommonJS file that
 * requires only Node's own modules.
 */
export function runEmbeddedHelper(role: HelperRole): void {
  const file = helperAsset(role);
  const run = vm.compileFunction(readProjectText(file), ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file });
  const module = { exports: {} };
  run(module.exports, createRequire(process.execPath), module, file, '.');
}

export function forkHelper(role: HelperRole, options: { execArgv: string[]; stdio: ForkOptions['stdio'] }): ChildProcess {
  // Loaded when a helper is first started, not with Dials: node:child_process is a few milliseconds of every start.
  const { fork } = process.getBuiltinModule('node:child_process');
  if (!fromBinary) return fork(projectPath(helperSources[role]), [], options);
  return fork(process.execPath, [], { stdio: options.stdio, execArgv: [], env: { ...process.env, [helperRoleVariable]: role } });
}
