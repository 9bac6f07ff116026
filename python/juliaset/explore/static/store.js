// The store page (juliaset-explore --store PATH): a stored pyramid drawn from its tiles, one
// PNG per chunk of a level (/api/store/tile/LEVEL/ROW/COL.png). Drag pans, the wheel zooms at
// the pointer; the level drawn is the coarsest whose pixels are no larger than the canvas's
// (level k at 2**k level-0 pixels per canvas pixel is drawn at 1:1), and while its tiles load
// the coarser levels already here are drawn scaled under them. "explore live here" opens the
// main explorer at the viewport's view, to zoom on past the stored resolution.
import * as dec from './decimal.js';
import { $, addColormapOptions, errorOf, showMessage } from './page.js';
import { viewQuery } from './view_url.js';

const MAX_IN_FLIGHT = 6; // tile requests at once (a browser's connections per host)
const MAX_TILES = 384; // decoded tiles kept (256 x 256 RGBA: 96 MiB)
const MIN_SCALE = 1 / 64; // the deepest zoom: a level-0 pixel 64 canvas pixels wide

const canvas = $('view');
const context = canvas.getContext('2d', { alpha: false });

let store = null; // /api/store
let colormap = null; // fields stores: the colormap of the tiles
// The viewport: level-0 pixels per canvas pixel, and the level-0 point at the canvas's centre
// (level-0 pixel i spans [i, i + 1) and samples the plane at i, the seed's grid rule).
const vp = { scale: 1, x: 0, y: 0 };
const tiles = new Map(); // tileKey -> {state: 'loading' | 'ready' | 'failed', bitmap, used}
let inFlight = 0;
let wanted = [];
let frame = null;
let frames = 0;
let shown = { level: 0, visible: 0, drawn: 0, failed: 0 };
let idleWaiters = [];
let pointerAt = null;

// --- geometry ----------------------------------------------------------------------------

function canvasSize() {
  return [canvas.width, canvas.height];
}

function resizeCanvas() {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  const changed = width !== canvas.width || height !== canvas.height;
  canvas.width = width;
  canvas.height = height;
  return changed;
}

function levels() {
  return store.levels.length;
}

/** The level drawn at `scale`: the coarsest whose pixels are at most a canvas pixel. */
function levelFor(scale) {
  const k = Math.floor(Math.log2(scale) + 1e-9);
  return Math.min(Math.max(k, 0), levels() - 1);
}

function maxScale() {
  const [w, h] = canvasSize();
  const [W, H] = store.pixels;
  return Math.max(2 ** (levels() - 1), W / w, H / h) * 2;
}

/** The level-0 point at canvas pixel (x, y). */
function level0At(x, y) {
  const [w, h] = canvasSize();
  return [vp.x + (x - w / 2) * vp.scale, vp.y + (y - h / 2) * vp.scale];
}

/** The whole image, at a power-of-two scale (a level at 1:1 where one exists) on whole pixels. */
function fit() {
  const [w, h] = canvasSize();
  const [W, H] = store.pixels;
  const scale = Math.max(1, 2 ** Math.ceil(Math.log2(Math.max(W / w, H / h)) - 1e-9));
  vp.scale = scale;
  vp.x = (w / 2 - Math.round(w / 2 - W / 2 / scale)) * scale;
  vp.y = (h / 2 - Math.round(h / 2 - H / 2 / scale)) * scale;
}

// --- the plane ---------------------------------------------------------------------------

/** The plane's point at level-0 point (u, v), exact decimals: centre + ((u - W/2) / W * width,
 * (H/2 - v) / W * width), the store's grid rule. */
function planeAt(u, v) {
  const a = store.attributes;
  const [W, H] = store.pixels;
  const width = dec.parse(a.width);
  return [
    dec.add(dec.parse(a.center[0]), dec.mul(width, dec.fromNumber((u - W / 2) / W))),
    dec.add(dec.parse(a.center[1]), dec.mul(width, dec.fromNumber((H / 2 - v) / W))),
  ];
}

