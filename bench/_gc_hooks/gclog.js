// Loaded by the Twilio mock (Node, through NODE_OPTIONS=--require) when the pipeline bench runs with
// --log-gc: logs each V8 garbage collection of 2 ms or more to <dir>/node.<pid>, one line
// "<wall time> <kind> <milliseconds>" (kind: minor, major, incremental, weakcb).
const dir = process.env.FUGITIVE_ALERTS_BENCH_GC_LOG;
if (dir) {
  const fs = require('fs');
  const path = require('path');
  const { PerformanceObserver, performance, constants } = require('perf_hooks');
  const kinds = {
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  const fd = fs.openSync(path.join(dir, `node.${process.pid}`), 'a');
  fs.writeSync(fd, `# ${process.argv.join(' ').slice(0, 200)}\n`);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.duration >= 2) {
        const kind = kinds[e.detail ? e.detail.kind : e.kind] || 'other';
        fs.writeSync(fd, `${((performance.timeOrigin + e.startTime) / 1000).toFixed(6)} ${kind} ${e.duration.toFixed(1)}\n`);
      }
    }
  }).observe({ entryTypes: ['gc'] });
}
