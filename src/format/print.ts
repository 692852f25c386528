// strace's print helpers for numbers, names and pointers (printaddr, PRINT_VAL_X, printxval,
// printflags, and a pointer printed by what it points to), shared by every decoder so that they
// print alike. The string printers (printstr and its bounded form) are in strings.ts.
import { lookupXlat, type Xlat } from './flags.js';
import type { Param } from '../wire.js';
import { TL_PARAM_FAULT } from '../wire.js';

/** An address: NULL for 0, else hex (strace's printaddr). */
export const address = (v: bigint): string =>
  v === 0n ? 'NULL' : `0x${BigInt.asUintN(64, v).toString(16)}`;

/** A value in hex, 0 staying 0 (strace's PRINT_VAL_X). */
export const hexValue = (v: bigint | number): string =>
  v === 0n || v === 0
    ? '0'
    : `0x${(typeof v === 'bigint' ? BigInt.asUintN(64, v) : v).toString(16)}`;

/** The text of a capture that could not be read. */
export const FAULT = '<unavailable: fault>';

/** strace's printxval: the name, or the number in hex with `/* X_??? *\/`. */
export function xvalText(v: bigint, table: readonly Xlat[], unknown: string): string {
  return lookupXlat(v, table) ?? `${hexValue(v)} /* ${unknown} */`;
}

/**
 * strace's printflags: names in table order, then the unnamed rest in hex. Zero prints `0`
 * when there is a default (`unknown`), else nothing at all (strace's printflags with a NULL
 * default, as in `c_iflag=`); unnamed bits alone print as `0x10 /* X_??? *\/`.
 */
export function flagsText(v: bigint, table: readonly Xlat[], unknown?: string): string {
  let rest = v;
  const names: string[] = [];
  for (const { value, name } of table) {
    if (rest === 0n) break;
    if (value !== 0n && (rest & value) === value) {
      names.push(name);
      rest &= ~value;
    }
  }
  if (names.length > 0)
    return rest === 0n ? names.join('|') : `${names.join('|')}|${hexValue(rest)}`;
  if (rest !== 0n) return unknown ? `${hexValue(rest)} /* ${unknown} */` : hexValue(rest);
  return unknown ? '0' : '';
}

/**
 * A pointed-to value: NULL for 0, the address when nothing was captured (an exit capture of a
 * call that failed), `<unavailable: fault>` when the memory could not be read, else `show`
 * of the bytes (the address again if they are too few).
 */
export function pointedText(
  value: bigint,
  param: Param | undefined,
  show: (b: Buffer) => string | undefined,
): string {
  if (value === 0n) return 'NULL';
  if (!param) return address(value);
  if (param.status === TL_PARAM_FAULT) return FAULT;
  return show(param.bytes) ?? address(value);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;

/**
 * Control bytes as strace-style octal escapes (`\12`, `\33`): a header holds what others chose
 * (a command line with a newline, a cgroup named with an escape sequence), and must stay one
 * line that drives no terminal.
 */
export function escapeControls(text: string): string {
  CONTROL.lastIndex = 0;
  return CONTROL.test(text)
    ? text.replace(CONTROL, (c) => `\\${c.charCodeAt(0).toString(8)}`)
    : text;
}
