// Wall-clock time for record timestamps. The BPF side stamps records with bpf_ktime_get_ns(),
// CLOCK_MONOTONIC: nanoseconds since boot, not counting suspend, unrelated to the date. One
// pair of readings taken together — that clock and the wall clock — maps every timestamp to a
// time of day. The mapping is pure so it can be tested; sampleClocks() takes the readings.
//
// The mapping drifts if the wall clock is stepped (NTP, date -s) after the sample: take a new
// sample per dump or per screen refresh rather than once per process.

/** CLOCK_MONOTONIC and the wall clock, read as close together as possible. */
export interface ClockSample {
  /** CLOCK_MONOTONIC, ns. */
  monotonicNowNs: bigint;
  /** Date.now()-style ms since the epoch; a fraction is kept. */
  wallNowMs: number;
}

export interface WallClockOptions {
  /**
   * Minutes east of UTC at a given instant (ms since the epoch). Default: the process's local
   * zone, as Date resolves it (TZ, else /etc/localtime, else UTC), like strace -t.
   */
  utcOffsetMinutes?: (wallMs: number) => number;
}

const NS_PER_MS = 1_000_000n;
const NS_PER_DAY = 86_400n * 1_000_000_000n;

const localOffsetMinutes = (wallMs: number): number => -new Date(wallMs).getTimezoneOffset();

/**
 * Reads both clocks. On Linux, process.hrtime.bigint() is libuv's uv_hrtime(), which is
 * clock_gettime(CLOCK_MONOTONIC): the very clock bpf_ktime_get_ns() reads.
 */
export function sampleClocks(): ClockSample {
  const before = process.hrtime.bigint();
  const wallNowMs = Date.now();
  const after = process.hrtime.bigint();
  return { monotonicNowNs: before + (after - before) / 2n, wallNowMs };
}

/** ms (possibly fractional) → ns, without going through a float that large. */
function msToNs(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * NS_PER_MS + BigInt(Math.round((ms - whole) * 1e6));
}

/** A timestamp as ns since the epoch (UTC). */
export function toEpochNs(sample: ClockSample, ts: bigint): bigint {
  return msToNs(sample.wallNowMs) + (ts - sample.monotonicNowNs);
}

/** HH:MM:SS.uuuuuu of ns since the epoch, shifted by a UTC offset in minutes. */
export function formatTimeOfDay(epochNs: bigint, utcOffsetMinutes: number): string {
  const local = epochNs + BigInt(utcOffsetMinutes) * 60n * 1_000_000_000n;
  const inDay = ((local % NS_PER_DAY) + NS_PER_DAY) % NS_PER_DAY;
  const us = inDay / 1000n;
  const secs = us / 1_000_000n;
  const two = (n: bigint): string => n.toString().padStart(2, '0');
  return (
    `${two(secs / 3600n)}:${two((secs / 60n) % 60n)}:${two(secs % 60n)}.` +
    (us % 1_000_000n).toString().padStart(6, '0')
  );
}

/** A `time` function for the formatter: record timestamp → local HH:MM:SS.uuuuuu. */
export function createWallClock(
  sample: ClockSample,
  opts: WallClockOptions = {},
): (ts: bigint) => string {
  const offsetOf = opts.utcOffsetMinutes ?? localOffsetMinutes;
  return (ts) => {
    const epochNs = toEpochNs(sample, ts);
    return formatTimeOfDay(epochNs, offsetOf(Number(epochNs / NS_PER_MS)));
  };
}
