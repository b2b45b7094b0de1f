// <wire-timeline>: "on the wire", the last 20 s of what each transport's
// client really sent and received (its `wire` events), one swimlane per
// transport on one time axis, drawn on a canvas at most five times a second.
// Requests are bars from request to answer (a short poll is a tick, a held
// long poll a long bar; hollow = answered empty), frames are arrows (▲ up to
// the server, ▼ down), marks are labelled lines (101, upgrade, close).
// Hover or focus (arrow keys in a lane) names an entry; Pause freezes it.
// Each lane also lists its entries as hidden elements (data-kind, data-label,
// data-at): what tests read, at no layout or paint cost, renewed once a second.
import { html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleProps } from '../style-props.js';
import type { TransportName } from '../../src/chat/transports.js';
import type { WireEntry } from '../../src/client/transport.js';
import { displayName, transportStyle } from '../transport-style.js';
import { WINDOW_MS, type WireLog } from '../wire/wire-log.js';
import { describeEntry } from '../wire/describe-entry.js';
import { drawWire, entrySpan, isHeld } from '../wire/draw-wire.js';

/** Redraws at most this often: enough to see bars grow, cheap on a busy laptop or a shared CI box. */
const FRAME_MS = 200;
const TICK_EVERY_MS = 5000;
/** The hidden entry lists are renewed at most this often: each renewal diffs up to 500 elements a lane. */
const LIST_EVERY_MS = 1000;

@customElement('wire-timeline')
export class WireTimeline extends LitElement {
  @property({ attribute: false }) log!: WireLog<TransportName>;
  @property({ attribute: false }) lanes: TransportName[] = [];
  @state() private paused = false;
  @state() private selected: { lane: TransportName; id: number } | undefined;
  #now = performance.now();
  #width = 800;
  #laneHeight = 40;
  #fontPx = 15;
  #frame: number | undefined;
  #lastDraw = 0;
  #shown = new Map<TransportName, WireEntry[]>();
  /** What the hidden entry lists hold (a copy of #shown, renewed every LIST_EVERY_MS). */
  #listed = new Map<TransportName, WireEntry[]>();
  #listedAt = -Infinity;
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
    this.#fontPx = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 15;
    // Two lines of text a lane, one on a short (720p) screen, so the lanes, the chart above them and the panes' figures fit.
    this.#laneHeight = Math.round(this.#fontPx * (innerHeight <= 800 ? 1.45 : 2));
    this.requestUpdate();
  }

  protected override firstUpdated(): void {
    // The plot too: Large text widens the lane labels beside it without resizing the whole timeline.
    const plot = this.querySelector('.wire-plot');
    if (plot) this.#resizeObserver.observe(plot);
    this.#measure();
  }

  protected override render(): unknown {
    for (const lane of this.lanes) this.#shown.set(lane, this.log.visible(lane, this.#now, WINDOW_MS));
    if (this.#now - this.#listedAt >= LIST_EVERY_MS) {
      this.#listed = new Map(this.#shown);
      this.#listedAt = this.#now;
    }
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
        <div class="wire-plot" @pointermove=${this.#onPointer}>
          <canvas aria-hidden="true"></canvas>
          <div class="wire-lanes">${this.lanes.map((lane) => this.#renderLane(lane))}</div>
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

  protected override updated(): void {
    const canvas = this.querySelector('canvas');
    if (!canvas) return;
    drawWire(canvas, {
      lanes: this.lanes.map((lane) => ({ colour: transportStyle(lane).colour, entries: this.#shown.get(lane) ?? [] })),
      width: this.#width,
      laneHeight: this.#laneHeight,
      now: this.#now,
      windowMs: WINDOW_MS,
      tickEveryMs: TICK_EVERY_MS,
      fontPx: this.#fontPx,
      selected: this.#selectedEntry(),
    });
  }

  /** A lane: a focusable row over the canvas, its entries as hidden elements. */
  #renderLane(lane: TransportName): unknown {
    const entries = this.#shown.get(lane) ?? [];
    return html`<div
      class="wire-lane"
      data-lane=${lane}
      tabindex="0"
      role="group"
      aria-label=${`${displayName(lane)}: ${entries.length} entries, arrow keys to step through them`}
      style=${styleProps({ height: `${this.#laneHeight}px` })}
      @keydown=${(event: KeyboardEvent) => this.#step(event, lane)}
      @blur=${() => (this.selected = undefined)}
    >
      <ul hidden>
        ${guard([this.#listed.get(lane)], () =>
          repeat(
            this.#listed.get(lane) ?? [],
            (entry) => entry.id,
            (entry) => this.#renderEntry(lane, entry),
          ),
        )}
      </ul>
    </div>`;
  }

  /** An entry as the tests read it (and select it, with a pointerenter event); hidden: the canvas draws it. */
  #renderEntry(lane: TransportName, entry: WireEntry): unknown {
    return html`<li
      class="wire-entry"
      data-kind=${entry.kind}
      data-label=${entry.label}
      data-at=${Math.round(entry.at)}
      data-status=${entry.status ?? ''}
      ?data-held=${isHeld(entry, this.#now)}
      @pointerenter=${() => (this.selected = { lane, id: entry.id })}
    ></li>`;
  }

  /** The entry under the pointer (within a few px), named in the detail line. */
  #onPointer(event: PointerEvent): void {
    const plot = event.currentTarget as HTMLElement;
    const box = plot.getBoundingClientRect();
    const lane = this.lanes[Math.floor((event.clientY - box.top) / this.#laneHeight)];
    if (!lane) return;
    const x = event.clientX - box.left;
    const scene = { width: this.#width, now: this.#now, windowMs: WINDOW_MS };
    let best: { id: number; distance: number } | undefined;
    for (const entry of this.#shown.get(lane) ?? []) {
      const [from, to] = entrySpan(entry, scene);
      const distance = x < from ? from - x : x > to ? x - to : 0;
      if (distance <= 4 && (!best || distance <= best.distance)) best = { id: entry.id, distance };
    }
    if (best && (this.selected?.lane !== lane || this.selected.id !== best.id)) this.selected = { lane, id: best.id };
  }

  #selectedEntry(): WireEntry | undefined {
    const selected = this.selected;
    return selected && this.#shown.get(selected.lane)?.find((each) => each.id === selected.id);
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
    const entry = this.#selectedEntry();
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
