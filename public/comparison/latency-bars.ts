// <latency-bars>: p50 / p95 / p99 per transport as horizontal bars on the
// chart's log scale, the expected value marked on each row, the figures in
// large text beside them: one row per transport, a table that is also the
// bars' text alternative.
import { html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleProps } from '../style-props.js';
import type { TransportName } from '../../src/chat/transports.js';
import type { Expectation } from '../latency/expected.js';
import type { LatencyStats } from '../latency/latency-stats.js';
import { decades, logPosition, tickLabel } from '../latency/log-scale.js';
import { displayName, transportStyle } from '../transport-style.js';

export interface BarRow {
  name: TransportName;
  stats: LatencyStats;
  expected: Expectation;
}

const PERCENTILES = [50, 95, 99] as const;

const percent = (share: number): string => `${(share * 100).toFixed(2)}%`;
const figure = (ms: number | undefined): string => (ms === undefined ? '–' : ms < 10 ? ms.toFixed(1) : String(Math.round(ms)));

@customElement('latency-bars')
export class LatencyBars extends LitElement {
  @property({ attribute: false }) rows: BarRow[] = [];
  @property({ attribute: false }) domain: [number, number] = [1, 1000];
  @property({ type: Number }) revision = 0;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override render(): unknown {
    return html`<table class="latency-bars" aria-label="Latency percentiles">
      <thead>
        <tr>
          <th scope="col" class="bar-name">Transport</th>
          <th scope="col" class="bar-scale">
            ${decades(this.domain).map(
              (tick) =>
                html`<span class="tick" style=${styleProps({ left: percent(logPosition(tick, this.domain)) })}>${tickLabel(tick)}</span>`,
            )}
          </th>
          <th scope="col" class="bar-figures">p50 ms <span class="tail">p95 · p99</span></th>
        </tr>
      </thead>
      ${this.rows.map((row) => this.#renderRow(row))}
      <caption>
        Bars: p50 (darkest), p95, p99 since Reset, log scale · ┆ expected
      </caption>
    </table>`;
  }

  /** One row per transport: its name and expected figure, its bars, the figures. */
  #renderRow({ name, stats, expected }: BarRow): unknown {
    const style = transportStyle(name);
    return html`<tbody data-transport=${name} style=${styleProps({ '--transport-colour': style.colour })}>
      <tr>
        <th scope="row" class="bar-name">
          <span class="name"><span class="glyph" aria-hidden="true">${style.glyph}</span> ${displayName(name)}</span>
          <span class="expected-figure" title=${expected.rule} data-stat="expected">┆ expected ≈ ${figure(expected.ms)}</span>
        </th>
        <td class="bar-track">
          ${PERCENTILES.map((p) => {
            const ms = stats.percentile(p);
            const width = ms === undefined ? 0 : Math.max(0.01, logPosition(ms, this.domain));
            return html`<span class="bar p${p}" style=${styleProps({ width: percent(width) })}></span>`;
          })}
          ${
            expected.ms === undefined
              ? ''
              : html`<span
                  class="expected-mark"
                  title=${`expected ≈ ${figure(expected.ms)} ms (${expected.rule})`}
                  style=${styleProps({ left: percent(logPosition(expected.ms, this.domain)) })}
                ></span>`
          }
        </td>
        <td class="bar-figures">
          <span data-stat="p50" class="p50">${figure(stats.percentile(50))}</span>
          <span class="tail"
            ><span data-stat="p95">${figure(stats.percentile(95))}</span> ·
            <span data-stat="p99">${figure(stats.percentile(99))}</span></span
          >
        </td>
      </tr>
    </tbody>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'latency-bars': LatencyBars;
  }
}
