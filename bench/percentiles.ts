// Percentiles of a short run's latencies, through the same HDR histogram the
// benchmark's ledger keeps (microsecond resolution, three significant digits).
import * as hdr from 'hdr-histogram-js';

/** The value at each of `percentiles` of `valuesMs`, in ms and in the same order; NaN for each when there are none. */
export function percentilesMs<T extends readonly number[]>(
  valuesMs: readonly number[],
  percentiles: readonly [...T],
): { [K in keyof T]: number } {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  for (const valueMs of valuesMs) histogram.recordValue(Math.max(1, Math.round(valueMs * 1000)));
  const values = percentiles.map((p) => (valuesMs.length === 0 ? NaN : histogram.getValueAtPercentile(p) / 1000));
  histogram.destroy();
  return values as { [K in keyof T]: number };
}
