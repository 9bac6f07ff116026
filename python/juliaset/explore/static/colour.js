// Colouring on the client, bit for bit the renderer's (src/color.cpp, one sample per pixel):
//   count:     t = (max(k, itermin) - itermin) / (itermax - itermin)
//   smooth:    t = clamp((s - itermin) / (itermax - itermin), 0, 1)
//   histogram: t = (escaped samples with count <= k) / (escaped samples), 1 inside
// then the colour index min(floor(clamp(t, 0, 1) * 256), 255) into the colormap's table (its
// bytes are floor(channel * 255), computed by the server from the same table), or for gray the
// level floor(clamp(t * 255, 0, 255)). JavaScript numbers are IEEE doubles, as the C++ values.

const OPAQUE = 0xff000000;
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function pack(r, g, b) {
  return littleEndian
    ? (OPAQUE | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | 0xff) >>> 0;
}

/** The packed RGBA colour of a value t for a colormap table (null: gray). */
function colourOf(t, table) {
  if (table === null) {
    const level = Math.floor(Math.min(Math.max(t * 255, 0), 255));
    return pack(level, level, level);
  }
  const clamped = t > 0 ? Math.min(t, 1) : 0; // NaN -> 0, as Colormap::at
  const index = Math.min(Math.floor(clamped * 256), 255);
  return pack(table[index * 3], table[index * 3 + 1], table[index * 3 + 2]);
}

/** levels[k]: the histogram colouring's value of count k (the renderer's histogram_levels). */
export function histogramLevels(counts, itermax) {
  const histogram = new Float64Array(itermax + 1);
  for (let i = 0; i < counts.length; i += 1) histogram[counts[i]] += 1;
  let escaped = 0;
  for (let k = 0; k < itermax; k += 1) escaped += histogram[k];
  const levels = new Float64Array(itermax + 1).fill(1);
  let running = 0;
  for (let k = 0; k < itermax; k += 1) {
    running += histogram[k];
    levels[k] = escaped === 0 ? 0 : running / escaped;
  }
  return levels;
}

/**
 * Colours `fields` ({counts, smooth?}) into `pixels` (a Uint32Array over RGBA bytes).
 * options: {itermin, itermax, coloring, table}.
 */
export function colourize(pixels, fields, { itermin, itermax, coloring, table }) {
  const { counts } = fields;
  if (coloring === 'smooth') {
    const { smooth } = fields;
    const span = itermax - itermin;
    for (let i = 0; i < smooth.length; i += 1) {
      const t = Math.min(Math.max((smooth[i] - itermin) / span, 0), 1);
      pixels[i] = colourOf(t, table);
    }
    return;
  }
  const lookup = new Uint32Array(itermax + 1);
  if (coloring === 'histogram') {
    const levels = histogramLevels(counts, itermax);
    for (let k = 0; k <= itermax; k += 1) lookup[k] = colourOf(levels[k], table);
  } else {
    const span = itermax - itermin;
    for (let k = 0; k <= itermax; k += 1) {
      lookup[k] = colourOf((Math.max(k, itermin) - itermin) / span, table);
    }
  }
  for (let i = 0; i < counts.length; i += 1) pixels[i] = lookup[counts[i]];
}
