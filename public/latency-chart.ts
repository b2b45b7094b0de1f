// <latency-chart>: a pane's latency over time, drawn by uPlot, and its text
// alternative (the same samples' figures in a visually hidden table).
import { html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import uPlot from 'uplot';
import type { LatencyStats } from './latency/latency-stats.js';
import { summarize } from './latency/sample-summary.js';

const figure = (ms: number | undefined): string => (ms === undefined ? '–' : `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`);

const HEIGHT = 120;

@customElement('latency-chart')
export class LatencyChart extends LitElement {
  @property({ attribute: false }) stats: LatencyStats | undefined;
  /** Changes whenever the stats do (their arrays change in place). */
  @property({ type: Number }) revision = 0;
  /** Names the chart for its text alternative, e.g. "WebSocket latency". */
  @property() label = 'latency';
  /** The page's look (font size, theme): a new one rebuilds the chart. */
  @property() look = '';
  #builtFor = '';
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

  protected override render(): unknown {
    const summary = summarize(this.stats?.times ?? [], this.stats?.values ?? []);
    return html`<div class="visually-hidden">
      <table aria-label=${`${this.label}, as a table`}>
        <tr>
          <th scope="col">samples drawn</th>
          <th scope="col">min</th>
          <th scope="col">median</th>
          <th scope="col">max</th>
          <th scope="col">last</th>
        </tr>
        <tr>
          <td>${summary?.count ?? 0}</td>
          <td>${figure(summary?.min)}</td>
          <td>${figure(summary?.median)}</td>
          <td>${figure(summary?.max)}</td>
          <td>${figure(summary?.last)}</td>
        </tr>
      </table>
    </div>`;
  }

  protected override updated(): void {
    const data: uPlot.AlignedData = [this.stats?.times ?? [], this.stats?.values ?? []];
    if (this.#plot && this.#builtFor === this.look) {
      this.#plot.setData(data);
      return;
    }
    this.#plot?.destroy();
    this.#builtFor = this.look;
    this.#plot = new uPlot(this.#options(), data, this);
  }

  #width(): number {
    return Math.max(200, this.clientWidth);
  }

  #options(): uPlot.Options {
    // Axis text follows the page's font size (Large text).
    const fontPx = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 15;
    const font = `${Math.round(fontPx * 0.8)}px system-ui, sans-serif`;
    const labelFont = `600 ${Math.round(fontPx * 0.8)}px system-ui, sans-serif`;
    const axis = { font, labelFont, stroke: getComputedStyle(this).color };
    return {
      width: this.#width(),
      height: HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false }, y: { range: (_plot, _min, max) => [0, Math.max(10, max * 1.1)] } },
      axes: [
        { ...axis, label: 'seconds since the page opened', size: fontPx * 1.7, labelSize: fontPx * 1.1 },
        { ...axis, label: 'ms', size: fontPx * 3.3, labelSize: fontPx * 1.1, space: fontPx * 1.4 },
      ],
      series: [{}, { label: 'latency', stroke: transportColour(this), width: 1.5, points: { show: true, size: 4 } }],
    };
  }
}

/** The pane's colour (its --transport-colour), or a neutral blue outside a pane. */
function transportColour(element: Element): string {
  return getComputedStyle(element).getPropertyValue('--transport-colour').trim() || '#2a7ae2';
}

declare global {
  interface HTMLElementTagNameMap {
    'latency-chart': LatencyChart;
  }
}
