// One /stream response: a cgroup's live batches, encoded as the client asked (jsonl, text or
// raw frames), written while the client keeps up and dropped, with markers, when it does not.
// It keeps its books per CPU (events shown, events marked lost) so that, when it ends, it can
// say what it owed and show the identity a dump shows: shown + lost = recorded.
import type http from 'node:http';
import { accountingLine, dumpFormatter } from '../dump.js';
import type { FdNames } from './params.js';
import { keepLines, type LineFilter } from '../filter/lines.js';
import type { LineFormatter } from '../format/index.js';
import { loadNative } from '../native.js';
import { TL_LOST_CONSUMER, parseRecords } from '../wire.js';
import type { BacklogBudget } from './backlog-budget.js';
import type { StreamEnd, Subscriber } from './daemon.js';
import { createJsonlEncoder, jsonLine, rawFrame, type JsonlEncoder } from './encode.js';
import { PerCpu, RECORDS, summaryOf } from './tally.js';

export type StreamFormat = 'jsonl' | 'text' | 'raw';

/** Owed markers are written once the client has read all but this much. */
const CAUGHT_UP_BYTES = 64 << 10;
/**
 * Bytes sent per byte of wire records, at most about (measured: jsonl 3.7 with its text and
 * times, text 1.1 with 256-byte captures): what a batch will cost is judged before it is encoded.
 */
const EXPANSION: Record<StreamFormat, number> = { jsonl: 5, text: 1.5, raw: 1 };
/** Bytes an owed marker takes at most, in any format (jsonl with its text: about 300). */
const MARKER_BYTES = 512;

const EMPTY = Buffer.alloc(0);
/** A batch's raw encoding, while some stream still holds the batch. */
const ENCODED = new WeakMap<Buffer, Buffer>();

