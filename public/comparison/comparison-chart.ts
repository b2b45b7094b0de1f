// <comparison-chart>: every transport's latency samples over the last minute
// on one uPlot chart, log-scale y (uPlot `distr: 3`), one series per
// transport in its own colour and dash, a legend naming each. Axis text
// follows the page's font size (Large text) and the colours its theme, read
// when the chart is built. Its height is the CSS's (.chart-sizer): what the
// screen has left once the toolbar, the presenter bar, the rest of the
// comparison view and the panes' key figures have theirs.
import { LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import uPlot from 'uplot';
import type { TransportName } from '../../src/chat/transports.js';
import type { LatencyStats } from '../latency/latency-stats.js';
import { decades, logDomain, tickLabel } from '../latency/log-scale.js';
import { alignSeries } from './align-series.js';
import { CONTRAST_CLASS, displayName, transportStyle } from '../transport-style.js';

/** Seconds of history on the x axis. */
export const CHART_WINDOW_S = 60;

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
  /** A new value (font size, theme) rebuilds the chart with the page's current look. */
  @property() look = '';
  #plot: uPlot | undefined;
  #builtFor = '';
  #now = 0;
  readonly #sizer: HTMLDivElement = Object.assign(document.createElement('div'), { className: 'chart-sizer' });
  #resizeObserver = new ResizeObserver(() => this.#plot?.setSize(this.#size()));

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.append(this.#sizer);
    this.#resizeObserver.observe(this);
    this.#resizeObserver.observe(this.#sizer);
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
      this.#now - CHART_WINDOW_S,
    );
    const key = `${this.series.map(({ name }) => name).join()} ${this.look}`;
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

  /** The sizer's height (see styles.css): ≥ 300 px at 1080p, about 150 px on a 720p projector. */
  #size(): { width: number; height: number } {
    return { width: Math.max(300, this.clientWidth), height: Math.max(100, Math.round(this.#sizer.clientHeight)) };
  }

  #options(): uPlot.Options {
    const fontPx = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 15;
    const font = `${Math.round(fontPx * 0.9)}px system-ui, sans-serif`;
    const labelFont = `600 ${Math.round(fontPx * 0.9)}px system-ui, sans-serif`;
    const contrast = document.documentElement.classList.contains(CONTRAST_CLASS);
    const axis = {
      font,
      labelFont,
      stroke: contrast ? '#000' : '#1c2330',
      grid: { stroke: contrast ? '#9aa1aa' : '#e3e6ea' },
      ticks: { stroke: contrast ? '#5b6470' : '#c0c6ce' },
    };
    return {
      ...this.#size(),
      legend: { live: false },
      cursor: { show: false },
      scales: {
        x: { time: false, range: () => [this.#now - CHART_WINDOW_S, this.#now] },
        y: { distr: 3, range: () => this.domain },
      },
      axes: [
        {
          ...axis,
          label: 'seconds ago',
          labelSize: fontPx * 1.4,
          size: fontPx * 2,
          // Whole tens of seconds ago, not wherever the moving window happens to start.
          splits: () => Array.from({ length: CHART_WINDOW_S / 10 + 1 }, (_, index) => this.#now - CHART_WINDOW_S + index * 10),
          values: (_plot, splits) => splits.map((split) => `${Math.round(split - this.#now)}`),
        },
        {
          ...axis,
          label: 'ms (log)',
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
            width: contrast ? 3.5 : 2.5,
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
