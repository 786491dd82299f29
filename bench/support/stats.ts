/** Latency percentiles and peak RSS, the figures every benchmark prints. */
export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return 0;
  const i = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return Math.round(sortedMs[Math.max(0, i)]! * 100) / 100;
}

export function trackPeakRss(intervalMs = 100) {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, intervalMs);
  timer.unref();
  return {
    peakMb: () => Math.round((Math.max(peak, process.memoryUsage.rss()) / 1024 / 1024) * 10) / 10,
    stop: () => clearInterval(timer),
  };
}

/** Runs `total` operations with `concurrency` in flight; returns ops/s and sorted latencies. */
export async function runConcurrent(total: number, concurrency: number, op: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSec: Math.round(total / seconds), latencies, seconds };
}