/** The viewport as the main explorer's view: its centre and width (the canvas's width in the
 * plane), rounded as the explorer rounds them (a thousandth of a pixel, 12 digits). */
function viewportView() {
  const [w] = canvasSize();
  const [W] = store.pixels;
  const width = dec.roundSignificant(
    dec.mul(dec.parse(store.attributes.width), dec.fromNumber(w * vp.scale / W)), 12);
  const e = dec.magnitude(width) - Math.ceil(Math.log10(w)) - 3;
  const centre = planeAt(vp.x, vp.y).map((x) => dec.toString(dec.roundTo(x, e)));
  return { center: centre, width: dec.toString(width) };
}

/** The main explorer's URL (its urlOf format) at the viewport's view. */
function liveURL() {
  const a = store.attributes;
  const v = viewportView();
  const supersample = a.image?.supersample;
  return `/?${viewQuery({
    family: a.family,
    power: a.power,
    c: a.c,
    center: v.center,
    width: v.width,
    itermax: a.itermax,
    auto: false,
    colormap: store.kind === 'fields' ? colormap : store.colormap,
    coloring: store.coloring,
    supersample: Number.isInteger(supersample) ? supersample : undefined,
  })}`;
}

function formatComplex([re, im]) {
  const imaginary = im.startsWith('-') ? `- ${im.slice(1)}` : `+ ${im}`;
  return `${re} ${imaginary}i`;
}

/** A point's decimals to a tenth of a canvas pixel. */
function pointText(u, v) {
  const [W] = store.pixels;
  const pixel = dec.mul(dec.parse(store.attributes.width), dec.fromNumber(vp.scale / W));
  const e = dec.magnitude(pixel) - 1;
  return formatComplex(planeAt(u, v).map((x) => dec.toString(dec.roundTo(x, e))));
}

// --- tiles -------------------------------------------------------------------------------

function tileKey(k, r, c) {
  return `${k}/${r}/${c}/${colormap ?? ''}`;
}

function tileURL(k, r, c) {
  const path = store.tile.replace('{level}', k).replace('{row}', r).replace('{col}', c);
  return colormap ? `${path}?colormap=${encodeURIComponent(colormap)}` : path;
}

/** Canvas rectangle [x0, y0, x1, y1] of tile (k, r, c), on whole pixels (shared edges meet). */
function tileRect(k, r, c) {
  const [h, w] = store.levels[k].shape;
  const [rows, columns] = store.chunks;
  const f = 2 ** k;
  const [cw, ch] = canvasSize();
  const x = (u) => Math.round(cw / 2 + (u - vp.x) / vp.scale);
  const y = (v) => Math.round(ch / 2 + (v - vp.y) / vp.scale);
  return [x(c * columns * f), y(r * rows * f),
    x(Math.min((c + 1) * columns, w) * f), y(Math.min((r + 1) * rows, h) * f)];
}

/** The tiles of level k that meet the canvas, [row, col], nearest the centre first. */
function visibleTiles(k) {
  const [cw, ch] = canvasSize();
  const [rows, columns] = store.chunks;
  const [tileRows, tileColumns] = store.levels[k].tiles;
  const f = 2 ** k;
  const [u0, v0] = level0At(0, 0);
  const [u1, v1] = level0At(cw, ch);
  const c0 = Math.max(0, Math.floor(u0 / (columns * f)));
  const c1 = Math.min(tileColumns - 1, Math.ceil(u1 / (columns * f)) - 1);
  const r0 = Math.max(0, Math.floor(v0 / (rows * f)));
  const r1 = Math.min(tileRows - 1, Math.ceil(v1 / (rows * f)) - 1);
  const found = [];
  for (let r = r0; r <= r1; r += 1) {
    for (let c = c0; c <= c1; c += 1) found.push([r, c]);
  }
  const mid = [(vp.y / (rows * f)) - 0.5, (vp.x / (columns * f)) - 0.5];
  found.sort((a, b) => Math.hypot(a[0] - mid[0], a[1] - mid[1]) -
    Math.hypot(b[0] - mid[0], b[1] - mid[1]));
  return found;
}

