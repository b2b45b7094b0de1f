// <transport-lab>: the page. Loads the server's defaults, then shows the
// comparison view (all transports on one chart, bars, wire timeline, request
// race) and one pane per transport (registry order) under a toolbar:
// nickname, auto-send, reset stats, large text, high contrast, which panes to
// show, and the presenter bar. The audience view (phones) shows one pane, a
// transport picker and auto-send instead.
import { html, LitElement } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { DISPLAY_NAMES, TRANSPORT_NAMES, type TransportName } from '../src/chat/transports.js';
import { AutoSendController } from './controllers/auto-send-controller.js';
import { ServerStateController } from './controllers/server-state-controller.js';
import { fetchConfig, Lab } from './lab.js';
import { publishHeight } from './height-var.js';
import { loadLargeText, loadNickname, loadTheme, saveLargeText, saveNickname, saveTheme, type Theme } from './preferences.js';
import { CONTRAST_CLASS } from './transport-style.js';
import './comparison/comparison-view.js';
import './presenter/presenter-panel.js';
import './transport-pane.js';
import { viewMode } from './view-mode.js';

const TRANSPORTS = TRANSPORT_NAMES;

@customElement('transport-lab')
export class TransportLab extends LitElement {
  @state() private lab: Lab | undefined;
  @state() private loadError = '';
  @state() private hiddenPanes = new Set<TransportName>();
  @state() private largeText = loadLargeText();
  @state() private theme: Theme = loadTheme();
  @state() private presenterOpen = false;
  /** The audience view's one pane. */
  @state() private picked: TransportName = 'websocket';
  readonly #view = viewMode();
  // Figures timed under the old network conditions would mix with the new: they start over.
  readonly #serverState = new ServerStateController(this, () => this.lab?.restartFigures());
  #autoSend: AutoSendController | undefined;
  #unpublishToolbar: (() => void) | undefined;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#applyLook();
    fetchConfig().then(
      (config) => {
        this.lab = new Lab(config, location.origin, loadNickname());
        // A phone sends less often: a room of phones stays under the send rate limit.
        this.#autoSend = new AutoSendController(this, this.lab, this.#view === 'audience' ? 2000 : 1000);
      },
      (error: unknown) => (this.loadError = `Cannot reach the server: ${String(error)}`),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unpublishToolbar?.();
    this.#unpublishToolbar = undefined;
  }

