// Exact decimal numbers for the view's centre and width: {m: BigInt, e: integer} is m * 10^e.
// Panning and zooming only add and multiply, so the centre stays an exact decimal string at any
// depth; doubles enter only as small factors (pixel offsets over the width, zoom factors).

const TEN = 10n;

function normalize(m, e) {
  if (m === 0n) return { m: 0n, e: 0 };
  while (m % TEN === 0n) {
    m /= TEN;
    e += 1;
  }
  return { m, e };
}

const DECIMAL = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;

/** The decimal a string such as "-0.75", "2.5e-9" or "1E+3" denotes; throws on anything else. */
export function parse(text) {
  const match = DECIMAL.exec(String(text).trim());
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) {
    throw new Error(`not a decimal number: ${text}`);
  }
  const fraction = match[3] ?? '';
  let m = BigInt((match[2] + fraction) || '0');
  if (match[1] === '-') m = -m;
  const e = (match[4] ? parseInt(match[4], 10) : 0) - fraction.length;
  return normalize(m, e);
}

/** The decimal of a finite JavaScript number (its shortest round-trip form). */
export function fromNumber(x) {
  if (!Number.isFinite(x)) throw new Error(`not a finite number: ${x}`);
  return parse(String(x));
}

function pow10(k) {
  return TEN ** BigInt(k);
}

export function add(a, b) {
  const e = Math.min(a.e, b.e);
  return normalize(a.m * pow10(a.e - e) + b.m * pow10(b.e - e), e);
}

export function neg(a) {
  return { m: -a.m, e: a.e };
}

export function sub(a, b) {
  return add(a, neg(b));
}

export function mul(a, b) {
  return normalize(a.m * b.m, a.e + b.e);
}

function digits(m) {
  return (m < 0n ? -m : m).toString().length;
}

/** floor(log10(|a|)): the exponent of the leading digit (0 for zero). */
export function magnitude(a) {
  return a.m === 0n ? 0 : digits(a.m) - 1 + a.e;
}

/** a rounded (half away from zero) to a multiple of 10^e. */
export function roundTo(a, e) {
  if (a.e >= e) return a;
  const p = pow10(e - a.e);
  let q = a.m / p;
  const r = a.m % p;
  if (2n * (r < 0n ? -r : r) >= p) q += a.m < 0n ? -1n : 1n;
  return normalize(q, e);
}

/** a rounded to `significant` significant digits. */
export function roundSignificant(a, significant) {
  return roundTo(a, magnitude(a) - significant + 1);
}

/** The shortest plain or scientific notation that Python's float() and Decimal() both read. */
export function toString(a) {
  const { m, e } = normalize(a.m, a.e);
  if (m === 0n) return '0';
  const sign = m < 0n ? '-' : '';
  const text = (m < 0n ? -m : m).toString();
  const lead = text.length - 1 + e; // exponent of the leading digit
  if (lead >= -7 && lead < 21) {
    if (e >= 0) return sign + text + '0'.repeat(e);
    const point = text.length + e;
    if (point > 0) return `${sign}${text.slice(0, point)}.${text.slice(point)}`;
    return `${sign}0.${'0'.repeat(-point)}${text}`;
  }
  const rest = text.slice(1);
  return `${sign}${text[0]}${rest ? '.' + rest : ''}e${lead}`;
}

/** The nearest double (as Number(string) rounds). */
export function toNumber(a) {
  return Number(toString(a));
}

/** a / b as a double, fine even where a and b themselves under- or overflow doubles. */
export function ratio(a, b) {
  if (b.m === 0n) throw new Error('ratio: division by zero');
  const shift = magnitude(b);
  const scaledA = Number(toString({ m: a.m, e: a.e - shift }));
  const scaledB = Number(toString({ m: b.m, e: b.e - shift }));
  return scaledA / scaledB;
}

export function abs(a) {
  return a.m < 0n ? neg(a) : a;
}