export class LiveStream implements Subscriber {
  private readonly formatter: LineFormatter | undefined;
  /** jsonl carries each line's text: a pairing of its own, as text has. */
  private readonly jsonl: JsonlEncoder | undefined;
  /** What dropped batches stood for, owed to the client: the addon's outbox owes alike (one piece). */
  private readonly ledger = new (loadNative().LossLedger)();
  /** Events written to the client, per CPU. */
  private readonly shown = new PerCpu();
  /** Events the client was told are lost (markers written), per CPU. */
  private readonly marked = new PerCpu();
  /** Timestamp of the newest event written: where the unseen tail starts. */
  private lastTs = 0n;
  private ended = false;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly format: StreamFormat,
    private readonly budget: BacklogBudget,
    /** Called once, when the stream ends or its client goes away. */
    private readonly onDone: () => void,
    /** The lines the filter language keeps (LOST lines always): text, and jsonl's records. */
    private readonly filter?: LineFilter,
    /** fd names (default strace -y): formatted as the calls happen, so /proc is asked too. */
    fds: FdNames = 'y',
    /** The filter has an `fd:` term: each line's names are noted for it. */
    fdNamesPerLine = false,
  ) {
    const names = {
      decodeFds: fds !== 'off',
      procFds: fds !== 'off',
      decodeSockets: fds === 'yy',
      fdNamesPerLine,
    };
    this.formatter = format === 'text' ? dumpFormatter(names) : undefined;
    this.jsonl = format === 'jsonl' ? createJsonlEncoder(undefined, filter, names) : undefined;
    budget.add(this);
    // The client read what was queued: what it missed meanwhile is due now, even if no
    // batch comes after (a cgroup gone quiet). The budget's sweep catches streams whose
    // drops were not theirs (the total was spent) and so never see a drain.
    res.on('drain', () => this.settle());
    res.on('close', () => this.finish());
  }

  backlog(): number {
    return this.res.writableLength;
  }

  get open(): boolean {
    return !this.ended;
  }

  records(batch: Buffer): void {
    if (this.ended || batch.length === 0) return;
    // Decided before encoding: a client far behind costs no encoding, and a text formatter
    // must not see records its client will not (it holds enters back for their exits).
    // What goes out with it: the owed markers before it, and a jsonl enter held from before.
    const owed = this.ledger.pending ? this.ledger.markers * MARKER_BYTES : 0;
    const held = this.jsonl ? this.jsonl.waitingBytes() : 0;
    // Plus a marker's worth for the fixed cost of a batch's first lines (a small batch's jsonl, a
    // lost marker with its text, is many times its raw bytes: 40 streams' misestimates of one
    // small batch each went 1.8 KB over the budget).
    const fixed = this.format === 'raw' ? 0 : MARKER_BYTES;
    if (!this.budget.admits(this, batch.length * EXPANSION[this.format] + fixed + owed + held)) {
      this.ledger.drop(batch);
      return;
    }
    // The gap comes before what follows it; markers are a few bytes, always let through.
    if (this.ledger.pending) this.writeOwed();
    this.write(this.encode(batch), batch);
  }

  /** Writes the owed markers once the client has (nearly) caught up. */
  settle(): void {
    if (!this.ended && this.ledger.pending && this.backlog() <= CAUGHT_UP_BYTES) this.writeOwed();
  }

  end(e: StreamEnd): void {
    if (this.ended) return;
    // What the stream never got (still in the merger, or not read yet) is lost to this client.
    if (e.unseen) {
      for (const [cpu, n] of e.unseen.entries())
        this.ledger.owe(cpu, TL_LOST_CONSUMER, n, this.lastTs, 0n);
    }
    if (this.ledger.pending) this.writeOwed();
    this.finish();
    let tail = '';
    if (this.jsonl) {
      tail += this.jsonl.flush();
      if (e.window) tail += jsonLine({ kind: 'accounting', ...this.accounting(e.window) });
      tail += jsonLine({ kind: 'end', reason: e.reason });
    } else if (this.formatter) {
      const rest = keepLines(this.formatter.flush(), this.formatter, this.filter);
      if (rest.length > 0) tail += rest.join('\n') + '\n';
      if (e.window) tail += this.accountingText(e.window) + '\n';
      tail += `# stream ended: ${e.reason}\n`;
    }
    this.res.end(tail);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.budget.remove(this);
    this.onDone();
  }

  private writeOwed(): void {
    const markers = this.ledger.take();
    this.write(this.encode(markers), markers);
  }

  private write(out: Buffer, batch: Buffer): void {
    const summary = summaryOf(batch);
    for (const g of summary.groups) {
      if (g.reason === RECORDS) this.shown.add(g.cpu, g.count);
      else this.marked.add(g.cpu, g.count);
    }
    if (summary.lastTs > this.lastTs) this.lastTs = summary.lastTs;
    if (out.length === 0) return;
    this.budget.charge(out.length);
    this.res.write(out);
  }

  private encode(batch: Buffer): Buffer {
    if (this.formatter) {
      const lines = keepLines(
        this.formatter.push(parseRecords(batch)),
        this.formatter,
        this.filter,
      );
      return lines.length > 0 ? Buffer.from(lines.join('\n') + '\n') : EMPTY;
    }
    if (this.jsonl) {
      const s = this.jsonl.push(parseRecords(batch));
      return s !== '' ? Buffer.from(s) : EMPTY;
    }
    // raw depends on the batch alone: encoded once, and the same bytes queued on every
    // stream of the cgroup (40 clients behind hold one copy, not 40).
    let encoded = ENCODED.get(batch);
    if (!encoded) {
      encoded = rawFrame(batch);
      ENCODED.set(batch, encoded);
    }
    return encoded;
  }

  /** Per CPU: the events of the stream's window, those it showed and those it marked lost. */
  private accounting(window: PerCpu): {
    cpus: Array<{ cpu: number; emitted: number; delivered: number; lost: number }>;
    lostAllCpus?: number;
  } {
    const cpus: number[] = [];
    for (const t of [window, this.shown, this.marked])
      for (const [cpu] of t.entries()) cpus.push(cpu);
    const rows = [...new Set(cpus)]
      .sort((a, b) => a - b)
      .map((cpu) => ({
        cpu,
        emitted: window.get(cpu),
        delivered: this.shown.get(cpu),
        lost: this.marked.get(cpu),
      }));
    return this.marked.all > 0 ? { cpus: rows, lostAllCpus: this.marked.all } : { cpus: rows };
  }

  private accountingText(window: PerCpu): string {
    const a = this.accounting(window);
    const line = accountingLine(a.cpus.map((c) => ({ ...c, failed: 0, faults: 0, headBytes: 0 })));
    return a.lostAllCpus ? `${line}; all CPUs: ${a.lostAllCpus} lost` : line;
  }
}
