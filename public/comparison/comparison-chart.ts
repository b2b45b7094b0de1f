// <comparison-chart>: every transport's latency samples over the last minute
// on one uPlot chart, log-scale y (uPlot `distr: 3`), one series per
// transport in its own colour and dash, a legend naming each. Axis text
// follows the page's font size (Large text), read when the chart is built.
import { LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import uPlot from 'uplot';
import type { TransportName } from '../../src/chat/transports.js';
import type { LatencyStats } from '../latency/latency-stats.js';
import { decades, logDomain, tickLabel } from '../latency/log-scale.js';
import { alignSeries } from './align-series.js';
import { displayName, transportStyle } from '../transport-style.js';

/** Seconds of history on the x axis. */
const WINDOW_S = 60;

export interface ChartSeries {
  name: TransportName;
  stats: LatencyStats;
}

@customElement('comparison-chart')
export class ComparisonChart extends LitElement {
  @property({ attribute: false }) series: ChartSeries[] = [];
  /** Shared with the bars, so both use one scale. */
  @property({ attribute: false }) domain: [number, number] = [1, 1000];
  @property({ type: Number }) revision = 0;
  /** A new value rebuilds the chart with the page's current font size. */
  @property({ type: Boolean }) largeText = false;
  #plot: uPlot | undefined;
  #builtFor = '';
  #now = 0;
  #resizeObserver = new ResizeObserver(() => this.#plot?.setSize(this.#size()));

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resizeObserver.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resizeObserver.disconnect();
    this.#destroy();
  }

  protected override updated(): void {
    this.#now = performance.now() / 1000;
    const data = alignSeries(
      this.series.map(({ stats }) => stats),
      this.#now - WINDOW_S,
    );
    const key = `${this.series.map(({ name }) => name).join()} ${this.largeText}`;
    if (this.#plot && key === this.#builtFor) {
      this.#plot.setData(data);
      return;
    }
    this.#destroy();
    this.#builtFor = key;
    this.#plot = new uPlot(this.#options(), data, this);
    this.dataset.series = String(this.series.length);
  }

  #destroy(): void {
    this.#plot?.destroy();
    this.#plot = undefined;
  }

  /** Height follows the viewport: ≥ 300 px at 1080p, about 160 px on a 720p projector, so the timeline below still fits. */
  #size(): { width: number; height: number } {
    return { width: Math.max(300, this.clientWidth), height: Math.round(Math.min(340, Math.max(160, innerHeight * 0.42 - 140))) };
  }

  #options(): uPlot.Options {
    const fontPx = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 15;
    const font = `${Math.round(fontPx * 0.9)}px system-ui, sans-serif`;
    const labelFont = `600 ${Math.round(fontPx * 0.9)}px system-ui, sans-serif`;
    const axis = { font, labelFont, stroke: '#1c2330', grid: { stroke: '#e3e6ea' }, ticks: { stroke: '#c0c6ce' } };
    return {
      ...this.#size(),
      legend: { live: false },
      cursor: { show: false },
      scales: {
        x: { time: false, range: () => [this.#now - WINDOW_S, this.#now] },
        y: { distr: 3, range: () => this.domain },
      },
      axes: [
        {
          ...axis,
          label: 'seconds ago',
          labelSize: fontPx * 1.4,
          size: fontPx * 2,
          // Whole tens of seconds ago, not wherever the moving window happens to start.
          splits: () => Array.from({ length: WINDOW_S / 10 + 1 }, (_, index) => this.#now - WINDOW_S + index * 10),
          values: (_plot, splits) => splits.map((split) => `${Math.round(split - this.#now)}`),
        },
        {
          ...axis,
          label: 'latency, ms (log)',
          labelSize: fontPx * 1.4,
          size: fontPx * 3.5,
          // Decades only: uPlot's log grid would also draw 2…9 of each, a blur at this size.
          splits: () => decades(this.domain),
          // uPlot hands null for a tick it dropped for lack of room (a short chart on a 720p screen).
          values: (_plot, splits) => splits.map((split: number | null) => (split === null ? '' : tickLabel(split))),
        },
      ],
      series: [
        {},
        ...this.series.map(({ name }) => {
          const style = transportStyle(name);
          return {
            label: `${style.glyph} ${displayName(name)}`,
            stroke: style.colour,
            dash: style.dash,
            width: 2.5,
            spanGaps: true,
            points: { show: true, size: 6, fill: style.colour },
          };
        }),
      ],
    };
  }
}

/** The chart's y domain for these series and extra figures (the bars' expected marks). */
export function chartDomain(series: ChartSeries[], extra: Array<number | undefined>): [number, number] {
  return logDomain([...series.flatMap(({ stats }) => stats.values), ...extra]);
}

declare global {
  interface HTMLElementTagNameMap {
    'comparison-chart': ComparisonChart;
  }
}
