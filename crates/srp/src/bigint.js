// Modular exponentiation on the host's BigInt, for cognate-srp in wasm32 (see arith.rs for why).
// One call per exponentiation: crossing into JavaScript for every multiplication cost a third more.

// Width of the windows: 5 bits (16 odd powers) for a general base; 6 bits for base 2, whose windows
// cost a shift instead of a multiplication.
const W = 5;
const W2 = 6;

// Powers of g = 2 use a fixed-base comb (Lim–Lee): the exponent is cut into ROWS rows of `cols` bits,
// and a table of all 2^ROWS products of g^(2^(j·cols)) turns cols·ROWS squarings into cols squarings
// and cols multiplications. Two combs: one for the 256-bit x (and a server's b), one for the
// 1024-bit a. Each table (255 numbers, ~100 KB) is built once per page, on first use, for about the
// cost of one exponentiation.
const ROWS = 8;
const COMB_COLS = [33, 130];
const combs = new Map();

/**
 * One field operation, all values as hex: "rem" x mod n, "mul" x·y mod n, "sub" x−y mod n (never
 * negative), "add" x+y mod n, "muladd" x·y+z over the integers. Returns lowercase hex.
 */
export function fieldHex(op, xHex, yHex, zHex, modHex) {
  const n = BigInt('0x' + modHex);
  const x = BigInt('0x' + xHex);
  const y = BigInt('0x' + yHex);
  switch (op) {
    case 'rem': return (x % n).toString(16);
    case 'mul': return ((x % n) * (y % n) % n).toString(16);
    case 'sub': return ((((x % n) - (y % n)) % n + n) % n).toString(16);
    case 'add': return (((x % n) + (y % n)) % n).toString(16);
    case 'muladd': return (x * y + BigInt('0x' + zHex)).toString(16);
    default: throw new Error(`unknown field operation ${op}`);
  }
}

/** base^exp mod modulus, all three as hex; returns lowercase hex without padding. */
export function modPowHex(baseHex, expHex, modHex) {
  const n = BigInt('0x' + modHex);
  const base = BigInt('0x' + baseHex) % n;
  const bits = BigInt('0x' + expHex).toString(2);
  if (bits === '0') return (1n % n).toString(16);
  if (base !== 2n) return slidingWindow(base, bits, n).toString(16);
  const cols = COMB_COLS.find((c) => bits.length <= ROWS * c);
  return (cols === undefined ? powOfTwo(bits, n) : powOfTwoComb(bits, n, cols)).toString(16);
}

function combTable(n, cols) {
  const key = `${cols}:${n}`;
  const cached = combs.get(key);
  if (cached !== undefined) return cached;
  const rows = [2n % n];
  for (let j = 1; j < ROWS; j++) {
    let v = rows[j - 1];
    for (let s = 0; s < cols; s++) v = (v * v) % n;
    rows.push(v);
  }
  const table = [1n];
  for (let mask = 1; mask < 1 << ROWS; mask++) {
    const low = mask & -mask;
    const row = rows[31 - Math.clz32(low)];
    table.push(mask === low ? row : (table[mask ^ low] * row) % n);
  }
  combs.set(key, table);
  return table;
}

function powOfTwoComb(bits, n, cols) {
  const table = combTable(n, cols);
  const size = ROWS * cols;
  const e = bits.padStart(size, '0'); // e[size - 1 - p] is bit p
  let r = 1n;
  for (let t = cols - 1; t >= 0; t--) {
    r = (r * r) % n;
    let mask = 0;
    for (let j = 0; j < ROWS; j++) {
      if (e.charCodeAt(size - 1 - (j * cols + t)) === 49) mask |= 1 << j;
    }
    if (mask !== 0) r = (r * table[mask]) % n;
  }
  return r;
}

// 2^e: left to right in fixed windows; multiplying by 2^d is a shift by d.
function powOfTwo(bits, n) {
  const first = bits.length % W2 || W2;
  let r = (1n << BigInt(parseInt(bits.slice(0, first), 2))) % n;
  for (let i = first; i < bits.length; i += W2) {
    for (let j = 0; j < W2; j++) r = (r * r) % n;
    const d = parseInt(bits.slice(i, i + W2), 2);
    if (d !== 0) r = (r << BigInt(d)) % n;
  }
  return r;
}

// A general base: left to right, windows of up to W bits ending in a one, over the odd powers.
function slidingWindow(base, bits, n) {
  const square = (base * base) % n;
  const odd = [base];
  for (let i = 1; i < 1 << (W - 1); i++) odd.push((odd[i - 1] * square) % n);
  let r = 1n;
  let i = 0;
  while (i < bits.length) {
    if (bits[i] === '0') {
      r = (r * r) % n;
      i += 1;
      continue;
    }
    let end = Math.min(i + W, bits.length);
    while (bits[end - 1] === '0') end -= 1;
    for (let k = i; k < end; k++) r = (r * r) % n;
    r = (r * odd[parseInt(bits.slice(i, end), 2) >> 1]) % n;
    i = end;
  }
  return r;
}
