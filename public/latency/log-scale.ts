// The log scale the comparison chart and the bars share: whole decades from
// below the smallest figure to above the largest, so 3 ms and 500 ms are both
// readable and the two views line up.

/** Nothing is drawn below this (a log scale has no zero). */
export const FLOOR_MS = 0.1;

/** [low, high] in ms: decades around `values`, at least 1 ms to 1 s. */
export function logDomain(values: Iterable<number | undefined>): [number, number] {
  let low = 1;
  let high = 1000;
  for (const value of values) {
    if (value === undefined || !Number.isFinite(value)) continue;
    const clamped = Math.max(FLOOR_MS, value);
    low = Math.min(low, 10 ** Math.floor(Math.log10(clamped)));
    high = Math.max(high, 10 ** Math.ceil(Math.log10(clamped) - 1e-9));
  }
  return [low, high];
}

/** Where `ms` sits on the domain, 0 (low) to 1 (high), clamped. */
export function logPosition(ms: number, [low, high]: [number, number]): number {
  const position = (Math.log10(Math.max(FLOOR_MS, ms)) - Math.log10(low)) / (Math.log10(high) - Math.log10(low));
  return Math.min(1, Math.max(0, position));
}

/** The decade ticks of the domain: 1, 10, 100, … */
export function decades([low, high]: [number, number]): number[] {
  const ticks: number[] = [];
  for (let exponent = Math.round(Math.log10(low)); exponent <= Math.round(Math.log10(high)); exponent++) ticks.push(10 ** exponent);
  return ticks;
}

/** A tick label: "0.1", "1", "10", "1 s", "10 s". */
export function tickLabel(ms: number): string {
  if (ms >= 1000) return `${ms / 1000} s`;
  return ms < 1 ? ms.toFixed(1) : String(ms);
}
