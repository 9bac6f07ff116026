// The explorer page: a full-window view of the Mandelbrot set or a Julia set, a Julia panel,
// controls, history in the URL. The server renders fields; this page colours them
// (colour.js), so colormap and colouring changes need no new render.
import * as dec from './decimal.js';
import { colourize } from './colour.js';
import { $, addColormapOptions, errorOf, showMessage } from './page.js';
import { viewQuery } from './view_url.js';

const SEED_C = ['-0.835', '-0.2321'];
const HOME = {
  mandelbrot: { center: ['-0.5', '0'], width: '3' },
  julia: { center: ['0', '0'], width: '3.2' },
};
const COARSE_DIVISOR = 4;
const MAX_WIDTH = '1000'; // zooming out stops here (the server takes widths up to 1e6)
const CLICK_DELAY_MS = 250; // a second click within it makes a double-click (zoom)
const PANEL_ITERMAX = 500;
const SESSION = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) =>
  b.toString(16).padStart(2, '0')).join('');

const mainCanvas = $('view');
const mainContext = mainCanvas.getContext('2d', { alpha: false });
const panelCanvas = $('panel');
const panelContext = panelCanvas.getContext('2d', { alpha: false });

let info = null; // /api/info
let view = null; // the current view (see viewObject for its fields)

// --- the view ---------------------------------------------------------------------------

/** itermax of the automatic mode: grows with the zoom depth log10(3 / width). */
function autoItermax(width) {
  const depth = Math.max(0, Math.log10(3) - dec.magnitude(width) -
    Math.log10(dec.ratio(width, dec.parse(`1e${dec.magnitude(width)}`))));
  return Math.min(info ? info.caps.max_itermax : 1e7,
    Math.round(100 + 150 * depth ** 1.5));
}

function defaultView() {
  return {
    family: 'mandelbrot', power: 2, c: SEED_C.slice(), center: HOME.mandelbrot.center.slice(),
    width: HOME.mandelbrot.width, itermin: 0, itermax: 100, auto: true,
    // Histogram colouring: fast (the SIMD counts suffice) and even at any depth.
    colormap: 'twilight_r', coloring: 'histogram', supersample: 2, exportSize: null,
  };
}

function viewFromURL(search) {
  const q = new URLSearchParams(search);
  const v = defaultView();
  const family = q.get('family');
  if (family === 'julia' || family === 'mandelbrot') v.family = family;
  if (!q.has('center_re') && !q.has('width')) {
    v.center = HOME[v.family].center.slice();
    v.width = HOME[v.family].width;
  }
  const decimal = (name, fallback) => {
    try {
      return q.has(name) ? dec.toString(dec.parse(q.get(name))) : fallback;
    } catch {
      return fallback;
    }
  };
  const integer = (name, fallback, low, high) => {
    const n = Number(q.get(name));
    return q.has(name) && Number.isInteger(n) && n >= low && n <= high ? n : fallback;
  };
  v.c = [decimal('c_re', v.c[0]), decimal('c_im', v.c[1])];
  v.center = [decimal('center_re', v.center[0]), decimal('center_im', v.center[1])];
  v.width = decimal('width', v.width);
  if (!(dec.parse(v.width).m > 0n)) v.width = HOME[v.family].width;
  v.power = integer('power', 2, 2, 16);
  v.itermax = integer('itermax', v.itermax, 1, 1e7);
  v.auto = q.has('auto') ? q.get('auto') === '1' : !q.has('itermax');
  if (info && info.colormaps.includes(q.get('colormap'))) v.colormap = q.get('colormap');
  else if (q.has('colormap') && !info) v.colormap = q.get('colormap');
  if (['count', 'smooth', 'histogram'].includes(q.get('coloring'))) v.coloring = q.get('coloring');
  v.supersample = integer('supersample', v.supersample, 1, 16);
  if (v.auto) v.itermax = autoItermax(dec.parse(v.width));
  return v;
}

