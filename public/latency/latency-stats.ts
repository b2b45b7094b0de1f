// One pane's latency figures: percentiles from an HDR histogram, plus the
// recent samples for the chart.
// The plain JS histogram, not the package's index: that one evaluates
// `require("zlib")` through eval() at load, which a strict CSP reports.
// It is CommonJS: as in Node, the default import is its module.exports.
import int32HistogramModule from 'hdr-histogram-js/dist/Int32Histogram.js';

const Int32Histogram = int32HistogramModule.default;
type Int32Histogram = InstanceType<typeof Int32Histogram>;

/** Points kept for the chart. */
const MAX_CHART_POINTS = 300;
/** The histogram records integers: microseconds keep sub-ms resolution. */
const MICROS_PER_MS = 1000;
/** One minute; the histogram grows if a latency is ever longer. */
const INITIAL_HIGHEST_MICROS = 60_000_000;

function newHistogram(): Int32Histogram {
  const histogram = new Int32Histogram(1, INITIAL_HIGHEST_MICROS, 3);
  histogram.autoResize = true;
  return histogram;
}

export class LatencyStats {
  #histogram = newHistogram();
  last: number | undefined;
  min = Infinity;
  max = 0;
  count = 0;
  /** Chart series: seconds since page load, latency in ms. */
  readonly times: number[] = [];
  readonly values: number[] = [];
  /** Bumped on every change so views can tell the arrays moved. */
  revision = 0;

  record(ms: number): void {
    this.#histogram.recordValue(Math.max(0, Math.round(ms * MICROS_PER_MS)));
    this.last = ms;
    this.max = Math.max(this.max, ms);
    this.min = Math.min(this.min, ms);
    this.count++;
    this.times.push(performance.now() / 1000);
    this.values.push(ms);
    if (this.times.length > MAX_CHART_POINTS) {
      this.times.shift();
      this.values.shift();
    }
    this.revision++;
  }

  /**
   * The histogram answers with the top of a bucket (3 significant digits), which
   * can lie above every sample ("p99 4960 / max 4956"): clamp to what was seen.
   */
  percentile(p: number): number | undefined {
    if (this.count === 0) return undefined;
    const value = this.#histogram.getValueAtPercentile(p) / MICROS_PER_MS;
    return Math.min(this.max, Math.max(this.min, value));
  }

  /**
   * The figures start over under new conditions (a knob or a lab setting
   * changed), so they say what the new ones do, at once; the chart keeps its
   * points, so the change itself stays visible.
   */
  restart(): void {
    this.#histogram.reset();
    this.last = undefined;
    this.min = Infinity;
    this.max = 0;
    this.count = 0;
    this.revision++;
  }

  reset(): void {
    this.#histogram.reset();
    this.last = undefined;
    this.min = Infinity;
    this.max = 0;
    this.count = 0;
    this.times.length = 0;
    this.values.length = 0;
    this.revision++;
  }
}

/** "12.3 ms", or an en dash when there is no figure yet. */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '–';
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}
