// One colour, one glyph and one line dash per transport, by its position in
// the client registry: the chart, the bars, the timeline lanes, the pane
// headers and the tables all use these, so a sixth transport needs no edit
// here. Colours from the Okabe-Ito palette (told apart with colour-blindness
// too), and a glyph or dash beside every colour so colour is never alone.
import { DISPLAY_NAMES, type TransportName } from '../src/chat/transports.js';
import { clientTransports } from '../src/client/index.js';

export interface TransportStyle {
  colour: string;
  glyph: string;
  /** The chart line's dash pattern (uPlot `dash`), [] for solid. */
  dash: number[];
}

const PALETTE: TransportStyle[] = [
  { colour: '#d55e00', glyph: '●', dash: [] },
  { colour: '#0072b2', glyph: '■', dash: [12, 4] },
  { colour: '#009e73', glyph: '▲', dash: [3, 3] },
  { colour: '#cc79a7', glyph: '◆', dash: [12, 4, 3, 4] },
  { colour: '#e69f00', glyph: '★', dash: [6, 6] },
  { colour: '#56b4e9', glyph: '✚', dash: [2, 6] },
];

/** Registry order: the order of the panes, lanes, bars and rows. */
export const TRANSPORTS = Object.keys(clientTransports) as TransportName[];

export function transportStyle(name: TransportName): TransportStyle {
  return PALETTE[Math.max(0, TRANSPORTS.indexOf(name)) % PALETTE.length]!;
}

export function displayName(name: TransportName): string {
  return DISPLAY_NAMES[name];
}
