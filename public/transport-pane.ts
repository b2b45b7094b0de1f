// <transport-pane>: one transport as a full chat client: status, settings,
// latency and traffic figures, the live chart, the message list, a composer.
import { html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import { styleProps } from './style-props.js';
import { DISPLAY_NAMES, type TransportName } from '../src/chat/transports.js';
import { MAX_SHOWN_PENDING, TransportController, type PendingSend } from './controllers/transport-controller.js';
import type { ServerStateController } from './controllers/server-state-controller.js';
import type { Lab } from './lab.js';
import { expectedLatency } from './latency/expected.js';
import { formatMs } from './latency/latency-stats.js';
import { renderSettings } from './pane-settings.js';
import { blockedNotice } from './presenter/blocked-notice.js';
import { pageLook, transportStyle } from './transport-style.js';
import './latency-chart.js';

const TAIL_PERCENTILES = [95, 99] as const;

@customElement('transport-pane')
export class TransportPane extends LitElement {
  @property({ attribute: false }) lab!: Lab;
  @property() name!: TransportName;
  /** The server's view (participants, the presenter's switches); absent before the first fetch. */
  @property({ attribute: false }) serverState: ServerStateController | undefined;
  /** On a phone: the room's figure (every message, server to here) joins the key figures. */
  @property({ type: Boolean }) audience = false;
  #client!: TransportController;
  #list: HTMLElement | null = null;
  #stickToBottom = true;
  /** The messages the list showed at the last render: a render for anything else leaves it (and its scroll) alone. */
  #shownMessages: unknown;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    // The controller needs the lab and the name, which are set before the pane is attached.
    this.#client ??= new TransportController(this, this.name, this.lab, {
      intervalMs: this.lab.config.shortPollIntervalMs,
      waitMs: this.lab.config.longPollWaitMs,
    });
    super.connectedCallback();
  }

  protected override firstUpdated(): void {
    this.#list = this.querySelector('.messages');
    // Follow new messages unless the reader scrolled up. Read on scroll, not
    // at each render: reading the layout right after changing the DOM forces a layout per pane per frame.
    this.#list?.addEventListener(
      'scroll',
      () => {
        const list = this.#list!;
        this.#stickToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
      },
      { passive: true },
    );
  }

  protected override updated(): void {
    const messages = this.#client.messages;
    if (messages === this.#shownMessages) return;
    this.#shownMessages = messages;
    if (this.#list && this.#stickToBottom) scrollToBottomNextFrame(this.#list);
  }

  /**
   * Nine rows, always present (CSS lays them on a subgrid, so a row is as
   * tall in every pane and the charts line up side by side): header, key
   * figures (p50, the largest text), switch and knobs, notes, latency, chart,
   * traffic, messages, composer.
   */
  protected override render(): unknown {
    const client = this.#client;
    const transport = client.transport;
    const displayName = DISPLAY_NAMES[this.name];
    const style = transportStyle(this.name);
    return html` <section role="region" aria-label=${displayName} class="pane" style=${styleProps({ '--transport-colour': style.colour })}>
      <header class="pane-header">
        <h2><span class="glyph" aria-hidden="true">${style.glyph}</span> ${displayName}</h2>
        <span class="participants" title="people on this transport, as the server counts them">${this.#participants()}</span>
        <span class="status" data-status=${transport.status}>
          <span class="dot" aria-hidden="true"></span>
          <span class="status-text">${transport.status}</span>
          <span class="detail">${transport.detail}</span>
          ${
            this.lab.config.sharedRoom && transport.nodeId
              ? html`<span class="node" title="the server node serving this pane">node ${transport.nodeId}</span>`
              : ''
          }
        </span>
      </header>
      ${this.#renderKeyFigures()}
      <div class="settings">
        <label class="switch"
          ><input
            type="checkbox"
            .checked=${client.on}
            @change=${(event: Event) => client.setOn((event.target as HTMLInputElement).checked)}
          />
          Connected</label
        >
        ${renderSettings(client, this.lab.config, () => this.requestUpdate())}
      </div>
      <div class="notes">
        <p class="notice" role="status">${client.stateNote}</p>
        ${this.#renderBlocked()} ${this.#renderRateLimited()} ${client.error ? html`<p class="error" role="alert">${client.error}</p>` : ''}
      </div>
      ${this.#renderLatency()}
      <latency-chart
        .stats=${client.stats}
        revision=${client.stats.revision}
        label=${`${displayName} latency`}
        look=${pageLook()}
      ></latency-chart>
      ${this.#renderTraffic()}
      <ol class="messages" aria-label="Messages" tabindex="0">
        ${
          // The list only when it changed (a new array per message), not at every refresh of the figures.
          guard([client.messages], () =>
            repeat(
              client.messages,
              (message) => message.id,
              (message) =>
                html` <li>
                  <bdi class="author">${message.author}</bdi>
                  <bdi class="text">${message.text}</bdi>
                  <span class="meta"
                    >${DISPLAY_NAMES[message.via]}${message.latencyMs === undefined ? '' : ` · ${formatMs(message.latencyMs)}`}</span
                  >
                </li>`,
            ),
          )
        }
        ${this.#renderPending()}
      </ol>
      <form class="composer" @submit=${this.#onSubmit}>
        <label>Message <input name="message" autocomplete="off" maxlength="1000" required /></label>
        <button type="submit">Send</button>
      </form>
    </section>`;
  }

  /** p50 big, the expected value beside it: what the back of the room reads. */
  #renderKeyFigures(): unknown {
    const stats = this.#client.stats;
    const expected = expectedLatency(this.#client.transport, this.lab.clock.roundTripMs(this.name));
    return html`<dl class="key-figures" aria-label="Key figures">
      <div class="p50">
        <dt>p50</dt>
        <dd data-stat="p50">${formatMs(stats.percentile(50))}</dd>
      </div>
      <div class="expected" title=${expected.rule}>
        <dt>expected (${expected.rule})</dt>
        <dd data-stat="expected">≈ ${formatMs(expected.ms)}</dd>
      </div>
      ${this.audience ? this.#renderRoomFigure() : ''}
    </dl>`;
  }

  /** Everyone's messages, from the server receiving each to its arrival on this phone (clocks matched by its own messages). */
  #renderRoomFigure(): unknown {
    const room = this.#client.roomStats;
    const offset = this.lab.serverClock.offset;
    const how = offset
      ? `every message in the room (${room.count}), from the server receiving it to this phone; clocks matched to ±${formatMs(offset.uncertaintyMs)} by your own messages`
      : 'after your first message, which matches this phone’s clock to the server’s';
    return html`<div class="room" title=${how}>
      <dt>room → here p50</dt>
      <dd data-stat="room-p50">${offset ? formatMs(room.percentile(50)) : 'send once'}</dd>
      <dd class="room-how">${offset ? `${room.count} messages from everyone · ±${formatMs(offset.uncertaintyMs)}` : how}</dd>
    </div>`;
  }

  /**
   * Sends on their way, newest last: ⏳ until the server acknowledges one, ✓
   * until it comes back here. Quoted, so it never reads as the delivered message.
   */
  #renderPending(): unknown {
    const client = this.#client;
    if (client.pendingCount === 0) return '';
    const shown = [...client.pending.values()].slice(-MAX_SHOWN_PENDING);
    const hidden = client.pendingCount - shown.length;
    const now = performance.now();
    return html`${hidden > 0 ? html`<li class="pending more">⏳ ${hidden} more waiting</li>` : ''}
    ${shown.map(
      (send) =>
        html`<li class="pending" data-client-msg-id=${send.clientMsgId}>
          <bdi class="author">${this.lab.nickname}</bdi>
          <bdi class="pending-text">“${send.text}”</bdi>
          <span class="meta">${send.acked ? '✓' : '⏳'} ${pendingState(send, now)}</span>
        </li>`,
    )}`;
  }

  #renderRateLimited(): unknown {
    const until = this.#client.rateLimitedUntil;
    if (until === undefined) return '';
    const seconds = Math.max(0, (until - performance.now()) / 1000);
    return html`<p class="limited" role="note">
      Rate limited: the server refuses sends faster than its limit; the next try goes in ${seconds.toFixed(1)} s (at ${clockTime(until)}).
    </p>`;
  }

  #renderLatency(): unknown {
    const stats = this.#client.stats;
    const figure = (key: string, label: string, value: string) =>
      html`<div>
        <dt>${label}</dt>
        <dd data-stat=${key}>${value}</dd>
      </div>`;
    return html` <dl class="latency" aria-label="Latency">
      ${figure('last', 'last', formatMs(stats.last))}
      ${TAIL_PERCENTILES.map((p) => figure(`p${p}`, `p${p}`, formatMs(stats.percentile(p))))}
      ${figure('max', 'max', formatMs(stats.count ? stats.max : undefined))} ${figure('count', 'count', String(stats.count))}
      ${figure('first', 'first message', formatMs(this.#client.timeToFirstMessageMs))}
    </dl>`;
  }

  #participants(): string {
    const count = this.serverState?.stats?.transports[this.name].participants;
    return count === undefined ? '' : `${count} here`;
  }

  #renderBlocked(): unknown {
    if (!this.serverState?.settings?.blockWebSocket) return '';
    const notice = blockedNotice(this.#client.transport);
    return notice ? html`<p class="blocked" role="note">${notice}</p>` : '';
  }

  #renderTraffic(): unknown {
    const traffic = this.#client.traffic;
    const figures: Array<[string, number | string]> = [
      ['requests', traffic.requests],
      ['empty polls', traffic.emptyPolls],
      ['msgs in', traffic.messagesIn],
      ['msgs out', traffic.messagesOut],
      ['bytes in', formatBytes(traffic.bytesIn)],
      ['bytes out', formatBytes(traffic.bytesOut)],
    ];
    return html`<dl class="traffic" aria-label="Traffic">
      ${figures.map(
        ([label, value]) =>
          html`<div>
            <dt>${label}</dt>
            <dd>${value}</dd>
          </div>`,
      )}
    </dl>`;
  }

  #onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem('message') as HTMLInputElement;
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    void this.#client.send(text);
  }
}

