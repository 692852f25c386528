// Turning numbers into symbolic names from xlat tables (src/format/xlat/), the way strace
// prints flag sets and enumerations.

/** One named value of an xlat table. */
export interface Xlat {
  readonly value: bigint;
  readonly name: string;
}

/**
 * A flag set as NAME|NAME|0x<rest>. Entries are tried in table order and consume their bits,
 * so a multi-bit flag listed first (O_SYNC before O_DSYNC) wins over its parts. Returns
 * undefined for 0, which the caller names (or prints as 0).
 */
export function formatFlagSet(value: bigint, table: readonly Xlat[]): string | undefined {
  if (value >= 0n && value <= 0xffffffffn) {
    const small = smallTable(table);
    if (small) return memoFlagSet32(Number(value), small);
  }
  const parts: string[] = [];
  let rest = value;
  for (const { value: bits, name } of table) {
    if (bits !== 0n && (rest & bits) === bits) {
      parts.push(name);
      rest &= ~bits;
    }
  }
  if (rest !== 0n) parts.push(`0x${rest.toString(16)}`);
  return parts.length > 0 ? parts.join('|') : undefined;
}

/** A table whose values all fit in 32 bits, as plain numbers. */
interface SmallTable {
  readonly values: readonly number[];
  readonly names: readonly string[];
  /** Texts made already, by value (null: undefined): a trace repeats the same few flag sets. */
  readonly memo: Map<number, string | null>;
}

/** Values remembered per table, at most: past that the memo starts over. */
const MEMO_SIZE = 256;

function memoFlagSet32(value: number, table: SmallTable): string | undefined {
  const known = table.memo.get(value);
  if (known !== undefined) return known ?? undefined;
  const text = formatFlagSet32(value, table);
  if (table.memo.size >= MEMO_SIZE) table.memo.clear();
  table.memo.set(value, text ?? null);
  return text;
}

// Most flag sets are 32-bit. BigInt `&` allocates a new BigInt for every entry tried, so
// those tables are also kept as numbers, made once per table on first use.
const smallTables = new WeakMap<readonly Xlat[], SmallTable | null>();
function smallTable(table: readonly Xlat[]): SmallTable | null {
  let small = smallTables.get(table);
  if (small === undefined) {
    const fits = table.every((x) => x.value >= 0n && x.value <= 0xffffffffn);
    small = fits
      ? {
          values: table.map((x) => Number(x.value)),
          names: table.map((x) => x.name),
          memo: new Map<number, string | null>(),
        }
      : null;
    smallTables.set(table, small);
  }
  return small;
}

/** formatFlagSet for a value and a table within 32 bits; `>>> 0` keeps the bits unsigned. */
function formatFlagSet32(value: number, table: SmallTable): string | undefined {
  let out: string | undefined;
  let rest = value;
  for (let i = 0; i < table.values.length; i++) {
    const bits = table.values[i] as number;
    if (bits !== 0 && (rest & bits) >>> 0 === bits) {
      out = out === undefined ? table.names[i] : `${out}|${table.names[i]}`;
      rest = (rest & ~bits) >>> 0;
    }
  }
  if (rest !== 0) {
    const tail = `0x${rest.toString(16)}`;
    out = out === undefined ? tail : `${out}|${tail}`;
  }
  return out;
}

/** The name of an enumerated value, or undefined. */
export function lookupXlat(value: bigint, table: readonly Xlat[]): string | undefined {
  // A loop, not find(): no closure per lookup, and this runs for most arguments.
  for (let i = 0; i < table.length; i++) {
    const x = table[i] as Xlat;
    if (x.value === value) return x.name;
  }
  return undefined;
}

/** Builds a table from [name, value] pairs, which read like the headers they come from. */
export function xlat(pairs: ReadonlyArray<readonly [string, number | bigint]>): readonly Xlat[] {
  return pairs.map(([name, value]) => ({ name, value: BigInt(value) }));
}

/** A table from an object of named constants (src/syscalls/uapi/), in the object's order. */
export function xlatOf(names: Readonly<Record<string, number | bigint>>): readonly Xlat[] {
  return Object.entries(names).map(([name, value]) => ({ name, value: BigInt(value) }));
}

/** A table of some of `names`' constants, in the order given (a narrower table, same values). */
export function xlatPick<K extends string>(
  names: Readonly<Record<K, number | bigint>>,
  keys: readonly K[],
): readonly Xlat[] {
  return keys.map((name) => ({ name, value: BigInt(names[name]) }));
}
