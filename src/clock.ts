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

/**
 * The local zone's offset, as localOffsetMinutes gives it, asked of Date once per second of
 * time shown instead of once per line (Date's zone lookup cost more than the rest of a line).
 * Zone rules change offsets at whole seconds (the tz database has no finer unit), so an offset
 * that is the same at both ends of a second holds for all of it; a second whose ends differ
 * is asked about millisecond by millisecond, as before.
 */
function localOffsetPerSecond(): (wallMs: number) => number {
  let second = NaN;
  let offset = 0;
  let steady = false;
  return (wallMs) => {
    const s = Math.floor(wallMs / 1000);
    if (s !== second) {
      second = s;
      offset = localOffsetMinutes(s * 1000);
      steady = localOffsetMinutes(s * 1000 + 999) === offset;
    }
    return steady ? offset : localOffsetMinutes(wallMs);
  };
}

const NS_PER_S = 1_000_000_000n;
/** Differences in ns up to this are exact as doubles. */
const MAX_EXACT_NS = BigInt(Number.MAX_SAFE_INTEGER);

const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
/** `HH:MM:SS.` of a second counted from any midnight (negative too). */
function secondOfDayText(second: number): string {
  const s = ((second % 86_400) + 86_400) % 86_400;
  const m = (s - (s % 60)) / 60;
  return `${two((m - (m % 60)) / 60)}:${two(m % 60)}:${two(s % 60)}.`;
}
const pad6 = (n: number): string => {
  const t = `${n}`;
  return t.length >= 6 ? t : '000000'.slice(t.length) + t;
};

/** A `time` function for the formatter: record timestamp → local HH:MM:SS.uuuuuu. */
export function createWallClock(
  sample: ClockSample,
  opts: WallClockOptions = {},
): (ts: bigint) => string {
  const offsetOf = opts.utcOffsetMinutes ?? localOffsetPerSecond();
  /** epoch ns = ts + toEpoch. */
  const toEpoch = msToNs(sample.wallNowMs) - sample.monotonicNowNs;
  // What formatTimeOfDay(toEpochNs(sample, ts), offset) gives, in doubles: timestamps are
  // taken relative to an anchor, a monotonic time at a whole epoch second, so that the
  // difference is exact as a double; one BigInt subtraction per line instead of a dozen
  // BigInt operations. Re-anchored when a timestamp falls outside; anything a double could
  // not hold exactly takes the BigInt path.
  let anchored = false;
  let anchorTs = 0n;
  let anchorSecond = 0;
  // The `HH:MM:SS.` of the last local second shown: consecutive lines mostly share it.
  let shownSecond = NaN;
  let shownText = '';

  const exact = (ts: bigint): string => {
    const epochNs = ts + toEpoch;
    return formatTimeOfDay(epochNs, offsetOf(Number(epochNs / NS_PER_MS)));
  };

  return (ts) => {
    let rel = ts - anchorTs;
    if (!anchored || rel < 0n || rel > MAX_EXACT_NS) {
      const epochNs = ts + toEpoch;
      const second = epochNs / NS_PER_S;
      // Past year 2255 ms stop being exact doubles; before 1970 division rounds the other way.
      if (epochNs < 0n || second > 9_007_199_254_739n) return exact(ts);
      anchored = true;
      anchorTs = second * NS_PER_S - toEpoch;
      anchorSecond = Number(second);
      rel = ts - anchorTs;
    }
    const d = Number(rel);
    const inSecond = d % 1e9;
    const second = anchorSecond + (d - inSecond) / 1e9;
    if (second > 9_007_199_254_739) return exact(ts);
    const offset = offsetOf(second * 1000 + (inSecond - (inSecond % 1e6)) / 1e6);
    // formatTimeOfDay takes the offset as BigInt: what is no integer throws there, as before.
    if (!Number.isInteger(offset) || Math.abs(offset) > 1e9) {
      return formatTimeOfDay(ts + toEpoch, offset);
    }
    const local = second + offset * 60;
    if (local !== shownSecond) {
      shownSecond = local;
      shownText = secondOfDayText(local);
    }
    return shownText + pad6((inSecond - (inSecond % 1000)) / 1000);
  };
}

/**
 * A record timestamp as ISO-8601 UTC with microseconds, `2026-12-04T13:40:28.123456Z`, through
 * the same sample as createWallClock (so a JSON record's time is its text line's, in UTC).
 */
export function createIsoClock(sample: ClockSample): (ts: bigint) => string {
  const toEpoch = msToNs(sample.wallNowMs) - sample.monotonicNowNs;
  return (ts) => {
    const epochNs = ts + toEpoch;
    const us = epochNs >= 0n ? epochNs / 1000n : (epochNs - 999n) / 1000n;
    const ms = us >= 0n ? us / 1000n : (us - 999n) / 1000n;
    const iso = new Date(Number(ms)).toISOString(); // ...T13:40:28.123Z
    const sub = (us - ms * 1000n).toString().padStart(3, '0');
    return iso.slice(0, -1) + sub + 'Z';
  };
}