function paint(entry, k, r, c, chosen) {
  const [x0, y0, x1, y1] = tileRect(k, r, c);
  if (x1 <= x0 || y1 <= y0) return;
  entry.used = frames;
  const { bitmap } = entry;
  const exact = x1 - x0 === bitmap.width && y1 - y0 === bitmap.height;
  // 1:1 copies pixels; level 0 past its resolution shows its pixels (no blur); coarser levels
  // drawn under a level that is still loading are smoothed.
  context.imageSmoothingEnabled = !exact && (!chosen || x1 - x0 < bitmap.width);
  context.drawImage(bitmap, x0, y0, x1 - x0, y1 - y0);
}

async function load(k, r, c, entry) {
  try {
    const response = await fetch(tileURL(k, r, c));
    if (!response.ok) throw await errorOf(response);
    const blob = await response.blob();
    entry.bitmap = await createImageBitmap(blob, {
      premultiplyAlpha: 'none', colorSpaceConversion: 'none',
    });
    entry.state = 'ready';
  } catch (error) {
    entry.state = 'failed';
    showMessage(`tile ${k}/${r}/${c}: ${error.message}`);
  }
}

function pump() {
  while (inFlight < MAX_IN_FLIGHT && wanted.length > 0) {
    const [k, r, c] = wanted.shift();
    const key = tileKey(k, r, c);
    if (tiles.has(key)) continue;
    const entry = { state: 'loading', bitmap: null, used: frames };
    tiles.set(key, entry);
    inFlight += 1;
    load(k, r, c, entry).finally(() => {
      inFlight -= 1;
      scheduleDraw();
    });
  }
}

function evict() {
  if (tiles.size <= MAX_TILES) return;
  const old = [...tiles.entries()].filter(([, t]) => t.state !== 'loading' && t.used < frames)
    .sort((a, b) => a[1].used - b[1].used);
  for (const [key, entry] of old.slice(0, tiles.size - Math.floor(MAX_TILES * 0.75))) {
    entry.bitmap?.close();
    tiles.delete(key);
  }
}

function clearTiles() {
  for (const entry of tiles.values()) entry.bitmap?.close();
  tiles.clear();
}

// --- drawing -----------------------------------------------------------------------------

function scheduleDraw() {
  if (frame === null) frame = requestAnimationFrame(draw);
}

function draw() {
  frame = null;
  frames += 1;
  const [cw, ch] = canvasSize();
  context.fillStyle = '#000';
  context.fillRect(0, 0, cw, ch);
  const k = levelFor(vp.scale);
  const top = levels() - 1;
  wanted = [];
  // Coarser levels first, as far as they are here: the picture while level k loads.
  for (let level = top; level > k; level -= 1) {
    for (const [r, c] of visibleTiles(level)) {
      const entry = tiles.get(tileKey(level, r, c));
      if (entry?.state === 'ready') paint(entry, level, r, c, false);
      else if (!entry && level === top) wanted.push([level, r, c]); // one tile: fetch it first
    }
  }
  const visible = visibleTiles(k);
  let drawn = 0;
  let failed = 0;
  for (const [r, c] of visible) {
    const entry = tiles.get(tileKey(k, r, c));
    if (entry?.state === 'ready') {
      paint(entry, k, r, c, true);
      drawn += 1;
    } else if (entry?.state === 'failed') {
      failed += 1;
    } else if (!entry) {
      wanted.push([k, r, c]);
    }
  }
  shown = { level: k, visible: visible.length, drawn, failed };
  pump();
  evict();
  updateBar();
  checkIdle();
}

function state() {
  const [w, h] = canvasSize();
  return {
    level: shown.level, levels: levels(), scale: vp.scale, center: [vp.x, vp.y], size: [w, h],
    tiles: { visible: shown.visible, drawn: shown.drawn, failed: shown.failed },
    view: viewportView(), live: liveURL(), colormap,
  };
}

