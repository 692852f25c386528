// Quoting captured bytes the way strace does (its string_quote with default options), so that
// output can be read, and compared, by people who know strace.
import { TL_PARAM_FAULT, TL_PARAM_TRUNCATED, type Param } from '../wire.js';
import { FAULT } from './print.js';

/** strace -s default: bytes of a string or buffer shown before `...`. */
export const DEFAULT_MAX_STRING = 32;

const ESCAPES: Readonly<Record<number, string>> = {
  0x22: '\\"',
  0x5c: '\\\\',
  0x09: '\\t',
  0x0a: '\\n',
  0x0b: '\\v',
  0x0c: '\\f',
  0x0d: '\\r',
};

const isOctalDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x37;

/** Printable ASCII other than the two that need a backslash (`"` and `\`). */
const isPlain = (c: number): boolean => c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c;

/** bytes[start, end) as text, one char per byte: one native copy for a Buffer (params are). */
function plainText(bytes: Uint8Array, start: number, end: number): string {
  if (Buffer.isBuffer(bytes)) return bytes.toString('latin1', start, end);
  // apply takes any array-like of char codes; its type says number[].
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}

/**
 * `bytes` as a C string literal. Other non-printable bytes (and everything past ASCII) are
 * octal escapes, as short as possible unless a digit follows, which would change the value
 * when read back: "\0" then "\0001" for NUL followed by '1'.
 */
export function quote(bytes: Uint8Array): string {
  return quoteRange(bytes, bytes.length);
}

/** The escape of each byte that needs one: its name (a backslash and a letter), else octal, short and 3-digit. */
const ESCAPE_SHORT: readonly string[] = Array.from(
  { length: 256 },
  (_, c) => ESCAPES[c] ?? '\\' + c.toString(8),
);
const ESCAPE_LONG: readonly string[] = Array.from(
  { length: 256 },
  (_, c) => ESCAPES[c] ?? '\\' + c.toString(8).padStart(3, '0'),
);

/** quote(bytes.subarray(0, end)), without making that view (a Buffer costs an allocation). */
function quoteRange(bytes: Uint8Array, end: number): string {
  let i = 0;
  while (i < end && isPlain(bytes[i] as number)) i++;
  if (i === end) return `"${plainText(bytes, 0, end)}"`;
  // Escapes to make: the bytes as text in one native copy, and the runs between escapes cut
  // from it, rather than a copy per run (binary data has many short runs).
  const text = plainText(bytes, 0, end);
  let out = '"' + text.slice(0, i);
  while (i < end) {
    const c = text.charCodeAt(i);
    out += i + 1 < end && isOctalDigit(text.charCodeAt(i + 1)) ? ESCAPE_LONG[c] : ESCAPE_SHORT[c];
    const start = ++i;
    while (i < end && isPlain(text.charCodeAt(i))) i++;
    if (i > start) out += text.slice(start, i);
  }
  return out + '"';
}

/**
 * A captured argument as strace would print it: a quoted string cut after `maxString` bytes,
 * followed by `...` whenever more bytes existed than are shown (cut here, cut by the kernel
 * side, or a buffer shorter than what the call named). Strings (want 0) end at their NUL.
 * Unreadable memory is said so, never shown as an empty string.
 */
export function formatParam(param: Param, maxString: number): string {
  if (param.status === TL_PARAM_FAULT) return FAULT;
  // Cuts as indices into the one captured view: no subarray per cut.
  if (!(maxString >= 0 && Number.isInteger(maxString))) return formatParamCut(param, maxString);
  const bytes = param.bytes;
  let end = bytes.length;
  let more = param.status === TL_PARAM_TRUNCATED;
  if (param.want === 0) {
    // Most strings (paths) print as they are up to their NUL: one scan finds both.
    let i = 0;
    while (i < end && isPlain(bytes[i] as number)) i++;
    if (i === end || bytes[i] === 0) {
      if (i < end) more = false;
      if (i > maxString) return `"${plainText(bytes, 0, maxString)}"...`;
      return `"${plainText(bytes, 0, i)}"${more ? '...' : ''}`;
    }
    const nul = indexOfNul(bytes);
    if (nul >= 0) {
      end = nul;
      more = false;
    }
  } else if (param.want > end) {
    more = true;
  }
  if (end > maxString) {
    end = maxString;
    more = true;
  }
  return quoteRange(bytes, end) + (more ? '...' : '');
}

/** Where the first NUL is, or -1: a loop for short captures, memchr (indexOf) for long ones. */
function indexOfNul(bytes: Buffer): number {
  const n = bytes.length;
  if (n > 256) return bytes.indexOf(0);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return i;
  return -1;
}

/** formatParam for a maxString that is no count (negative, fractional): subarray's rules. */
function formatParamCut(param: Param, maxString: number): string {
  let bytes = param.bytes;
  let more = param.status === TL_PARAM_TRUNCATED;
  if (param.want === 0) {
    const nul = bytes.indexOf(0);
    if (nul >= 0) {
      bytes = bytes.subarray(0, nul);
      more = false;
    }
  } else if (param.want > bytes.length) {
    more = true;
  }
  if (bytes.length > maxString) {
    bytes = bytes.subarray(0, maxString);
    more = true;
  }
  return quote(bytes) + (more ? '...' : '');
}

/**
 * strace's printstr_ex for a string of at most `len` bytes (Infinity: no bound but -s):
 * up to min(len, maxString) bytes, then `...` unless a NUL ended the string there. strace
 * reads one byte past -s when it can, so a string exactly -s long shows no `...`.
 */
export function boundedString(param: Param, len: number, maxString: number): string {
  if (param.status === TL_PARAM_FAULT) return FAULT;
  const bytes = param.bytes;
  const limit = Math.min(len, maxString);
  let end = bytes.indexOf(0);
  if (end < 0) end = param.status === TL_PARAM_TRUNCATED ? Infinity : bytes.length;
  if (end < limit || (end === limit && maxString < len)) return quote(bytes.subarray(0, end));
  return quote(bytes.subarray(0, Math.min(limit, bytes.length))) + '...';
}
