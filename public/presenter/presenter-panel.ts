// <presenter-panel>: the presenter's controls (corporate proxy, added latency
// and jitter, drop connections), the server's wire stats and the join QR code.
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
  }

  protected override render(): unknown {
    return html`<section class="presenter" aria-label="Presenter">
      <h2>Presenter</h2>
      ${this.token ? this.#renderControls() : this.#renderUnlock()}
      <p class="presenter-message" role="status">${this.message}</p>
    </section>`;
  }

  #renderUnlock(): unknown {
    return html`<form class="unlock" @submit=${this.#unlock}>
      <label>Presenter token <input name="token" type="password" autocomplete="off" required /></label>
      <button type="submit">Unlock</button>
      <span class="hint">printed in the server's terminal at start-up</span>
    </form>`;
  }

  #renderControls(): unknown {
    const settings = this.serverState.settings;
    if (!settings) return html`<p>Loading the lab settings…</p>`;
    const millis = (kind: 'addedLatencyMs' | 'jitterMs', name: TransportName, label: string) =>
      html`<label
        >${label}
        <input
          type="number"
          min="0"
          max=${MAX_ADDED_MS}
          step="50"
          .value=${String(settings[kind][name])}
          aria-label=${`${DISPLAY_NAMES[name]} ${label}`}
          @change=${(event: Event) => this.#apply({ [kind]: { [name]: Number((event.target as HTMLInputElement).value) } })}
        />
        ms</label
      >`;
    return html` <div class="presenter-grid">
      <div class="presenter-controls">
        <label class="proxy"
          ><input
            type="checkbox"
            .checked=${settings.blockWebSocket}
            @change=${(event: Event) => this.#apply({ blockWebSocket: (event.target as HTMLInputElement).checked })}
          />
          Block WebSocket ("corporate proxy")</label
        >
        <label class="proxy"
          ><input
            type="checkbox"
            .checked=${settings.liftRateLimit}
            @change=${(event: Event) => this.#apply({ liftRateLimit: (event.target as HTMLInputElement).checked })}
          />
          Lift the send rate limit (fast auto-send)</label
        >
        <table class="impairments">
          <thead>
            <tr>
              <th scope="col">Transport</th>
              <th scope="col">Added latency (each way)</th>
              <th scope="col">Jitter</th>
              <th scope="col"></th>
            </tr>
          </thead>
          <tbody>
            ${TRANSPORT_NAMES.map(
              (name) =>
                html`<tr>
                  <th scope="row">${DISPLAY_NAMES[name]}</th>
                  <td>${millis('addedLatencyMs', name, 'latency')}</td>
                  <td>${millis('jitterMs', name, 'jitter')}</td>
                  <td><button type="button" @click=${() => this.#drop(name)}>Drop ${DISPLAY_NAMES[name]} connections</button></td>
                </tr>`,
            )}
          </tbody>
        </table>
        ${renderStatsTable(this.serverState.stats)}
        <results-export .lab=${this.lab} .serverState=${this.serverState}></results-export>
        <button type="button" class="lock" @click=${this.#lock}>Forget token</button>
      </div>
      <join-qr url=${this.joinUrl}></join-qr>
    </div>`;
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
