// <presenter-panel>: the presenter's bar under the toolbar: the corporate
// proxy, the rate limit, added latency and jitter and a drop button per
// transport, in two or three compact lines, so the comparison view and the
// panes' figures they change stay on the same screen. The server's wire stats open
// under the bar and the join QR code over the page, each on demand.
// Locked until the presenter token is entered; it is kept in sessionStorage.
import { html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { DISPLAY_NAMES, TRANSPORT_NAMES, type TransportName } from '../../src/chat/transports.js';
import { MAX_ADDED_MS } from '../../src/lab/settings.js';
import type { ServerStateController } from '../controllers/server-state-controller.js';
import type { Lab } from '../lab.js';
import '../results/results-export.js';
import { dropConnections, fetchJoinUrls, loadToken, saveToken, updateLab, type LabUpdate } from './lab-api.js';
import { renderStatsTable } from './stats-table.js';
import { publishHeight } from '../height-var.js';
import { styleProps } from '../style-props.js';
import { transportStyle } from '../transport-style.js';
import './join-qr.js';

@customElement('presenter-panel')
export class PresenterPanel extends LitElement {
  @property({ attribute: false }) serverState!: ServerStateController;
  /** The page's figures, for "Download results". */
  @property({ attribute: false }) lab!: Lab;
  /** The server state's revision: a new one re-renders the figures. */
  @property({ type: Number }) revision = 0;
  @state() private token = loadToken();
  @state() private message = '';
  @state() private joinUrl = '';
  @state() private statsOpen = false;
  @state() private joinOpen = false;
  #unpublishHeight: (() => void) | undefined;
  readonly #onKey = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape') return;
    this.joinOpen = false;
    this.statsOpen = false;
  };

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // A URL the phones can reach; the projector itself may be on localhost.
    fetchJoinUrls().then(
      (urls) => (this.joinUrl = urls[0] ?? (location.hostname === 'localhost' ? '' : location.origin)),
      () => (this.joinUrl = location.origin),
    );
    document.addEventListener('keydown', this.#onKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('keydown', this.#onKey);
    this.#unpublishHeight?.();
    this.#unpublishHeight = undefined;
  }

  protected override firstUpdated(): void {
    // The bar's height, for the stylesheet's screen budget (the chart gives way).
    this.#unpublishHeight = publishHeight(this.querySelector('.presenter')!, '--presenter-height');
  }

  protected override render(): unknown {
    return html`<section class="presenter" aria-label="Presenter">
      <h2>Presenter</h2>
      ${this.token ? [this.#renderSwitches(), this.#renderImpairments(), this.#renderActions()] : this.#renderUnlock()}
      <p class="presenter-message" role="status">${this.message}</p>
      <button type="button" class="close" aria-label="Hide these controls" @click=${this.#close}>✕</button>
      ${this.statsOpen ? this.#renderStats() : ''} ${this.joinOpen ? this.#renderJoin() : ''}
    </section>`;
  }

  #renderUnlock(): unknown {
    return html`<form class="unlock" @submit=${this.#unlock}>
      <label>Presenter token <input name="token" type="password" autocomplete="off" required /></label>
      <button type="submit">Unlock</button>
      <span class="hint">printed in the server's terminal at start-up</span>
    </form>`;
  }

  /** The lab-wide switches. */
  #renderSwitches(): unknown {
    const settings = this.serverState.settings;
    if (!settings) return html`<p>Loading the lab settings…</p>`;
    return html`<label class="proxy"
        ><input
          type="checkbox"
          .checked=${settings.blockWebSocket}
          @change=${(event: Event) => this.#apply({ blockWebSocket: (event.target as HTMLInputElement).checked })}
        />
        Block WebSocket ("corporate proxy")</label
      >
      <label class="proxy" title="for fast auto-send"
        ><input
          type="checkbox"
          .checked=${settings.liftRateLimit}
          @change=${(event: Event) => this.#apply({ liftRateLimit: (event.target as HTMLInputElement).checked })}
        />
        Lift the send rate limit</label
      >`;
  }

  /** What opens on demand, and the way out. */
  #renderActions(): unknown {
    return html`<span class="presenter-actions">
      <button type="button" aria-expanded=${this.statsOpen ? 'true' : 'false'} @click=${() => (this.statsOpen = !this.statsOpen)}>
        Server stats
      </button>
      <button type="button" aria-expanded=${this.joinOpen ? 'true' : 'false'} @click=${() => (this.joinOpen = !this.joinOpen)}>
        Join QR code
      </button>
      <results-export .lab=${this.lab} .serverState=${this.serverState}></results-export>
      <button type="button" class="lock" @click=${this.#lock}>Forget token</button>
    </span>`;
  }

  /** Per transport: added latency and jitter (each way) and a drop button; the name short on a narrow screen. */
  #renderImpairments(): unknown {
    const settings = this.serverState.settings;
    if (!settings) return '';
    const millis = (kind: 'addedLatencyMs' | 'jitterMs', name: TransportName, label: string, sign: string) =>
      html`<label title=${`${label}, ms`}
        >${sign}<input
          type="number"
          min="0"
          max=${MAX_ADDED_MS}
          step="50"
          .value=${String(settings[kind][name])}
          aria-label=${`${DISPLAY_NAMES[name]} ${label}`}
          @change=${(event: Event) => this.#apply({ [kind]: { [name]: Number((event.target as HTMLInputElement).value) } })}
      /></label>`;
    return html`<span class="hint">ms each way: + latency, ± jitter</span> ${TRANSPORT_NAMES.map((name) => {
        const style = transportStyle(name);
        return html`<span class="impairment" data-transport=${name} style=${styleProps({ '--transport-colour': style.colour })}>
          <span class="impairment-name"
            ><span class="glyph" aria-hidden="true">${style.glyph}</span> <span class="full">${DISPLAY_NAMES[name]}</span
            ><span class="short" aria-hidden="true">${DISPLAY_NAMES[name].split(' ')[0]}</span></span
          >
          ${millis('addedLatencyMs', name, 'latency', '+')} ${millis('jitterMs', name, 'jitter', '±')}
          <button type="button" aria-label=${`Drop ${DISPLAY_NAMES[name]} connections`} @click=${() => this.#drop(name)}>Drop</button>
        </span>`;
      })}`;
  }

  #renderStats(): unknown {
    return html`<div class="presenter-popover">
      ${renderStatsTable(this.serverState.stats)}
      <button type="button" class="close" aria-label="Close the server stats" @click=${() => (this.statsOpen = false)}>✕</button>
    </div>`;
  }

  /** Over the page, large, for the start of a session: phones scan it from their seats. */
  #renderJoin(): unknown {
    return html`<div class="join-overlay" role="dialog" aria-label="Join">
      <join-qr url=${this.joinUrl}></join-qr>
      <button type="button" class="close" aria-label="Close the join QR code" @click=${() => (this.joinOpen = false)}>✕ Close</button>
    </div>`;
  }

  #close(): void {
    this.dispatchEvent(new Event('close'));
  }

  async #unlock(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const token = ((event.target as HTMLFormElement).elements.namedItem('token') as HTMLInputElement).value.trim();
    // An empty update changes nothing: it only checks the token.
    if (await this.#run(() => updateLab(token, {}))) {
      this.token = token;
      saveToken(token);
      this.message = 'Unlocked';
    }
  }

  #lock(): void {
    this.token = '';
    saveToken('');
    this.message = '';
  }

  async #apply(update: LabUpdate): Promise<void> {
    if (await this.#run(() => updateLab(this.token, update))) this.message = 'Applied';
    await this.serverState.refresh();
  }

  async #drop(name: TransportName): Promise<void> {
    const result = await this.#run(() => dropConnections(this.token, name));
    if (result) this.message = `${DISPLAY_NAMES[name]}: ${result.note}`;
  }

  /** Runs a call to the lab API; a refusal is shown instead of thrown. */
  async #run<T>(call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      this.message = `Refused: ${(error as Error).message}`;
      return undefined;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'presenter-panel': PresenterPanel;
  }
}
