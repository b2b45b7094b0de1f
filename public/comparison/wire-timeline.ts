// <wire-timeline>: "on the wire", the last 20 s of what each transport's
// client really sent and received (its `wire` events), one swimlane per
// transport on one time axis, drawn as SVG at most five times a second.
// Requests are bars from request to answer (a short poll is a tick, a held
// long poll a long bar; hollow = answered empty), frames are arrows (▲ up to
// the server, ▼ down), marks are labelled lines (101, upgrade, close).
// Hover or focus (arrow keys in a lane) names an entry; Pause freezes it.
import { html, LitElement, svg } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleProps } from '../style-props.js';
import type { TransportName } from '../../src/chat/transports.js';
import type { WireEntry } from '../../src/client/transport.js';
import { displayName, transportStyle } from '../transport-style.js';
import { WINDOW_MS, type WireLog } from '../wire/wire-log.js';
import { describeEntry } from '../wire/describe-entry.js';

/** Redraws at most this often: enough to see bars grow, cheap on a busy laptop or a shared CI box. */
const FRAME_MS = 200;
/** A request in flight this long is drawn (and marked) as held. */
const HELD_MS = 1000;
const TICK_EVERY_MS = 5000;

@customElement('wire-timeline')
export class WireTimeline extends LitElement {
  @property({ attribute: false }) log!: WireLog<TransportName>;
  @property({ attribute: false }) lanes: TransportName[] = [];
  @state() private paused = false;
  @state() private selected: { lane: TransportName; id: number } | undefined;
  #now = performance.now();
  #width = 800;
  #laneHeight = 40;
  #frame: number | undefined;
  #lastDraw = 0;
  #shown = new Map<TransportName, WireEntry[]>();
  #resizeObserver = new ResizeObserver(() => this.#measure());

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resizeObserver.observe(this);
    this.#loop();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resizeObserver.disconnect();
    if (this.#frame !== undefined) cancelAnimationFrame(this.#frame);
    this.#frame = undefined;
  }

