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

/**
 * The high-contrast (projector) theme: the same hues, darkened to at least
 * 5.5:1 against white, so thin lines and small glyphs survive a washed-out projector.
 */
const CONTRAST_COLOURS = ['#a33b00', '#005a8c', '#00704f', '#9b3d7a', '#7d5200', '#1d6a94'];

/** Registry order: the order of the panes, lanes, bars and rows. */
export const TRANSPORTS = Object.keys(clientTransports) as TransportName[];

/** Set on the root element by the page's theme preference. */
export const CONTRAST_CLASS = 'theme-contrast';

export function transportStyle(name: TransportName): TransportStyle {
  const index = Math.max(0, TRANSPORTS.indexOf(name)) % PALETTE.length;
  const style = PALETTE[index]!;
  return document.documentElement.classList.contains(CONTRAST_CLASS) ? { ...style, colour: CONTRAST_COLOURS[index]! } : style;
}

export function displayName(name: TransportName): string {
  return DISPLAY_NAMES[name];
}

/** The page's look as charts need it (font size, theme): a change means a rebuild. */
export function pageLook(): string {
  const root = document.documentElement.classList;
  return `${root.contains('large-text') ? 'large' : 'normal'} ${root.contains(CONTRAST_CLASS) ? 'contrast' : 'standard'}`;
}
