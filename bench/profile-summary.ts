import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Prints where the profiled server spent its time: the functions with the most self time. */
export function summariseProfiles(directory: string, top = 25): void {
  for (const file of fs.readdirSync(directory).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8')) as CpuProfile;
    const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    const selfMicros = new Map<string, number>();
    let total = 0;
    profile.samples.forEach((id, index) => {
      const frame = frames.get(id);
      const delta = profile.timeDeltas[index] ?? 0;
      if (!frame || frame.functionName === '(idle)') return;
      const where = frame.url ? `${shorten(frame.url)}:${frame.lineNumber + 1}` : '';
      const key = `${frame.functionName || '(anonymous)'} ${where}`.trim();
      selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
      total += delta;
    });
    console.log(`\nBusiest functions (self time, idle excluded) in ${path.join(directory, file)}:`);
    for (const [key, micros] of [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${((micros / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
    }
  }
}

const projectRoot = new URL('../', import.meta.url).href;

/** file:///…/dials/src/web/render.ts → src/web/render.ts */
function shorten(url: string): string {
  return url.startsWith(projectRoot) ? url.slice(projectRoot.length) : url;
}
