// Loaded with `node --import` by bench/startup.ts: on SIGUSR2 the process writes its memory use
// (MB, all threads' resident memory, the main thread's V8 heap) to BENCH_MEMORY_FILE.
import fs from 'node:fs';

const file = process.env.BENCH_MEMORY_FILE;
if (file) {
  process.on('SIGUSR2', () => {
    const { rss, heapUsed, heapTotal } = process.memoryUsage();
    const mb = (bytes: number) => bytes / 1024 / 1024;
    fs.writeFileSync(`${file}.tmp`, JSON.stringify({ rssMB: mb(rss), heapUsedMB: mb(heapUsed), heapTotalMB: mb(heapTotal) }));
    fs.renameSync(`${file}.tmp`, file);
  });
}
