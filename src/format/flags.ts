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

/** The name of an enumerated value, or undefined. */
export function lookupXlat(value: bigint, table: readonly Xlat[]): string | undefined {
  return table.find((x) => x.value === value)?.name;
}

/** Builds a table from [name, value] pairs, which read like the headers they come from. */
export function xlat(pairs: ReadonlyArray<readonly [string, number | bigint]>): readonly Xlat[] {
  return pairs.map(([name, value]) => ({ name, value: BigInt(value) }));
}