/** Lists to scroll down, all in one animation frame: one layout for every pane, not one each. */
const toScroll = new Set<HTMLElement>();

function scrollToBottomNextFrame(list: HTMLElement): void {
  if (toScroll.size === 0) {
    requestAnimationFrame(() => {
      for (const each of toScroll) each.scrollTop = each.scrollHeight;
      toScroll.clear();
    });
  }
  toScroll.add(list);
}

/** What a pending send waits for: its first answer, or a retry at a given time. */
function pendingState(send: PendingSend, now: number): string {
  if (send.acked) return 'the server has it; on its way back';
  const retry = send.retry;
  if (!retry) return 'sending…';
  const inSeconds = `${Math.max(0, (retry.retryAt - now) / 1000).toFixed(1)} s`;
  if (retry.reason === 'rate_limited') return `rate limited, retry in ${inSeconds}`;
  if (retry.reason === 'unavailable') return `server store unavailable, retry in ${inSeconds}`;
  return `not delivered yet, retry in ${inSeconds}`;
}

/** A performance.now() time as the wall clock, e.g. "12:03:41". */
function clockTime(at: number): string {
  return new Date(Date.now() + (at - performance.now())).toLocaleTimeString([], { hour12: false });
}

function formatBytes(bytes: number): string {
  return bytes < 10_000 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

declare global {
  interface HTMLElementTagNameMap {
    'transport-pane': TransportPane;
  }
}
