import fs from 'node:fs';

type CallFrame = { functionName: string; scriptId: string; url: string; lineNumber: number };
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

const projectRoot = new URL('../', import.meta.url).href;

/**
 * Prints where the profiled server spent its busy time: the functions with the most self time,
 * and Dials' own functions (src/) with the most total time, callees included.
 */
export function summariseProfile(file: string, top = 20): void {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const parents = new Map(profile.nodes.flatMap((node) => (node.children ?? []).map((child) => [child, node.id] as const)));
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const frame = frames.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    if (!frame || frame.functionName === '(idle)') return;
    total += delta;
    add(self, describe(frame), delta);
    const seen = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parents.get(node)) {
      const caller = frames.get(node);
      if (!caller?.url.startsWith(`${projectRoot}src/`) || seen.has(describe(caller))) continue;
      seen.add(describe(caller));
      add(inclusive, describe(caller), delta);
    }
  });
  const print = (title: string, times: Map<string, number>) => {
    console.log(`\n${title}`);
    for (const [key, micros] of [...times].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${((micros / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
    }
  };
  console.log(`\nCPU profile of the Dials server while it was measured: ${file} (open it in Chrome DevTools).`);
  print('Self time, as a share of busy time:', self);
  print('Total time (callees included) of Dials functions, as a share of busy time:', inclusive);
}

function add(times: Map<string, number>, key: string, micros: number): void {
  times.set(key, (times.get(key) ?? 0) + micros);
}

/** Names a frame; code without a file is either native (script 0) or compiled at run time (Eta templates). */
function describe(frame: CallFrame): string {
  if (frame.url) {
    const url = frame.url.startsWith(projectRoot) ? frame.url.slice(projectRoot.length) : frame.url;
    return `${frame.functionName || '(anonymous)'} ${url}:${frame.lineNumber + 1}`;
  }
  if (frame.scriptId !== '0') return `${frame.functionName || '(anonymous)'} (compiled at run time: an Eta template)`;
  return frame.functionName || '(native code called from JavaScript, e.g. SQLite)';
}
