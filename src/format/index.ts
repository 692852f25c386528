// strace-like text for recorded syscalls. Entry points only; see records.ts for the pairing
// of enters and exits and args.ts for the per-type decoders.
export { createLineFormatter, formatRecords } from './records.js';
export type { FormatOptions, LineFormatter } from './records.js';
export { DEFAULT_MAX_STRING, formatParam, quote } from './strings.js';
export { formatReturn } from './retval.js';
export { formatLost } from './lost.js';