function urlOf(v) {
  return `?${viewQuery(v)}`;
}

/** The view as window.juliaset.view() reports it (JSON-able; numbers as decimal strings). */
function viewObject(v) {
  return {
    family: v.family, power: v.power, c: v.family === 'julia' ? v.c.slice() : null,
    center: v.center.slice(), width: v.width, itermin: v.itermin, itermax: v.itermax,
    auto_itermax: v.auto, colormap: v.colormap, coloring: v.coloring,
    supersample: v.supersample, size: canvasSize(),
  };
}

let lastPush = { kind: null, time: 0 };

/** Make `next` the view; `history`: 'push', 'replace' or 'none' (popstate); `kind` coalesces. */
function setView(next, history = 'push', kind = null) {
  if (next.auto) next.itermax = autoItermax(dec.parse(next.width));
  view = next;
  const url = urlOf(view);
  const now = performance.now();
  if (history === 'push' && kind !== null && lastPush.kind === kind && now - lastPush.time < 500) {
    history = 'replace';
  }
  if (history === 'push') window.history.pushState(null, '', url);
  else if (history === 'replace') window.history.replaceState(null, '', url);
  if (history !== 'none') lastPush = { kind, time: now };
  syncControls();
  requestRender();
}

// --- geometry ----------------------------------------------------------------------------

function canvasSize() {
  return [mainCanvas.width, mainCanvas.height];
}