function checkIdle() {
  if (!store || frame !== null || shown.drawn + shown.failed < shown.visible) return;
  const waiters = idleWaiters;
  idleWaiters = [];
  const settled = state();
  for (const resolve of waiters) resolve(settled);
}

// --- the page around the canvas ------------------------------------------------------------

let hashTimer = null;

function updateBar() {
  const v = viewportView();
  const k = shown.level;
  const zoom = 1 / vp.scale;
  const zoomText = zoom >= 1 ? `${+zoom.toPrecision(4)}:1` : `1:${+(1 / zoom).toPrecision(4)}`;
  $('where').textContent = `level ${k} of 0-${levels() - 1} · ${zoomText} · centre ` +
    `${formatComplex(v.center)}  width ${v.width}`;
  $('status').textContent = shown.drawn + shown.failed < shown.visible
    ? `loading ${shown.drawn}/${shown.visible} tiles` : `${shown.visible} tiles`;
  document.body.dataset.state = shown.drawn + shown.failed < shown.visible ? 'loading' : 'idle';
  $('live').href = liveURL();
  if (pointerAt) $('pointer').textContent = `pointer ${pointText(...level0At(...pointerAt))}`;
  clearTimeout(hashTimer);
  hashTimer = setTimeout(saveViewport, 300);
}

/** The viewport in the page's URL (its hash), so that a reload or "back" returns to it. */
function saveViewport() {
  clearTimeout(hashTimer);
  window.history.replaceState(null, '', `#x=${vp.x}&y=${vp.y}&scale=${vp.scale}`);
}

function viewportFromHash() {
  const q = new URLSearchParams(window.location.hash.slice(1));
  const [x, y, scale] = ['x', 'y', 'scale'].map((name) => Number(q.get(name) ?? NaN));
  if (![x, y, scale].every(Number.isFinite) || scale <= 0) return false;
  vp.x = x;
  vp.y = y;
  vp.scale = Math.min(Math.max(scale, MIN_SCALE), maxScale());
  return true;
}


function describe() {
  const a = store.attributes;
  const [W, H] = store.pixels;
  $('title').textContent = `${store.name}`;
  const what = store.kind === 'image' ? `image (${store.colormap ?? 'custom colormap'}, ` +
    `${store.coloring})` : 'counts, coloured here by count';
  // The recorded decimals are exact (a double region's are long): shown to a thousandth of a
  // pixel, as the explorer rounds its views.
  const width = dec.parse(a.width);
  const e = dec.magnitude(width) - Math.ceil(Math.log10(W)) - 3;
  const centre = a.center.map((x) => dec.toString(dec.roundTo(dec.parse(x), e)));
  const c = a.family === 'julia' ? ` c = ${formatComplex(a.c)}` : '';
  $('about').textContent = `${a.family}${c}, ${what}\n${W} x ${H} pixels, ${levels()} ` +
    `levels, ${store.chunks[0]} x ${store.chunks[1]} tiles, itermax ${a.itermax}\n` +
    `centre ${formatComplex(centre)}\nwidth ${dec.toString(dec.roundSignificant(width, 12))}`;
  $('live').addEventListener('click', saveViewport);
  if (store.kind === 'fields') {
    const select = $('colormap');
    addColormapOptions(select, store.colormaps);
    select.value = colormap;
    $('colormap-label').hidden = false;
    select.addEventListener('change', () => {
      colormap = select.value;
      clearTiles();
      scheduleDraw();
    });
  }
}

// --- input -------------------------------------------------------------------------------

function canvasPoint(event) {
  const rect = canvas.getBoundingClientRect();
  return [(event.clientX - rect.left) / rect.width * canvas.width,
    (event.clientY - rect.top) / rect.height * canvas.height];
}