  /** One redraw per FRAME_MS, on an animation frame (none while the tab is hidden or paused). */
  #loop(): void {
    this.#frame = requestAnimationFrame((time) => {
      if (!this.paused && time - this.#lastDraw >= FRAME_MS) {
        this.#lastDraw = time;
        this.#now = performance.now();
        this.requestUpdate();
      }
      if (this.isConnected) this.#loop();
    });
  }

  #measure(): void {
    const plot = this.querySelector('.wire-plot');
    if (plot) this.#width = Math.max(200, plot.clientWidth);
    const fontPx = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 15;
    // Two lines of text a lane, one on a short (720p) screen, so the lanes, the chart above them and the panes' figures fit.
    this.#laneHeight = Math.round(fontPx * (innerHeight <= 800 ? 1.45 : 2));
    this.requestUpdate();
  }

  protected override firstUpdated(): void {
    this.#measure();
  }

  protected override render(): unknown {
    for (const lane of this.lanes) this.#shown.set(lane, this.log.visible(lane, this.#now, WINDOW_MS));
    const height = this.#laneHeight * this.lanes.length;
    return html`<div class="wire-head">
        <h2>On the wire <span class="muted">(last ${WINDOW_MS / 1000} s)</span></h2>
        <span class="wire-legend" aria-hidden="true">▮ request (hollow: answered empty) · ▲ to server · ▼ to client · │ event</span>
        <button type="button" aria-pressed=${this.paused ? 'true' : 'false'} @click=${this.#togglePause}>
          ${this.paused ? '▶ Resume' : '❚❚ Pause'}
        </button>
      </div>
      <div class="wire-body">
        <ul class="wire-labels">
          ${this.lanes.map((lane) => {
            const style = transportStyle(lane);
            return html`<li style=${styleProps({ height: `${this.#laneHeight}px`, '--transport-colour': style.colour })}>
              <span class="glyph" aria-hidden="true">${style.glyph}</span> ${displayName(lane)}
            </li>`;
          })}
        </ul>
        <div class="wire-plot">
          <svg width=${this.#width} height=${height + 24} role="group" aria-label="Wire timeline">
            ${this.#renderAxis(height)} ${this.lanes.map((lane, index) => this.#renderLane(lane, index))}
          </svg>
        </div>
      </div>
      <p class="wire-detail" role="status">${this.#detail()}</p>
      ${this.#renderTable()}`;
  }

  /** The timeline's text alternative: per lane, what the window holds, counted, and its newest entry. */
  #renderTable(): unknown {
    return html`<div class="visually-hidden">
      <table aria-label=${`On the wire, last ${WINDOW_MS / 1000} s, as a table`}>
        <thead>
          <tr>
            <th scope="col">Transport</th>
            <th scope="col">requests (in flight)</th>
            <th scope="col">frames up / down</th>
            <th scope="col">events</th>
            <th scope="col">newest</th>
          </tr>
        </thead>
        <tbody>
          ${this.lanes.map((lane) => {
            const entries = this.#shown.get(lane) ?? [];
            const count = (test: (entry: WireEntry) => boolean) => entries.filter(test).length;
            const newest = entries.at(-1);
            return html`<tr data-lane=${lane}>
              <th scope="row">${displayName(lane)}</th>
              <td>
                ${count((entry) => entry.kind === 'request')} (${count((entry) => entry.kind === 'request' && entry.endAt === undefined)})
              </td>
              <td>
                ${count((entry) => entry.kind === 'frame' && entry.direction === 'up')} /
                ${count((entry) => entry.kind === 'frame' && entry.direction === 'down')}
              </td>
              <td>${count((entry) => entry.kind === 'mark')}</td>
              <td>${newest ? describeEntry(newest, this.#now) : '–'}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>`;
  }

  /** px per ms of the time axis. */
  get #scale(): number {
    return this.#width / WINDOW_MS;
  }

  /** Where `time` is on the screen now. */
  #x(time: number): number {
    return (time - (this.#now - WINDOW_MS)) * this.#scale;
  }

  /**
   * Where `time` is on the lanes' own axis, which does not move: the lanes
   * slide by one transform per frame, so an entry that did not change costs
   * Lit no DOM write at all.
   */
  #laneX(time: number): number {
    return time * this.#scale;
  }

  #renderAxis(height: number): unknown {
    const ticks: number[] = [];
    for (let ago = 0; ago <= WINDOW_MS; ago += TICK_EVERY_MS) ticks.push(ago);
    return svg`<g class="wire-axis">
      ${ticks.map((ago) => {
        const x = this.#x(this.#now - ago);
        const anchor = ago === 0 ? 'end' : ago === WINDOW_MS ? 'start' : 'middle';
        return svg`<line x1=${x} x2=${x} y1=${0} y2=${height}></line>
          <text x=${x} y=${height + 18} text-anchor=${anchor}>${ago === 0 ? 'now' : `−${ago / 1000} s`}</text>`;
      })}
    </g>`;
  }

  #renderLane(lane: TransportName, index: number): unknown {
    const entries = this.#shown.get(lane) ?? [];
    const top = index * this.#laneHeight;
    const style = transportStyle(lane);
    return svg`<g class="wire-lane" data-lane=${lane} tabindex="0" role="list"
        aria-label=${`${displayName(lane)}: ${entries.length} entries, arrow keys to step through them`}
        fill=${style.colour} stroke=${style.colour}
        @keydown=${(event: KeyboardEvent) => this.#step(event, lane)}
        @blur=${() => (this.selected = undefined)}>
      <rect class="lane-bg" x="0" y=${top} width=${this.#width} height=${this.#laneHeight}></rect>
      <g transform=${`translate(${-this.#laneX(this.#now - WINDOW_MS)} 0)`}>
        ${repeat(
          entries,
          (entry) => entry.id,
          (entry) => this.#renderEntry(lane, entry, top),
        )}
      </g>
    </g>`;
  }

  #renderEntry(lane: TransportName, entry: WireEntry, top: number): unknown {
    const h = this.#laneHeight;
    const x = this.#laneX(entry.at);
    const isSelected = this.selected?.lane === lane && this.selected.id === entry.id;
    const common = {
      held: entry.kind === 'request' && (entry.endAt ?? this.#now) - entry.at >= HELD_MS,
      onHover: () => (this.selected = { lane, id: entry.id }),
    };
    const cls = `wire-entry${isSelected ? ' selected' : ''}${entry.endAt === undefined && entry.kind === 'request' ? ' in-flight' : ''}`;
    let shape: unknown;
    if (entry.kind === 'request') {
      const end = this.#laneX(entry.endAt ?? this.#now);
      const width = Math.max(3, end - x);
      const failed = typeof entry.status === 'string' || (entry.status ?? 0) >= 400;
      shape = svg`<rect x=${x} y=${top + h * 0.3} width=${width} height=${h * 0.4}
          class=${entry.empty ? 'empty' : failed ? 'failed' : ''}></rect>
        ${entry.endAt !== undefined && width > 6 ? svg`<line class="answer" x1=${end} x2=${end} y1=${top + h * 0.15} y2=${top + h * 0.85}></line>` : ''}`;
    } else if (entry.kind === 'frame') {
      const up = entry.direction === 'up';
      const size = h * 0.3;
      const points = up
        ? `${x - size / 2},${top + h * 0.45} ${x + size / 2},${top + h * 0.45} ${x},${top + h * 0.45 - size}`
        : `${x - size / 2},${top + h * 0.55} ${x + size / 2},${top + h * 0.55} ${x},${top + h * 0.55 + size}`;
      shape = svg`<polygon points=${points}></polygon>`;
    } else {
      shape = svg`<line class="mark" x1=${x} x2=${x} y1=${top + 2} y2=${top + h - 2}></line>
        <text class="mark-label" x=${x + 4} y=${top + h * 0.42}>${entry.label}</text>`;
    }
    return svg`<g class=${cls} role="listitem" data-kind=${entry.kind} data-label=${entry.label} data-at=${Math.round(entry.at)}
        data-status=${entry.status ?? ''} ?data-held=${common.held} @pointerenter=${common.onHover}>${shape}</g>`;
  }

  #step(event: KeyboardEvent, lane: TransportName): void {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    event.preventDefault();
    const entries = this.#shown.get(lane) ?? [];
    if (entries.length === 0) return;
    const current = this.selected?.lane === lane ? entries.findIndex((entry) => entry.id === this.selected!.id) : -1;
    const next = current === -1 ? entries.length - 1 : current + (event.key === 'ArrowLeft' ? -1 : 1);
    const entry = entries[Math.min(entries.length - 1, Math.max(0, next))]!;
    this.selected = { lane, id: entry.id };
  }

  #detail(): string {
    const selected = this.selected;
    const entry = selected && this.#shown.get(selected.lane)?.find((each) => each.id === selected.id);
    if (!selected || !entry) return 'Point at an entry (or focus a lane and use the arrow keys) to see what it was.';
    return `${displayName(selected.lane)} · ${describeEntry(entry, this.#now)}`;
  }

  #togglePause(): void {
    this.paused = !this.paused;
    this.#now = performance.now();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'wire-timeline': WireTimeline;
  }
}
