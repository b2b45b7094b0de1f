// The figures a latency chart draws, as numbers: the text alternative beside
// each chart (a table a screen reader reads, or anyone who cannot tell the lines apart).

export interface SampleSummary {
  count: number;
  min: number;
  median: number;
  max: number;
  /** The newest sample. */
  last: number;
}

/** Samples at or after `from` (same unit as `times`); undefined when there are none. */
export function summarize(times: readonly number[], values: readonly number[], from = -Infinity): SampleSummary | undefined {
  const shown = values.filter((_, index) => times[index]! >= from);
  if (shown.length === 0) return undefined;
  const sorted = [...shown].sort((a, b) => a - b);
  return {
    count: shown.length,
    min: sorted[0]!,
    median: sorted[Math.floor((sorted.length - 1) / 2)]!,
    max: sorted.at(-1)!,
    last: shown.at(-1)!,
  };
}
