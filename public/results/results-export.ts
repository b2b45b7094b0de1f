// <results-export>: "Download results" as JSON or CSV: the session's figures
// per transport (this page's panes since Reset, the server's counts), the lab
// settings in force, the time and the server (see session-results.ts). A small
// standalone element: give it the page's lab and server state and place it.
import { html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { TransportName } from '../../src/chat/transports.js';
import type { ServerStateController } from '../controllers/server-state-controller.js';
import type { Lab } from '../lab.js';
import { expectedLatency } from '../latency/expected.js';
import { resultsCsv, resultsFileName, sessionResults, type PaneFigures, type SessionResults } from './session-results.js';

@customElement('results-export')
export class ResultsExport extends LitElement {
  @property({ attribute: false }) lab!: Lab;
  @property({ attribute: false }) serverState: ServerStateController | undefined;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override render(): unknown {
    return html`<div class="results-export" role="group" aria-label="Download results" data-results-export>
      <span class="label">Download results</span>
      <button type="button" data-format="json" aria-label="Download results as JSON" @click=${() => this.#download('json')}>JSON</button>
      <button type="button" data-format="csv" aria-label="Download results as CSV" @click=${() => this.#download('csv')}>CSV</button>
    </div>`;
  }

  /** The figures of this moment. */
  collect(): SessionResults {
    const lab = this.lab;
    const panes: Partial<Record<TransportName, PaneFigures>> = {};
    for (const [name, controller] of lab.controllers) {
      const transport = controller.transport;
      panes[name] = {
        latency: controller.stats,
        expectedMs: expectedLatency(transport, lab.clock.roundTripMs(name)).ms,
        traffic: controller.traffic,
        intervalMs: transport.intervalMs,
        waitMs: transport.waitMs,
        socketioMode: transport.socketioMode,
      };
    }
    return sessionResults({
      exportedAt: new Date(),
      server: lab.baseUrl,
      nodeId: lab.config.nodeId,
      timedOn: lab.measure,
      settings: this.serverState?.settings,
      stats: this.serverState?.stats,
      panes,
    });
  }

  #download(format: 'json' | 'csv'): void {
    const results = this.collect();
    const [text, type] =
      format === 'json' ? [JSON.stringify(results, null, 2), 'application/json'] : [resultsCsv(results), 'text/csv;charset=utf-8'];
    const url = URL.createObjectURL(new Blob([text], { type }));
    const link = document.createElement('a');
    link.href = url;
    link.download = resultsFileName(results, format);
    link.click();
    // Freed once the browser has surely read it (revoking at once can cancel the download).
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'results-export': ResultsExport;
  }
}
