// Several latency series on one x axis, as uPlot wants them (aligned data).
import { FLOOR_MS } from '../latency/log-scale.js';

export type AlignedData = [number[], ...Array<Array<number | null>>];

/** Samples of several series on one x axis (uPlot's aligned data): null where a series has no sample. */
export function alignSeries(series: Array<{ times: readonly number[]; values: readonly number[] }>, from: number): AlignedData {
  const times = [...new Set(series.flatMap((each) => each.times.filter((time) => time >= from)))].sort((a, b) => a - b);
  const index = new Map(times.map((time, position) => [time, position]));
  const columns = series.map((each) => {
    const column: Array<number | null> = new Array<number | null>(times.length).fill(null);
    each.times.forEach((time, position) => {
      const at = index.get(time);
      if (at !== undefined) column[at] = Math.max(FLOOR_MS, each.values[position]!);
    });
    return column;
  });
  return [times, ...columns];
}
