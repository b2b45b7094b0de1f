// <request-race>: what each transport costs on the wire. This page's own
// HTTP requests, bytes both ways and requests per delivered message since
// Reset, beside the room-wide rates the server measures (GET /api/stats).
import { html, LitElement } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { styleProps } from '../style-props.js';
import type { TransportName } from '../../src/chat/transports.js';
import type { TrafficCounters } from '../../src/client/transport.js';
import type { StatsSample } from '../presenter/lab-api.js';
import { displayName, transportStyle } from '../transport-style.js';
import { formatBytes, requestsPerMessage } from './race-figures.js';

export interface RaceRow {
  name: TransportName;
  /** This page's counters since Reset; undefined while the pane is not open. */
  traffic: TrafficCounters | undefined;
}

/** Up (client to server) above down. */
const upDown = (up: number, down: number) => html`<span>↑ ${formatBytes(up)}</span><span>↓ ${formatBytes(down)}</span>`;

@customElement('request-race')
export class RequestRace extends LitElement {
  @property({ attribute: false }) rows: RaceRow[] = [];
  @property({ attribute: false }) server: StatsSample | undefined;
  @property({ type: Number }) revision = 0;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override render(): unknown {
    return html`<table class="request-race" aria-label="Request race">
      <thead>
        <tr>
          <th scope="col" rowspan="2">Transport</th>
          <th scope="colgroup" colspan="3">this page, since Reset</th>
          <th scope="colgroup" colspan="2">whole room, per second</th>
        </tr>
        <tr>
          <th scope="col">HTTP requests</th>
          <th scope="col">bytes ↑ ↓</th>
          <th scope="col">req per msg</th>
          <th scope="col">requests</th>
          <th scope="col">bytes ↑ ↓</th>
        </tr>
      </thead>
      <tbody>
        ${this.rows.map((row) => this.#renderRow(row))}
      </tbody>
    </table>`;
  }

  #renderRow({ name, traffic }: RaceRow): unknown {
    const style = transportStyle(name);
    const room = this.server?.transports[name];
    const dash = '–';
    return html`<tr data-transport=${name} style=${styleProps({ '--transport-colour': style.colour })}>
      <th scope="row"><span class="glyph" aria-hidden="true">${style.glyph}</span> ${displayName(name)}</th>
      <td class="big" data-stat="requests">${traffic?.requests ?? dash}</td>
      <td data-stat="bytes">${traffic ? upDown(traffic.bytesOut, traffic.bytesIn) : dash}</td>
      <td class="big" data-stat="requests-per-message">${traffic ? requestsPerMessage(traffic) : dash}</td>
      <td class="big" data-stat="room-requests">${room?.requestsPerSec ?? dash}</td>
      <td data-stat="room-bytes">${room ? upDown(room.wireBytesInPerSec, room.wireBytesOutPerSec) : dash}</td>
    </tr>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'request-race': RequestRace;
  }
}
