// <join-qr>: a large QR code of the URL the audience should open, drawn as
// an SVG data URL (the page's CSP allows images from data: but no inline styles).
import { html, LitElement } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import QRCode from 'qrcode';

@customElement('join-qr')
export class JoinQr extends LitElement {
  @property() url = '';
  @state() private image = '';

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (!changed.has('url') || !this.url) return;
    const url = this.url;
    void QRCode.toString(url, { type: 'svg', margin: 1 }).then((svg) => {
      if (url === this.url) this.image = `data:image/svg+xml,${encodeURIComponent(svg)}`;
    });
  }

  protected override render(): unknown {
    if (!this.url) return html`<p>No network address to join on: is the server listening on 127.0.0.1 only?</p>`;
    return html`<figure class="join-qr">
      ${this.image ? html`<img src=${this.image} alt=${`QR code for ${this.url}`} />` : ''}
      <figcaption>Join: <a href=${this.url}>${this.url}</a></figcaption>
    </figure>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'join-qr': JoinQr;
  }
}
