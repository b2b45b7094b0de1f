// The per-transport knobs under a pane's header, as the descriptor list names
// them (short-poll interval, long-poll hold time, Socket.IO mode).
// Transports without one show nothing.
import { html, nothing, type TemplateResult } from 'lit';
import { descriptorOf, type ChoiceKnob, type RangeKnob, type SocketIoMode } from '../src/chat/transports.js';
import type { TransportController } from './controllers/transport-controller.js';
import type { ServerConfig } from './lab.js';

const valueOf = (event: Event): string => (event.target as HTMLInputElement | HTMLSelectElement).value;

export function renderSettings(
  controller: TransportController,
  config: ServerConfig,
  rerender: () => void,
): Array<TemplateResult> | typeof nothing {
  const knobs = descriptorOf(controller.name).knobs;
  if (knobs.length === 0) return nothing;
  return knobs.map((knob) => (knob.type === 'range' ? renderRange(knob, controller, config, rerender) : renderChoice(knob, controller)));
}

/** A live setting: the client's next request uses it (a long poll held now keeps its hold time). */
function renderRange(knob: RangeKnob, controller: TransportController, config: ServerConfig, rerender: () => void): TemplateResult {
  const transport = controller.transport;
  const value = transport[knob.setting] ?? knob.min;
  const max = typeof knob.max === 'number' ? knob.max : config[knob.max];
  return html`<label class="setting"
    >${knob.label}
    <input
      type="range"
      min=${knob.min}
      max=${max}
      step=${knob.step}
      .value=${String(value)}
      @input=${(event: Event) => {
        transport[knob.setting] = Number(valueOf(event));
        // Figures timed under the old value would hide the new one (p50 would take minutes to drift): they start over.
        controller.restartFigures();
        rerender();
      }}
    />
    <output>${knob.unit === 's' ? `${value / 1000} s` : `${value} ms`}</output></label
  >`;
}

/** Fixed per connection: a change starts a new client that resumes from the old one's cursor. */
function renderChoice(knob: ChoiceKnob, controller: TransportController): TemplateResult {
  const current = controller.transport[knob.setting];
  return html`<label class="setting"
    >${knob.label}
    <select @change=${(event: Event) => controller.reconfigure({ [knob.setting]: valueOf(event) as SocketIoMode })}>
      ${knob.choices.map(({ value, label }) => html`<option value=${value} ?selected=${current === value}>${label}</option>`)}
    </select></label
  >`;
}
