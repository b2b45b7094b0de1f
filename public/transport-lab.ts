// <transport-lab>: the page. Loads the server's defaults, then shows one pane
// per transport (registry order) under a toolbar: nickname, which panes to
// show, auto-send, reset stats, large text.
import { html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { DISPLAY_NAMES, type TransportName } from '../src/chat/message.js';
import { clientTransports } from '../src/client/index.js';
import { AutoSendController } from './controllers/auto-send-controller.js';
import { fetchConfig, Lab } from './lab.js';
import { loadLargeText, loadNickname, saveLargeText, saveNickname } from './preferences.js';
import './transport-pane.js';

const TRANSPORTS = Object.keys(clientTransports) as TransportName[];

@customElement('transport-lab')
export class TransportLab extends LitElement {
  @state() private lab: Lab | undefined;
  @state() private loadError = '';
  @state() private hiddenPanes = new Set<TransportName>();
  @state() private largeText = loadLargeText();
  #autoSend: AutoSendController | undefined;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#applyLargeText();
    fetchConfig().then(
      (config) => {
        this.lab = new Lab(config, location.origin, loadNickname());
        this.#autoSend = new AutoSendController(this, this.lab);
      },
      (error: unknown) => (this.loadError = `Cannot reach the server: ${String(error)}`),
    );
  }

  protected override render(): unknown {
    if (this.loadError) return html`<p class="error" role="alert">${this.loadError}</p>`;
    const lab = this.lab;
    if (!lab) return html`<p>Connecting to the server…</p>`;
    return html`
      <header class="toolbar">
        <h1>Transport Lab</h1>
        <label>Nickname <input maxlength="32" .value=${lab.nickname} @change=${this.#onNickname}></label>
        <fieldset class="layout"><legend>Show</legend>
          ${TRANSPORTS.map((name) => html`<label><input type="checkbox" .checked=${!this.hiddenPanes.has(name)}
            @change=${() => this.#toggleShown(name)}> ${DISPLAY_NAMES[name]}</label>`)}
        </fieldset>
        ${this.#renderAutoSend()}
        <button type="button" @click=${() => lab.resetStats()}>Reset stats</button>
        <label><input type="checkbox" .checked=${this.largeText} @change=${this.#toggleLargeText}> Large text</label>
      </header>
      <main class="panes">
        ${TRANSPORTS.map((name) => html`<transport-pane .lab=${lab} name=${name} ?hidden=${this.hiddenPanes.has(name)}></transport-pane>`)}
      </main>`;
  }

  #renderAutoSend(): unknown {
    const autoSend = this.#autoSend!;
    return html`<fieldset class="auto-send"><legend>Auto-send</legend>
      <label>every <input type="number" min="50" max="60000" step="50" .value=${String(autoSend.intervalMs)}
        @change=${this.#onAutoSendInterval}> ms</label>
      <button type="button" aria-pressed=${autoSend.running ? 'true' : 'false'}
        @click=${() => (autoSend.running ? autoSend.stop() : autoSend.start())}>${autoSend.running ? 'Stop auto-send' : 'Start auto-send'}</button>
    </fieldset>`;
  }

  #onNickname(event: Event): void {
    const nickname = (event.target as HTMLInputElement).value.trim();
    if (!nickname || !this.lab) return;
    this.lab.nickname = nickname;
    saveNickname(nickname);
  }

  #onAutoSendInterval(event: Event): void {
    const intervalMs = Math.max(50, Number((event.target as HTMLInputElement).value) || 1000);
    const autoSend = this.#autoSend!;
    if (autoSend.running) autoSend.start(intervalMs);
    else autoSend.intervalMs = intervalMs;
  }

  #toggleShown(name: TransportName): void {
    const hidden = new Set(this.hiddenPanes);
    if (!hidden.delete(name)) hidden.add(name);
    this.hiddenPanes = hidden;
  }

  #toggleLargeText(event: Event): void {
    this.largeText = (event.target as HTMLInputElement).checked;
    saveLargeText(this.largeText);
    this.#applyLargeText();
  }

  #applyLargeText(): void {
    document.documentElement.classList.toggle('large-text', this.largeText);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'transport-lab': TransportLab;
  }
}
