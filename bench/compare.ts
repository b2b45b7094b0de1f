// The developers' regression guard (`--compare FILE`): each transport's
// ratios to its bare baseline, this run against a saved report. Ratios to a
// baseline measured in the same run, not absolute figures, so a slower or
// busier machine does not fail it; each is the best of the saturation rounds.
import type { Baseline, BenchReport } from './report.js';

interface GuardedRatio {
  key: 'oursOverBarePerCpuSecond' | 'oursOverBareWireBytes';
  label: string;
  /** Deliveries per CPU-second: more is better. Bytes per delivery: fewer is better. */
  higherIsBetter: boolean;
}

export const GUARDED_RATIOS: readonly GuardedRatio[] = [
  { key: 'oursOverBarePerCpuSecond', label: 'deliveries per server CPU-second, ours/bare', higherIsBetter: true },
  { key: 'oursOverBareWireBytes', label: 'wire bytes per delivery, ours/bare', higherIsBetter: false },
];

export interface Comparison {
  /** One line per guarded ratio and transport, for the console. */
  lines: string[];
  /** What fails the guard; empty when it passes. */
  failures: string[];
}

/**
 * Fails when a ratio got worse by more than `tolerance` (0.2: ours lost more
 * than 20 % against bare, e.g. 1.0 -> 0.79 per CPU-second, or bytes 1.1 ->
 * 1.38), or when this run lost, doubled or reordered anything.
 */
export function compareReports(current: BenchReport, saved: BenchReport, tolerance = 0.2): Comparison {
  const lines: string[] = [];
  const failures = current.failures.map((failure) => `deliveries: ${failure}`);
  for (const now of current.baselines) {
    const before: Baseline | undefined = saved.baselines.find((row) => row.comparesTo === now.comparesTo);
    if (!before) {
      lines.push(`${now.comparesTo}: not in the saved report, nothing to compare`);
      continue;
    }
    for (const { key, label, higherIsBetter } of GUARDED_RATIOS) {
      // How good it is now relative to before: 1 = the same, 0.8 = 20 % worse.
      const relative = higherIsBetter ? now[key] / before[key] : before[key] / now[key];
      const line = `${now.comparesTo}: ${label} ${before[key]} -> ${now[key]} (${relative >= 1 ? '+' : ''}${Math.round((relative - 1) * 100)} %)`;
      const worse = !(relative >= 1 - tolerance);
      lines.push(`${worse ? 'FAIL' : 'ok  '} ${line}`);
      if (worse) failures.push(line);
    }
  }
  for (const before of saved.baselines) {
    if (!current.baselines.some((row) => row.comparesTo === before.comparesTo))
      lines.push(`${before.comparesTo}: not measured in this run`);
  }
  return { lines, failures };
}
