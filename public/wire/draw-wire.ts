// The wire timeline's picture on a <canvas>: one bitmap instead of an SVG
// element per entry, so a redraw costs the browser one image, not a style,
// layout and paint pass over thousands of shapes (the presenter page in a
// lively room had 13 000 layout objects, most of them here).
import type { WireEntry } from '../../src/client/transport.js';
import { CONTRAST_CLASS } from '../transport-style.js';

/** A request in flight this long is drawn (and marked) as held. */
export const HELD_MS = 1000;

export interface WireLane {
  colour: string;
  entries: WireEntry[];
}

export interface WireScene {
  lanes: WireLane[];
  /** Canvas size in CSS px, and the axis: the window ends at `now`. */
  width: number;
  laneHeight: number;
  now: number;
  windowMs: number;
  tickEveryMs: number;
  fontPx: number;
  selected: WireEntry | undefined;
}

/** The stylesheet's timeline colours, per theme (the canvas cannot read CSS rules). */
function palette(): { laneBg: string; axis: string; text: string; muted: string } {
  return document.documentElement.classList.contains(CONTRAST_CLASS)
    ? { laneBg: '#e4e7eb', axis: '#9aa1aa', text: '#000', muted: '#2b3038' }
    : { laneBg: '#f3f5f7', axis: '#dde1e6', text: '#1c2330', muted: '#5b6470' };
}

export const isHeld = (entry: WireEntry, now: number): boolean => entry.kind === 'request' && (entry.endAt ?? now) - entry.at >= HELD_MS;

const isFailed = (entry: WireEntry): boolean => typeof entry.status === 'string' || (entry.status ?? 0) >= 400;

/** Where an entry spans on the x axis (px), for drawing and for finding the one under the pointer. */
export function entrySpan(entry: WireEntry, scene: Pick<WireScene, 'width' | 'now' | 'windowMs'>): [number, number] {
  const scale = scene.width / scene.windowMs;
  const x = (entry.at - (scene.now - scene.windowMs)) * scale;
  if (entry.kind !== 'request') return [x, x];
  const end = ((entry.endAt ?? scene.now) - (scene.now - scene.windowMs)) * scale;
  return [x, x + Math.max(3, end - x)];
}

/** Draws the whole scene; `canvas` is sized to it (device pixels) first. */
export function drawWire(canvas: HTMLCanvasElement, scene: WireScene): void {
  const ratio = window.devicePixelRatio || 1;
  const height = scene.laneHeight * scene.lanes.length;
  const cssHeight = height + 24;
  if (canvas.width !== Math.round(scene.width * ratio) || canvas.height !== Math.round(cssHeight * ratio)) {
    canvas.width = Math.round(scene.width * ratio);
    canvas.height = Math.round(cssHeight * ratio);
    canvas.style.width = `${scene.width}px`;
    canvas.style.height = `${cssHeight}px`;
  }
  const context = canvas.getContext('2d');
  if (!context) return;
  const colours = palette();
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, scene.width, cssHeight);
  scene.lanes.forEach((_lane, index) => {
    if (index % 2 === 0) {
      context.fillStyle = colours.laneBg;
      context.fillRect(0, index * scene.laneHeight, scene.width, scene.laneHeight);
    }
  });
  drawAxis(context, scene, height, colours);
  scene.lanes.forEach((lane, index) => {
    for (const entry of lane.entries) drawEntry(context, scene, entry, index * scene.laneHeight, lane.colour, colours.text);
  });
}

function drawAxis(context: CanvasRenderingContext2D, scene: WireScene, height: number, colours: ReturnType<typeof palette>): void {
  context.font = `${Math.round(scene.fontPx * 0.85)}px system-ui, sans-serif`;
  context.lineWidth = 1;
  for (let ago = 0; ago <= scene.windowMs; ago += scene.tickEveryMs) {
    const x = Math.round(((scene.windowMs - ago) * scene.width) / scene.windowMs) + 0.5;
    context.strokeStyle = colours.axis;
    line(context, x, 0, x, height);
    context.fillStyle = colours.muted;
    context.textAlign = ago === 0 ? 'right' : ago === scene.windowMs ? 'left' : 'center';
    context.fillText(ago === 0 ? 'now' : `−${ago / 1000} s`, x, height + 18);
  }
}

function drawEntry(context: CanvasRenderingContext2D, scene: WireScene, entry: WireEntry, top: number, colour: string, text: string): void {
  const h = scene.laneHeight;
  const [x, end] = entrySpan(entry, scene);
  const selected = entry === scene.selected;
  context.setLineDash([]);
  context.strokeStyle = colour;
  context.fillStyle = colour;
  if (entry.kind === 'request') {
    const failed = isFailed(entry);
    context.lineWidth = selected ? 3 : 1.5;
    if (failed) context.setLineDash([3, 2]);
    context.globalAlpha = entry.endAt === undefined ? 0.45 : 1;
    context.fillStyle = entry.empty || failed ? '#fff' : colour; // hollow
    context.fillRect(x, top + h * 0.3, end - x, h * 0.4);
    context.globalAlpha = 1;
    if (selected) context.strokeStyle = text;
    context.strokeRect(x, top + h * 0.3, end - x, h * 0.4);
    context.setLineDash([]);
    if (entry.endAt !== undefined && end - x > 6) {
      context.strokeStyle = colour;
      context.lineWidth = 3;
      line(context, end, top + h * 0.15, end, top + h * 0.85);
    }
  } else if (entry.kind === 'frame') {
    const size = h * 0.3;
    const base = top + h * (entry.direction === 'up' ? 0.45 : 0.55);
    const tip = entry.direction === 'up' ? base - size : base + size;
    context.beginPath();
    context.moveTo(x - size / 2, base);
    context.lineTo(x + size / 2, base);
    context.lineTo(x, tip);
    context.closePath();
    context.fill();
    if (selected) {
      context.strokeStyle = text;
      context.lineWidth = 3;
      context.stroke();
    }
  } else {
    context.lineWidth = 3;
    if (selected) context.strokeStyle = text;
    line(context, x, top + 2, x, top + h - 2);
    context.fillStyle = text;
    context.textAlign = 'left';
    context.font = `700 ${Math.round(scene.fontPx * 0.8)}px system-ui, sans-serif`;
    context.fillText(entry.label, x + 4, top + h * 0.42);
  }
}

function line(context: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number): void {
  context.beginPath();
  context.moveTo(x1, y1);
  context.lineTo(x2, y2);
  context.stroke();
}
