import fs from 'node:fs';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

const projectRoot = new URL('../', import.meta.url).href;

/** Prints where the profiled server spent its time: the functions with the most self time, idle left out. */
export function summariseProfile(file: string, top = 25): void {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const selfMicros = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const frame = frames.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    if (!frame || frame.functionName === '(idle)') return;
    const url = frame.url.startsWith(projectRoot) ? frame.url.slice(projectRoot.length) : frame.url;
    const key = `${frame.functionName || '(anonymous)'}${url ? ` ${url}:${frame.lineNumber + 1}` : ''}`;
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
    total += delta;
  });
  console.log(`\nBusiest functions of the Dials server (self time; open ${file} in Chrome DevTools for more):`);
  for (const [key, micros] of [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${((micros / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
  }
}
