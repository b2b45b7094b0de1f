// <latency-chart>: a pane's latency over time, drawn by uPlot.
import { LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import uPlot from 'uplot';
import type { LatencyStats } from './latency/latency-stats.js';

const HEIGHT = 120;

@customElement('latency-chart')
export class LatencyChart extends LitElement {
  @property({ attribute: false }) stats: LatencyStats | undefined;
  /** Changes whenever the stats do (their arrays change in place). */
  @property({ type: Number }) revision = 0;
  #plot: uPlot | undefined;
  #resizeObserver = new ResizeObserver(() => this.#plot?.setSize({ width: this.#width(), height: HEIGHT }));

  // Light DOM, so uPlot's stylesheet (bundled into app.css) applies.
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
    this.#plot?.destroy();
    this.#plot = undefined;
  }

  protected override updated(): void {
    const data: uPlot.AlignedData = [this.stats?.times ?? [], this.stats?.values ?? []];
    if (this.#plot) this.#plot.setData(data);
    else this.#plot = new uPlot(this.#options(), data, this);
  }

  #width(): number {
    return Math.max(200, this.clientWidth);
  }

  #options(): uPlot.Options {
    return {
      width: this.#width(),
      height: HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false }, y: { range: (_plot, _min, max) => [0, Math.max(10, max * 1.1)] } },
      axes: [
        { label: 'seconds since the page opened', size: 30 },
        { label: 'ms', size: 50, space: 20 },
      ],
      series: [{}, { label: 'latency', stroke: '#2a7ae2', width: 1.5, points: { show: true, size: 4 } }],
    };
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'latency-chart': LatencyChart;
  }
}
