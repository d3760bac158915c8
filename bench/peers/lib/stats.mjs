// bench/peers/lib/stats.mjs — percentiles and formatting shared by the runners.

/** The q-quantile (0..1) of a sorted numeric array (nearest rank). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** median and p99 (in µs) of latencies given in ns (Float64Array or array). */
export function latencySummary(ns) {
  const s = Float64Array.from(ns).sort();
  return { median_us: quantile(s, 0.5) / 1000, p99_us: quantile(s, 0.99) / 1000 };
}

/** A number with a sensible number of significant digits and thousands separators. */
export function fmt(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  const a = Math.abs(x);
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
  return x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
