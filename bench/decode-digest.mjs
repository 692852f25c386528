// The decoders' output, reduced to SHA-256 digests, to show that a change meant to make them
// faster changes no byte of what they print. Formats the benchmark's stream and seeded random
// streams (bench/decode-input.mjs) with the benchmark's time function and with the CLI's wall
// clock (fixed sample and zones), plus the parsed records themselves. Run it before and after
// a change: the digests must match.
//
// usage: node bench/decode-digest.mjs [SEEDS]     (reads dist/)
import { createHash } from 'node:crypto';
import { createWallClock } from '../dist/clock.js';
import { createLineFormatter, formatRecords } from '../dist/format/index.js';
import { parseRecords } from '../dist/wire.js';
import { benchBatches, fuzzBatches } from './decode-input.mjs';

const seeds = Number(process.argv[2] ?? '4');
const sample = { monotonicNowNs: 9_876_543_210_123n, wallNowMs: 1_760_000_000_123.456 };
const configs = {
  bench: { time: (t) => `${t}`, maxString: 32 },
  cli: { time: createWallClock(sample), maxString: 32 },
  'cli-utc+2-T-s8': {
    time: createWallClock(sample, { utcOffsetMinutes: () => 120 }),
    maxString: 8,
    durations: true,
  },
  'cli-utc-5:30-s4096': {
    time: createWallClock(sample, { utcOffsetMinutes: () => -330 }),
    maxString: 4096,
    durations: true,
  },
};

/** A record as text: bigints marked, params' bytes in hex (JSON would see Buffer.toJSON). */
const recordText = (rec) =>
  JSON.stringify(
    {
      ...rec,
      ...('params' in rec
        ? { params: rec.params.map((p) => ({ ...p, bytes: p.bytes.toString('hex') })) }
        : {}),
    },
    (_k, v) => (typeof v === 'bigint' ? `${v}n` : v),
  );

function digestStream(name, batches) {
  const records = createHash('sha256');
  for (const b of batches) {
    for (const rec of parseRecords(b)) {
      records.update(recordText(rec));
      records.update('\n');
    }
  }
  console.log(`${name.padEnd(12)} records             ${records.digest('hex')}`);
  for (const [cname, opts] of Object.entries(configs)) {
    const h = createHash('sha256');
    let lines = 0;
    const f = createLineFormatter(opts);
    for (const b of batches) {
      let out;
      try {
        out = f.push(parseRecords(b));
      } catch (e) {
        out = [`!! ${e}`];
      }
      for (const l of out) h.update(l + '\n');
      lines += out.length;
    }
    for (const l of f.flush()) h.update(l + '\n');
    // The dump path: one formatRecords over the whole stream.
    const all = batches.flatMap((b) => parseRecords(b));
    for (const l of formatRecords(all, opts)) h.update(l + '\n');
    console.log(`${name.padEnd(12)} ${cname.padEnd(19)} ${h.digest('hex')} (${lines} lines)`);
  }
}

digestStream('bench', benchBatches());
for (let s = 1; s <= seeds; s++) digestStream(`fuzz#${s}`, fuzzBatches(s * 7919));
