// <comparison-view>: the page as the slide, above the panes. Every transport
// on one latency chart beside its p50/p95/p99 bars (one log scale), the wire
// timeline beside the request race. Figures come from the panes' controllers
// and the server's stats; this view redraws twice a second.
import { html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { ServerStateController } from '../controllers/server-state-controller.js';
import type { TransportController } from '../controllers/transport-controller.js';
import { MEASURE_MODES, type Lab, type MeasureMode } from '../lab.js';
import { expectedLatency } from '../latency/expected.js';
import { summarize } from '../latency/sample-summary.js';
import { displayName, TRANSPORTS } from '../transport-style.js';
import { chartDomain, CHART_WINDOW_S, type ChartSeries } from './comparison-chart.js';
import type { BarRow } from './latency-bars.js';
import './comparison-chart.js';
import './latency-bars.js';
import './request-race.js';
import './wire-timeline.js';

const REFRESH_MS = 500;

@customElement('comparison-view')
export class ComparisonView extends LitElement {
  @property({ attribute: false }) lab!: Lab;
  @property({ attribute: false }) serverState: ServerStateController | undefined;
  /** The page's look (font size, theme): the chart rebuilds for a new one. */
  @property() look = '';
  #revision = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#timer = setInterval(() => {
      this.#revision++;
      this.requestUpdate();
    }, REFRESH_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#timer);
  }

  /** The open panes, registry order. */
  #controllers(): TransportController[] {
    return TRANSPORTS.flatMap((name) => this.lab.controllers.get(name) ?? []);
  }

  protected override render(): unknown {
    const controllers = this.#controllers();
    const series: ChartSeries[] = controllers.map(({ name, stats }) => ({ name, stats }));
    const rows: BarRow[] = controllers.map(({ name, stats, transport }) => ({
      name,
      stats,
      expected: expectedLatency(transport, this.lab.clock.roundTripMs(name)),
    }));
    const domain = chartDomain(series, [
      ...rows.map((row) => row.expected.ms),
      ...rows.flatMap((row) => [99, 95, 50].map((p) => row.stats.percentile(p))),
    ]);
    const mode = this.lab.measure;
    // A group, not a region: the page's regions are the panes.
    return html`<div class="comparison" role="group" aria-label="Comparison">
      <div class="comparison-panel chart-panel">
        <div class="panel-head">
          <h2>Latency, all transports <span class="muted">(ms, log scale)</span></h2>
          <label class="measure"
            >Timed on
            <select @change=${this.#onMeasure}>
              ${(Object.keys(MEASURE_MODES) as MeasureMode[]).map(
                (key) => html`<option value=${key} ?selected=${key === mode}>${MEASURE_MODES[key].label}</option>`,
              )}
            </select></label
          >
        </div>
        <p class="measure-rule" data-measure=${mode}>
          In force: <strong>${MEASURE_MODES[mode].label}</strong>: ${MEASURE_MODES[mode].rule}.
        </p>
        <comparison-chart .series=${series} .domain=${domain} revision=${this.#revision} look=${this.look}></comparison-chart>
        ${renderChartTable(series)}
      </div>
      <div class="comparison-panel bars-panel">
        <latency-bars .rows=${rows} .domain=${domain} revision=${this.#revision}></latency-bars>
      </div>
      <div class="comparison-panel wire-panel">
        <wire-timeline .log=${this.lab.wire} .lanes=${controllers.map(({ name }) => name)}></wire-timeline>
      </div>
      <div class="comparison-panel race-panel" tabindex="0" role="group" aria-label="Request race, this page and the room">
        <request-race
          .rows=${controllers.map(({ name, traffic }) => ({ name, traffic }))}
          .server=${this.serverState?.stats}
          revision=${this.#revision}
        ></request-race>
      </div>
    </div>`;
  }

  #onMeasure(event: Event): void {
    this.lab.setMeasure((event.target as HTMLSelectElement).value as MeasureMode);
    this.requestUpdate();
  }
}

/** The chart's text alternative: per transport, the samples it draws (the last minute) as figures. */
function renderChartTable(series: ChartSeries[]): unknown {
  const from = performance.now() / 1000 - CHART_WINDOW_S;
  return html`<div class="visually-hidden">
    <table aria-label="Latency, all transports, last minute, as a table">
      <thead>
        <tr>
          <th scope="col">Transport</th>
          <th scope="col">samples</th>
          <th scope="col">min ms</th>
          <th scope="col">median ms</th>
          <th scope="col">max ms</th>
          <th scope="col">last ms</th>
        </tr>
      </thead>
      <tbody>
        ${series.map(({ name, stats }) => {
          const summary = summarize(stats.times, stats.values, from);
          return html`<tr data-transport=${name}>
            <th scope="row">${displayName(name)}</th>
            <td>${summary?.count ?? 0}</td>
            <td>${msFigure(summary?.min)}</td>
            <td>${msFigure(summary?.median)}</td>
            <td>${msFigure(summary?.max)}</td>
            <td>${msFigure(summary?.last)}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

const msFigure = (ms: number | undefined): string => (ms === undefined ? '–' : ms < 10 ? ms.toFixed(1) : String(Math.round(ms)));

declare global {
  interface HTMLElementTagNameMap {
    'comparison-view': ComparisonView;
  }
}