/** Zoom by `factor` (new scale = scale * factor) keeping canvas pixel (x, y) in place. */
function zoomAt(factor, x, y) {
  const [u, v] = level0At(x, y);
  const [w, h] = canvasSize();
  vp.scale = Math.min(Math.max(vp.scale * factor, MIN_SCALE), maxScale());
  vp.x = u - (x - w / 2) * vp.scale;
  vp.y = v - (y - h / 2) * vp.scale;
  scheduleDraw();
}

let drag = null;

canvas.addEventListener('pointerdown', (event) => {
  try {
    canvas.setPointerCapture(event.pointerId);
  } catch {
    // a synthetic pointer: no capture needed
  }
  drag = { start: canvasPoint(event), x: vp.x, y: vp.y };
});

canvas.addEventListener('pointermove', (event) => {
  pointerAt = canvasPoint(event);
  if (drag) {
    vp.x = drag.x - (pointerAt[0] - drag.start[0]) * vp.scale;
    vp.y = drag.y - (pointerAt[1] - drag.start[1]) * vp.scale;
    scheduleDraw();
  } else if (store) {
    $('pointer').textContent = `pointer ${pointText(...level0At(...pointerAt))}`;
  }
});

const endDrag = () => { drag = null; };
canvas.addEventListener('pointerup', endDrag);
canvas.addEventListener('pointercancel', endDrag);

canvas.addEventListener('dblclick', (event) => zoomAt(0.5, ...canvasPoint(event)));

canvas.addEventListener('wheel', (event) => {
  event.preventDefault();
  const unit = event.deltaMode === 1 ? 33 : event.deltaMode === 2 ? 400 : 1;
  zoomAt(Math.exp(event.deltaY * unit * 0.002), ...canvasPoint(event));
}, { passive: false });

window.addEventListener('keydown', (event) => {
  if (!store || event.target instanceof HTMLSelectElement) return;
  const [w, h] = canvasSize();
  const step = Math.round(w / 10) * vp.scale;
  const actions = {
    '+': () => zoomAt(0.5, w / 2, h / 2),
    '=': () => zoomAt(0.5, w / 2, h / 2),
    '-': () => zoomAt(2, w / 2, h / 2),
    0: () => { fit(); scheduleDraw(); },
    ArrowLeft: () => { vp.x -= step; scheduleDraw(); },
    ArrowRight: () => { vp.x += step; scheduleDraw(); },
    ArrowUp: () => { vp.y -= step; scheduleDraw(); },
    ArrowDown: () => { vp.y += step; scheduleDraw(); },
  };
  const action = actions[event.key];
  if (!action) return;
  event.preventDefault();
  action();
});

window.addEventListener('resize', () => {
  if (store && resizeCanvas()) scheduleDraw();
});

// --- automation: window.juliaset -----------------------------------------------------------

window.juliaset = {
  /** What is shown: the level drawn, the viewport (scale in level-0 pixels per canvas pixel,
   * the level-0 point at the centre), tiles, the viewport's view and the live explorer's URL. */
  store: () => state(),
  /** Resolves (with store()) when every visible tile of the level drawn is on the canvas. */
  idle: () => new Promise((resolve) => {
    idleWaiters.push(resolve);
    checkIdle();
  }),
  /** Move the viewport: {center: [x, y] level-0 pixels, scale} or {level}: that level at 1:1. */
  setViewport: ({ center, scale, level } = {}) => {
    if (level !== undefined) vp.scale = 2 ** level;
    else if (scale !== undefined) vp.scale = Math.min(Math.max(scale, MIN_SCALE), maxScale());
    if (center) [vp.x, vp.y] = center;
    scheduleDraw();
    return state();
  },
  fit: () => {
    fit();
    scheduleDraw();
    return state();
  },
  description: () => store,
};

async function start() {
  const response = await fetch('/api/store');
  if (!response.ok) throw await errorOf(response);
  store = await response.json();
  colormap = store.kind === 'fields' ? store.default_colormap : null;
  resizeCanvas();
  describe();
  if (!viewportFromHash()) fit();
  scheduleDraw();
}

start().catch((error) => showMessage(`could not open the store: ${error.message}`));