function resizeCanvases() {
  let ratio = window.devicePixelRatio || 1;
  // Within the server's cap on a view's pixels (a 4K screen at device scale 2 exceeds it).
  const cap = info ? info.caps.max_view_pixels : Infinity;
  const cssPixels = mainCanvas.clientWidth * mainCanvas.clientHeight;
  if (cssPixels * ratio * ratio > cap) ratio = Math.sqrt(cap / cssPixels) * 0.999;
  const width = Math.max(1, Math.round(mainCanvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(mainCanvas.clientHeight * ratio));
  const changed = width !== mainCanvas.width || height !== mainCanvas.height;
  mainCanvas.width = width;
  mainCanvas.height = height;
  panelCanvas.width = Math.max(1, Math.round(panelCanvas.clientWidth * ratio));
  panelCanvas.height = Math.max(1, Math.round(panelCanvas.clientHeight * ratio));
  return changed;
}

/** Exponent below which centre digits no longer matter: a thousandth of a pixel. */
function centreExponent(width, pixels) {
  return dec.magnitude(width) - Math.ceil(Math.log10(pixels)) - 3;
}

/** The plane's point at canvas pixel (x, y) of view v (the renderer's sampling rule). */
function pointAt(v, x, y) {
  const [w] = canvasSize();
  const width = dec.parse(v.width);
  const e = centreExponent(width, w);
  const re = dec.add(dec.parse(v.center[0]), dec.mul(width, dec.fromNumber((x - w / 2) / w)));
  const im = dec.add(dec.parse(v.center[1]),
    dec.mul(width, dec.fromNumber((canvasSize()[1] / 2 - y) / w)));
  return [dec.toString(dec.roundTo(re, e)), dec.toString(dec.roundTo(im, e))];
}

/** View v moved by (dx, dy) canvas pixels of the picture (drag right: the picture moves right). */
function panned(v, dx, dy) {
  const [w] = canvasSize();
  const width = dec.parse(v.width);
  const e = centreExponent(width, w);
  const re = dec.sub(dec.parse(v.center[0]), dec.mul(width, dec.fromNumber(dx / w)));
  const im = dec.add(dec.parse(v.center[1]), dec.mul(width, dec.fromNumber(dy / w)));
  return { ...v, center: [dec.toString(dec.roundTo(re, e)), dec.toString(dec.roundTo(im, e))] };
}

/** The smallest zoom factor allowed at view v (doubles' resolution, until deep zoom). */
function minimumFactor(v) {
  if (!info || info.deep_zoom) return 0;
  const [w, h] = canvasSize();
  const width = dec.toNumber(dec.parse(v.width));
  const largest = Math.max(Math.abs(Number(v.center[0])) + width,
    Math.abs(Number(v.center[1])) + width * h / w);
  const smallestWidth = largest * info.caps.min_relative_pixel * w * 1.01;
  return smallestWidth / width;
}

/** View v zoomed by `factor` (new width = width * factor) keeping canvas pixel (x, y) fixed. */
function zoomed(v, factor, x, y) {
  const floor = minimumFactor(v);
  if (factor < floor) {
    showMessage('deep zoom needs the deep-zoom engine: this is as deep as doubles go');
    factor = floor;
    if (factor >= 1) return v;
  }
  const [w, h] = canvasSize();
  const width = dec.parse(v.width);
  const widest = dec.ratio(dec.parse(MAX_WIDTH), width);
  if (factor > widest) factor = widest;
  const newWidth = dec.roundSignificant(dec.mul(width, dec.fromNumber(factor)), 12);
  const e = centreExponent(newWidth, w);
  const keep = dec.fromNumber(1 - factor);
  const offsetRe = dec.mul(width, dec.fromNumber((x - w / 2) / w));
  const offsetIm = dec.mul(width, dec.fromNumber((h / 2 - y) / w));
  const re = dec.add(dec.parse(v.center[0]), dec.mul(offsetRe, keep));
  const im = dec.add(dec.parse(v.center[1]), dec.mul(offsetIm, keep));
  return {
    ...v, width: dec.toString(newWidth),
    center: [dec.toString(dec.roundTo(re, e)), dec.toString(dec.roundTo(im, e))],
  };
}

// --- rendering ---------------------------------------------------------------------------

function query(params) {
  return new URLSearchParams(params).toString();
}

function viewParams(v, size) {
  const p = {
    family: v.family, power: String(v.power), center_re: v.center[0], center_im: v.center[1],
    width: v.width, size: `${size[0]}x${size[1]}`, itermin: String(v.itermin),
    itermax: String(v.itermax),
  };
  if (v.family === 'julia') {
    p.c_re = v.c[0];
    p.c_im = v.c[1];
  }
  return p;
}

/** Fields of view v at `size` from the server: {counts, smooth?, size, parameters}. */
async function fetchFields(v, size, fields, channel, signal) {
  const params = { ...viewParams(v, size), fields, session: SESSION, channel };
  const sent = performance.now();
  const response = await fetch(`/api/render?${query(params)}`, { signal, cache: 'no-store' });
  if (!response.ok) throw await errorOf(response);
  const layout = JSON.parse(response.headers.get('x-juliaset-render'));
  const buffer = await response.arrayBuffer();
  const result = { size, parameters: layout.parameters, seconds: layout.seconds,
    fetch_ms: performance.now() - sent };
  for (const f of layout.fields) {
    const Type = { uint16: Uint16Array, uint32: Uint32Array, float64: Float64Array }[f.dtype];
    result[f.name] = new Type(buffer, f.offset, f.length);
  }
  return result;
}

function geometryKey(v, size) {
  return JSON.stringify([v.family, v.power, v.family === 'julia' ? v.c : null, v.center, v.width,
    v.itermin, v.itermax, size]);
}

function displayKey(v, size) {
  return JSON.stringify([geometryKey(v, size), v.colormap, v.coloring]);
}

function fieldsFor(v) {
  return v.coloring === 'smooth' ? 'counts,smooth' : 'counts';
}

/** Whether rendered fields `r` (of geometry key `key`) can be coloured for view v. */
function covers(r, key, v) {
  return r !== null && r.key === key && (v.coloring !== 'smooth' || r.smooth !== undefined);
}

function colourImage(fields, v, context) {
  const [w, h] = fields.size;
  const image = context.createImageData(w, h);
  colourize(new Uint32Array(image.data.buffer), fields, {
    itermin: v.itermin, itermax: v.itermax, coloring: v.coloring,
    table: info.tables[v.colormap] ?? null,
  });
  return image;
}

const main = {
  generation: 0,
  abort: null,
  exact: null, // {key, counts, smooth?, size, parameters}: the last exact render
  coarse: null, // the last coarse render (same shape)
  snapshot: null, // {canvas, view, size}: what is on screen, to transform at once
  settled: null, // displayKey of what is settled on screen (exact, or an error)
  error: null,
  changedAt: 0,
  timings: [],
};
let idleWaiters = [];

function settle(key, error) {
  main.settled = key;
  main.error = error;
  checkIdle();
}

function checkIdle() {
  if (!view || main.settled !== displayKey(view, canvasSize())) return;
  const waiters = idleWaiters;
  idleWaiters = [];
  for (const resolve of waiters) {
    resolve({ exact: main.error === null, error: main.error, view: viewObject(view) });
  }
}

function snapshotOf(canvas, v, size) {
  return { canvas, view: v, size };
}

/** Draw the last picture transformed to the current view: immediate feedback. */
function drawTransformed() {
  const s = main.snapshot;
  if (!s) return;
  const [w, h] = canvasSize();
  const newWidth = dec.parse(view.width);
  const scale = dec.ratio(dec.parse(s.view.width), newWidth) * (w / s.size[0]);
  const dx = dec.ratio(dec.sub(dec.parse(s.view.center[0]), dec.parse(view.center[0])), newWidth) * w;
  const dy = dec.ratio(dec.sub(dec.parse(s.view.center[1]), dec.parse(view.center[1])), newWidth) * w;
  const drawWidth = s.size[0] * scale;
  const drawHeight = s.size[1] * scale;
  mainContext.fillStyle = '#000';
  mainContext.fillRect(0, 0, w, h);
  mainContext.imageSmoothingEnabled = scale < 4;
  mainContext.drawImage(s.canvas, w / 2 + dx - drawWidth / 2, h / 2 - dy - drawHeight / 2,
    drawWidth, drawHeight);
}

function drawExact(result, v) {
  const image = colourImage(result, v, mainContext);
  mainContext.putImageData(image, 0, 0);
  if (snapshotCanvas.width !== result.size[0] || snapshotCanvas.height !== result.size[1]) {
    snapshotCanvas.width = result.size[0];
    snapshotCanvas.height = result.size[1];
  }
  snapshotCanvas.getContext('2d').drawImage(mainCanvas, 0, 0);
  main.snapshot = snapshotOf(snapshotCanvas, v, result.size);
}
const snapshotCanvas = document.createElement('canvas');

function drawCoarse(result, v) {
  const small = document.createElement('canvas');
  small.width = result.size[0];
  small.height = result.size[1];
  const context = small.getContext('2d');
  context.putImageData(colourImage(result, v, context), 0, 0);
  const [w, h] = canvasSize();
  mainContext.imageSmoothingEnabled = true;
  mainContext.drawImage(small, 0, 0, w, h);
  // The coarse grid is a little wider than the canvas in the plane: scale the snapshot to match.
  main.snapshot = snapshotOf(small, v, [w, h]);
}

function requestRender() {
  main.changedAt = performance.now();
  startRender();
}

async function startRender() {
  if (!info || !view) return;
  main.generation += 1;
  const generation = main.generation;
  if (main.abort) main.abort.abort();
  const controller = new AbortController();
  main.abort = controller;
  const v = view;
  const size = canvasSize();
  const key = geometryKey(v, size);
  const shown = displayKey(v, size);
  const changedAt = main.changedAt;
  const timing = { view: viewObject(v), coarse_ms: null, exact_ms: null };
  updateStatus('rendering');
  if (covers(main.exact, key, v)) {
    drawExact(main.exact, v); // a colour change: recolour, no render
    timing.exact_ms = performance.now() - changedAt;
    pushTiming(timing);
    updateStatus('exact');
    settle(shown, null);
    return;
  }
  drawTransformed();
  // The coarse and the exact render are requested together (the server runs both at once);
  // the coarse one is drawn if it arrives first.
  let exactDrawn = false;
  const coarseSize = size.map((n) => Math.ceil(n / COARSE_DIVISOR));
  const coarse = size[0] * size[1] >= 128 * 128
    ? fetchFields(v, coarseSize, fieldsFor(v), 'coarse', controller.signal).then((result) => {
      if (generation !== main.generation || exactDrawn) return;
      result.key = geometryKey(v, coarseSize);
      main.coarse = result;
      drawCoarse(result, v);
      timing.coarse_ms = performance.now() - changedAt;
      updateStatus('coarse');
    }).catch(() => {}) // the exact request reports errors
    : Promise.resolve();
  try {
    const exact = await fetchFields(v, size, fieldsFor(v), 'main', controller.signal);
    if (generation !== main.generation) return;
    exactDrawn = true;
    exact.key = key;
    main.exact = exact;
    const drawStart = performance.now();
    drawExact(exact, view);
    timing.exact_ms = performance.now() - changedAt;
    timing.server_ms = exact.seconds * 1000;
    timing.fetch_ms = exact.fetch_ms;
    timing.draw_ms = performance.now() - drawStart;
    pushTiming(timing);
    updateStatus('exact');
    settle(displayKey(view, size), null);
  } catch (error) {
    if (error.name === 'AbortError' || generation !== main.generation) return;
    showMessage(error.message);
    updateStatus('error');
    settle(shown, error.message);
  }
  await coarse;
}

function pushTiming(timing) {
  main.timings.push(timing);
  if (main.timings.length > 100) main.timings.shift();
}

/** Recolour what is on screen for a colour change; render when the fields do not cover it. */
function recolour() {
  const size = canvasSize();
  if (covers(main.exact, geometryKey(view, size), view)) {
    main.changedAt = performance.now();
    drawExact(main.exact, view);
    updateStatus('exact');
    settle(displayKey(view, size), null);
    pushTiming({ view: viewObject(view), coarse_ms: null,
      exact_ms: performance.now() - main.changedAt, recoloured: true });
    drawPanel();
    return;
  }
  requestRender();
}

// --- the Julia panel ------------------------------------------------------------------------

const panel = { busy: false, pending: null, result: null, resultView: null, abort: null };

function panelView(c) {
  if (view.family === 'mandelbrot') {
    return { ...view, family: 'julia', c, center: HOME.julia.center, width: HOME.julia.width,
      itermin: 0, itermax: Math.min(view.itermax, PANEL_ITERMAX), coloring: 'count' };
  }
  return { ...view, family: 'mandelbrot', center: HOME.mandelbrot.center,
    width: HOME.mandelbrot.width, itermin: 0, itermax: Math.min(view.itermax, PANEL_ITERMAX),
    coloring: 'count' };
}

async function renderPanel(c) {
  if (!info) return;
  if (panel.busy) {
    panel.pending = c;
    return;
  }
  panel.busy = true;
  const v = panelView(c);
  const size = [panelCanvas.width, panelCanvas.height];
  try {
    const result = await fetchFields(v, size, 'counts', 'panel', undefined);
    panel.result = result;
    panel.resultView = v;
    drawPanel();
    $('panel-label').textContent = view.family === 'mandelbrot'
      ? `Julia set of c = ${formatComplex(c)} (click: open)`
      : 'Mandelbrot set (click: pick c)';
  } catch (error) {
    $('panel-label').textContent = error.message;
  } finally {
    panel.busy = false;
    if (panel.pending !== null) {
      const next = panel.pending;
      panel.pending = null;
      renderPanel(next);
    }
  }
}

function drawPanel() {
  if (!panel.result) return;
  const v = { ...panel.resultView, colormap: view.colormap };
  panelContext.putImageData(colourImage(panel.result, v, panelContext), 0, 0);
  if (view.family === 'julia' && panel.resultView.family === 'mandelbrot') {
    // Mark c on the Mandelbrot panel.
    const [w, h] = panel.result.size;
    const x = (Number(view.c[0]) + 0.5) / 3 * w + w / 2;
    const y = h / 2 - Number(view.c[1]) / 3 * w;
    panelContext.strokeStyle = '#fff';
    panelContext.lineWidth = Math.max(1, w / 160);
    panelContext.beginPath();
    panelContext.arc(x, y, w / 40, 0, 2 * Math.PI);
    panelContext.stroke();
  }
}

function panelPoint(event) {
  const rect = panelCanvas.getBoundingClientRect();
  const w = panelCanvas.width;
  const x = (event.clientX - rect.left) / rect.width * w;
  const y = (event.clientY - rect.top) / rect.height * panelCanvas.height;
  const width = dec.parse(HOME.mandelbrot.width);
  const e = centreExponent(width, w);
  const re = dec.add(dec.parse(HOME.mandelbrot.center[0]), dec.mul(width, dec.fromNumber((x - w / 2) / w)));
  const im = dec.mul(width, dec.fromNumber((panelCanvas.height / 2 - y) / w));
  return [dec.toString(dec.roundTo(re, e)), dec.toString(dec.roundTo(im, e))];
}

function openJulia(c) {
  setView({ ...view, family: 'julia', c, center: HOME.julia.center.slice(),
    width: HOME.julia.width });
}

// --- input -------------------------------------------------------------------------------

function canvasPoint(event) {
  const rect = mainCanvas.getBoundingClientRect();
  return [(event.clientX - rect.left) / rect.width * mainCanvas.width,
    (event.clientY - rect.top) / rect.height * mainCanvas.height];
}

const pointers = new Map();
let drag = null; // {start: [x, y], view, moved, pinch?}
let clickTimer = null;

mainCanvas.addEventListener('pointerdown', (event) => {
  try {
    mainCanvas.setPointerCapture(event.pointerId);
  } catch {
    // a pointer the browser does not track (a synthetic event): no capture needed
  }
  pointers.set(event.pointerId, canvasPoint(event));
  if (pointers.size === 1) {
    drag = { start: canvasPoint(event), view, moved: false };
  } else if (pointers.size === 2) {
    const [a, b] = [...pointers.values()];
    drag = { pinch: Math.hypot(a[0] - b[0], a[1] - b[1]), view, moved: true,
      middle: [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2] };
  }
});

mainCanvas.addEventListener('pointermove', (event) => {
  const point = canvasPoint(event);
  if (pointers.has(event.pointerId)) pointers.set(event.pointerId, point);
  if (drag && drag.pinch && pointers.size === 2) {
    const [a, b] = [...pointers.values()];
    const distance = Math.hypot(a[0] - b[0], a[1] - b[1]);
    if (distance > 0) setView(zoomed(drag.view, drag.pinch / distance, ...drag.middle), 'none');
    return;
  }
  if (drag && pointers.size === 1) {
    const dx = point[0] - drag.start[0];
    const dy = point[1] - drag.start[1];
    if (!drag.moved && Math.hypot(dx, dy) < 3) return;
    drag.moved = true;
    setView(panned(drag.view, dx, dy), 'none');
    return;
  }
  if (view.family === 'mandelbrot' && info) renderPanel(pointAt(view, ...point));
  $('pointer').textContent = formatComplex(pointAt(view, ...point));
});

function endPointer(event) {
  const wasDrag = drag;
  pointers.delete(event.pointerId);
  if (pointers.size > 0) return;
  drag = null;
  if (!wasDrag) return;
  if (wasDrag.moved) {
    setView(view, 'push');
    return;
  }
  if (event.type !== 'pointerup' || event.button !== 0) return;
  // A click: open the Julia set of the point after the double-click window.
  const point = canvasPoint(event);
  if (clickTimer !== null) return; // the second click of a double-click
  clickTimer = setTimeout(() => {
    clickTimer = null;
    if (view.family === 'mandelbrot') openJulia(pointAt(view, ...point));
  }, CLICK_DELAY_MS);
}
mainCanvas.addEventListener('pointerup', endPointer);
mainCanvas.addEventListener('pointercancel', endPointer);

mainCanvas.addEventListener('dblclick', (event) => {
  if (clickTimer !== null) {
    clearTimeout(clickTimer);
    clickTimer = null;
  }
  setView(zoomed(view, 0.5, ...canvasPoint(event)), 'push');
});

mainCanvas.addEventListener('wheel', (event) => {
  event.preventDefault();
  const unit = event.deltaMode === 1 ? 33 : event.deltaMode === 2 ? 400 : 1;
  const factor = Math.exp(event.deltaY * unit * 0.002);
  setView(zoomed(view, factor, ...canvasPoint(event)), 'push', 'wheel');
}, { passive: false });

window.addEventListener('keydown', (event) => {
  if (event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement) return;
  const [w, h] = canvasSize();
  const step = Math.round(w / 10);
  const actions = {
    '+': () => zoomed(view, 0.5, w / 2, h / 2),
    '=': () => zoomed(view, 0.5, w / 2, h / 2),
    '-': () => zoomed(view, 2, w / 2, h / 2),
    ArrowLeft: () => panned(view, step, 0),
    ArrowRight: () => panned(view, -step, 0),
    ArrowUp: () => panned(view, 0, step),
    ArrowDown: () => panned(view, 0, -step),
  };
  const action = actions[event.key];
  if (!action) return;
  event.preventDefault();
  setView(action(), 'push', event.key.startsWith('Arrow') ? 'arrow' : 'key-zoom');
});

panelCanvas.addEventListener('click', (event) => {
  if (view.family === 'mandelbrot') {
    if (panel.resultView) openJulia(panel.resultView.c);
  } else {
    setView({ ...view, c: panelPoint(event) });
    renderPanel(view.c);
  }
});

window.addEventListener('popstate', () => {
  setView(viewFromURL(window.location.search), 'none');
  renderPanel(view.c);
});

window.addEventListener('resize', () => {
  if (resizeCanvases()) requestRender();
  renderPanel(view.c);
});

// --- controls ----------------------------------------------------------------------------

function syncControls() {
  $('family').value = view.family;
  $('power').value = String(view.power);
  $('itermax').value = String(view.itermax);
  $('auto').checked = view.auto;
  $('colormap').value = view.colormap;
  $('coloring').value = view.coloring;
  $('supersample').value = String(view.supersample);
  $('where').textContent = `${view.family === 'julia' ? `c = ${formatComplex(view.c)}  ` : ''}` +
    `centre ${formatComplex(view.center)}  width ${view.width}`;
}

function formatComplex([re, im]) {
  const imaginary = im.startsWith('-') ? `- ${im.slice(1)}` : `+ ${im}`;
  return `${re} ${imaginary}i`;
}

function updateStatus(state) {
  const last = main.timings[main.timings.length - 1];
  const ms = last && state === 'exact' ? ` in ${Math.round(last.exact_ms)} ms` : '';
  $('status').textContent = `${state}${ms} · itermax ${view.itermax}`;
  document.body.dataset.state = state;
}


function bindControls() {
  const colormap = $('colormap');
  addColormapOptions(colormap, info.colormaps);
  $('family').addEventListener('change', (event) => {
    const family = event.target.value;
    setView({ ...view, family, center: HOME[family].center.slice(), width: HOME[family].width });
    renderPanel(view.c);
  });
  $('power').addEventListener('change', (event) => {
    const power = Number(event.target.value);
    if (Number.isInteger(power) && power >= 2 && power <= 16) setView({ ...view, power });
    else syncControls();
    renderPanel(view.c);
  });
  $('itermax').addEventListener('change', (event) => {
    const itermax = Number(event.target.value);
    if (Number.isInteger(itermax) && itermax >= 1 && itermax <= info.caps.max_itermax) {
      setView({ ...view, itermax, auto: false });
    } else {
      syncControls();
    }
  });
  $('auto').addEventListener('change', (event) => setView({ ...view, auto: event.target.checked }));
  colormap.addEventListener('change', (event) => {
    view = { ...view, colormap: event.target.value };
    window.history.pushState(null, '', urlOf(view));
    recolour();
  });
  $('coloring').addEventListener('change', (event) => {
    view = { ...view, coloring: event.target.value };
    window.history.pushState(null, '', urlOf(view));
    recolour();
  });
  $('supersample').addEventListener('change', (event) => {
    view = { ...view, supersample: Number(event.target.value) };
    window.history.replaceState(null, '', urlOf(view));
  });
  $('store-link').hidden = !info.store; // started with --store: its page, /store
  $('export').addEventListener('click', () => exportPNG());
  $('home').addEventListener('click', () => setView({ ...view, center: HOME[view.family].center.slice(),
    width: HOME[view.family].width }));
}

// --- export ------------------------------------------------------------------------------

async function exportPNG() {
  const width = Number($('export-width').value) || canvasSize()[0];
  const height = Number($('export-height').value) || canvasSize()[1];
  const params = { ...viewParams(view, [width, height]), colormap: view.colormap,
    coloring: view.coloring, supersample: String(view.supersample), session: SESSION };
  $('export').disabled = true;
  updateStatus('exporting');
  try {
    const response = await fetch(`/api/export?${query(params)}`, { cache: 'no-store' });
    if (!response.ok) throw await errorOf(response);
    const blob = await response.blob();
    const disposition = response.headers.get('content-disposition') ?? '';
    const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'juliaset.png';
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    showMessage(`exported ${name} (${width} x ${height}, supersample ${view.supersample})`);
    return name;
  } catch (error) {
    showMessage(`export failed: ${error.message}`);
    throw error;
  } finally {
    $('export').disabled = false;
    updateStatus(main.settled === displayKey(view, canvasSize()) ? 'exact' : 'rendering');
  }
}

// --- automation: window.juliaset ---------------------------------------------------------

window.juliaset = {
  /** The current view, JSON-able: centre, width and c as decimal strings. */
  view: () => viewObject(view),
  /** Resolves when the exact render of the current view is on screen (or failed). */
  idle: () => new Promise((resolve) => {
    idleWaiters.push(resolve);
    checkIdle();
  }),
  /** The parameter record of the picture on screen (what `juliaset --from` would take). */
  parameters: () => {
    if (!main.exact) return null;
    return { ...main.exact.parameters, colormap: view.colormap, coloring: view.coloring };
  },
  /** Change the view: any fields of view() (family, power, c, center, width, itermax, ...). */
  setView: (changes) => {
    const next = { ...view };
    for (const key of ['family', 'power', 'itermax', 'colormap', 'coloring', 'supersample']) {
      if (changes[key] !== undefined) next[key] = changes[key];
    }
    if (changes.c) next.c = changes.c.map(String);
    if (changes.center) next.center = changes.center.map(String);
    if (changes.width !== undefined) next.width = String(changes.width);
    if (changes.auto_itermax !== undefined) next.auto = changes.auto_itermax;
    else if (changes.itermax !== undefined) next.auto = false;
    setView(next, 'push');
  },
  /** Times (ms) from each view change to its coarse and exact pictures, newest last. */
  timings: () => main.timings.slice(),
  exportPNG,
  session: SESSION,
};

// --- start -------------------------------------------------------------------------------

async function start() {
  const response = await fetch('/api/info');
  info = await response.json();
  resizeCanvases();
  bindControls();
  const v = viewFromURL(window.location.search);
  $('export-width').value = String(canvasSize()[0]);
  $('export-height').value = String(canvasSize()[1]);
  setView(v, 'replace');
  renderPanel(view.family === 'mandelbrot' ? SEED_C : view.c);
}

start().catch((error) => showMessage(`could not start: ${error.message}`));