  protected override updated(): void {
    const toolbar = this.querySelector('.toolbar');
    if (toolbar && !this.#unpublishToolbar) this.#unpublishToolbar = publishHeight(toolbar, '--toolbar-height');
  }

  protected override render(): unknown {
    if (this.loadError) return html`<p class="error" role="alert">${this.loadError}</p>`;
    const lab = this.lab;
    if (!lab) return html`<p>Connecting to the server…</p>`;
    if (this.#view === 'audience') return this.#renderAudience(lab);
    const shownCount = TRANSPORTS.length - this.hiddenPanes.size;
    return html` <header class="toolbar">
        <h1>Transport Lab</h1>
        <label>Nickname <input class="nickname" maxlength="32" .value=${lab.nickname} @change=${this.#onNickname} /></label>
        ${this.#renderAutoSend()}
        <button type="button" @click=${() => lab.resetStats()}>Reset stats</button>
        ${this.#renderLook()}
        <details class="menu">
          <summary>Panes <span class="muted">${shownCount}/${TRANSPORTS.length}</span></summary>
          <fieldset class="menu-body layout">
            <legend>Show</legend>
            ${TRANSPORTS.map(
              (name) =>
                html`<label
                  ><input type="checkbox" .checked=${!this.hiddenPanes.has(name)} @change=${() => this.#toggleShown(name)} />
                  ${DISPLAY_NAMES[name]}</label
                >`,
            )}
          </fieldset>
        </details>
        <button
          type="button"
          class="presenter-toggle"
          aria-expanded=${this.presenterOpen ? 'true' : 'false'}
          @click=${() => (this.presenterOpen = !this.presenterOpen)}
        >
          Presenter
        </button>
      </header>
      ${
        this.presenterOpen
          ? html`<presenter-panel
              .lab=${lab}
              .serverState=${this.#serverState}
              revision=${this.#serverState.revision}
              @close=${() => (this.presenterOpen = false)}
            ></presenter-panel>`
          : ''
      }
      <comparison-view .lab=${lab} .serverState=${this.#serverState} look=${this.#look()}></comparison-view>
      <main class="panes">
        ${TRANSPORTS.map(
          (name) =>
            html`<transport-pane
              .lab=${lab}
              .serverState=${this.#serverState}
              name=${name}
              ?hidden=${this.hiddenPanes.has(name)}
            ></transport-pane>`,
        )}
      </main>`;
  }

  /** Large text and the high-contrast theme: remembered in this browser, for the projector. */
  #renderLook(): unknown {
    return html`<label><input type="checkbox" .checked=${this.largeText} @change=${this.#toggleLargeText} /> Large text</label>
      <label><input type="checkbox" .checked=${this.theme === 'contrast'} @change=${this.#toggleContrast} /> High contrast</label>`;
  }

  /** What the charts are drawn for: a change rebuilds them with the page's font size and colours. */
  #look(): string {
    return `${this.largeText ? 'large' : 'normal'} ${this.theme}`;
  }

  /**
   * One pane, chosen with a picker: the picked transport is the only one the
   * phone opens (a new pick is a new pane). Auto-send takes part in the
   * room's figures without typing.
   */
  #renderAudience(lab: Lab): unknown {
    const autoSend = this.#autoSend!;
    return html` <header class="toolbar audience">
        <h1>Transport Lab</h1>
        <label
          >Transport
          <select @change=${(event: Event) => (this.picked = (event.target as HTMLSelectElement).value as TransportName)}>
            ${TRANSPORTS.map((name) => html`<option value=${name} ?selected=${name === this.picked}>${DISPLAY_NAMES[name]}</option>`)}
          </select></label
        >
        <label>Nickname <input class="nickname" maxlength="32" .value=${lab.nickname} @change=${this.#onNickname} /></label>
        <button
          type="button"
          class="auto-send-toggle"
          aria-pressed=${autoSend.running ? 'true' : 'false'}
          @click=${() => (autoSend.running ? autoSend.stop() : autoSend.start())}
        >
          ${autoSend.running ? `Stop auto-send` : `Start auto-send`}
        </button>
        <span class="muted">${autoSend.running ? `a message every ${autoSend.intervalMs / 1000} s on average` : ''}</span>
      </header>
      <main class="panes">
        ${keyed(
          this.picked,
          html`<transport-pane .lab=${lab} .serverState=${this.#serverState} name=${this.picked} audience></transport-pane>`,
        )}
      </main>`;
  }

  #renderAutoSend(): unknown {
    const autoSend = this.#autoSend!;
    return html`<fieldset class="auto-send" aria-label="Auto-send">
      <label
        >every
        <input type="number" min="50" max="60000" step="50" .value=${String(autoSend.intervalMs)} @change=${this.#onAutoSendInterval} />
        ms</label
      >
      <button
        type="button"
        aria-pressed=${autoSend.running ? 'true' : 'false'}
        @click=${() => (autoSend.running ? autoSend.stop() : autoSend.start())}
      >
        ${autoSend.running ? 'Stop auto-send' : 'Start auto-send'}
      </button>
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
    this.#applyLook();
  }

  #toggleContrast(event: Event): void {
    this.theme = (event.target as HTMLInputElement).checked ? 'contrast' : 'standard';
    saveTheme(this.theme);
    this.#applyLook();
  }

  #applyLook(): void {
    const root = document.documentElement.classList;
    root.toggle('large-text', this.largeText);
    root.toggle(CONTRAST_CLASS, this.theme === 'contrast');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'transport-lab': TransportLab;
  }
}
