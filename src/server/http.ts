// The daemon's HTTP/1.1 API. The original traceloop's endpoints and
// answers (`added as id N`, `N: [name] path`, plain-text dumps), with real
// status codes, plus format=jsonl|raw, /stream, /stats and /healthz.
// Nothing a client sends reaches the recorder unchecked (params.ts), and no
// request can throw past its handler.
import http from 'node:http';
import type net from 'node:net';
import { leftOutText, type CapturesLeftOut } from '../captures.js';
import { accountingLine, dumpFormatter, headerLines, LineTally } from '../dump.js';
import { parseRecords } from '../wire.js';
import { compileLineFilter, keepLines, readsFdNames, type LineFilter } from '../filter/lines.js';
import { queryError } from '../filter/query.js';
import { CallSummary, summaryText } from '../summary.js';
import { BacklogBudget, DEFAULT_STREAMS_BUDGET, DEFAULT_STREAM_BACKLOG } from './backlog-budget.js';
import { ConnectionGuard, MAX_CONNECTIONS } from './connections.js';
import type { Daemon, Entry, SavedDumps } from './daemon.js';
import type { SavedDump } from '../triggers/dumps.js';
import { DumpSlots, type DumpSlot } from './dump-slots.js';
import { CAPTURE_CONTENT_TYPE, RAW_CONTENT_TYPE, createJsonlEncoder, jsonLine } from './encode.js';
import { encodeCapture } from '../capture/writer.js';
import { sampleClocks } from '../clock.js';
import { DEFAULT_MAX_STRING } from '../format/index.js';
import {
  HttpError,
  MAX_BODY,
  onlyParams,
  optionalName,
  parseCgroupPath,
  parseFormat,
  parseForm,
  parseId,
  parseName,
  parseTarget,
  type FdNames,
  type Params,
} from './params.js';
import { LiveStream } from './stream.js';

export interface ApiSettings {
  /** Concurrent /stream responses at most. */
  maxStreams?: number;
  /** Bytes one stream client may have unread before batches are dropped (and marked). */
  streamBacklogBytes?: number;
  /** Bytes all stream clients together may have unread. */
  streamsBudgetBytes?: number;
  /** Connections held at most (the idle one waiting longest makes room for a new one). */
  maxConnections?: number;
  /** A dump whose client reads nothing for this long is cut off, ms. */
  dumpIdleMs?: number;
  /** ... and for this long when another client waits for its slot, ms. */
  dumpContendedIdleMs?: number;
  log?: (line: string) => void;
}

/** A front end watches each cgroup it shows: room for a few of them on 128 cgroups. */
export const DEFAULT_MAX_STREAMS = 512;
/** Records formatted per slice of a dump before yielding to other requests. */
const DUMP_SLICE = 2000;
/** Bytes of a raw dump written at once. */
const RAW_SLICE = 256 << 10;
/** How often streams that owe markers look whether their client caught up, ms. */
const SETTLE_MS = 100;

const K8S =
  "Kubernetes mode is not there yet: register the pod's cgroup with /add and use /dump-by-cgroup or /dump-by-name";

type Handler = (
  p: Params,
  res: http.ServerResponse,
  req: http.IncomingMessage,
) => void | Promise<void>;

export class Api {
  readonly server: http.Server;
  readonly connections: ConnectionGuard;
  private readonly open = new Set<LiveStream>();
  private readonly maxStreams: number;
  private readonly budget: BacklogBudget;
  private readonly dumps: DumpSlots;
  private readonly settleTimer: NodeJS.Timeout;
  private readonly log: (line: string) => void;
  private readonly routes: Record<string, Handler>;

  constructor(
    private readonly daemon: Daemon,
    settings: ApiSettings = {},
  ) {
    this.maxStreams = settings.maxStreams ?? DEFAULT_MAX_STREAMS;
    this.budget = new BacklogBudget(
      settings.streamsBudgetBytes ?? DEFAULT_STREAMS_BUDGET,
      settings.streamBacklogBytes ?? DEFAULT_STREAM_BACKLOG,
    );
    this.dumps = new DumpSlots(undefined, settings.dumpIdleMs, settings.dumpContendedIdleMs);
    this.log = settings.log ?? (() => {});
    this.server = http.createServer(
      {
        maxHeaderSize: 16 * 1024,
        // Headers and a form body take a local client milliseconds. Node checks these every
        // connectionsCheckingInterval (30 s unless told): a slow sender is cut within a second
        // of its deadline, not half a minute later.
        requestTimeout: 10_000,
        headersTimeout: 5_000,
        connectionsCheckingInterval: 1_000,
        keepAliveTimeout: 5_000,
      },
      (req, res) => void this.handle(req, res),
    );
    this.connections = new ConnectionGuard(this.server, settings.maxConnections ?? MAX_CONNECTIONS);
    this.server.maxHeadersCount = 64;
    // CONNECT bypasses the request handler: without this, Node closes the connection without
    // a word. (An Upgrade with no listener is answered as a plain request: curl --http2 asks.)
    this.server.on('connect', (req: http.IncomingMessage, socket: net.Socket) =>
      refuseRaw(
        socket,
        405,
        'Method Not Allowed',
        `method ${req.method} is not allowed: use GET (or POST with a form)`,
        'Allow: GET, HEAD, POST\r\n',
      ),
    );
    this.settleTimer = setInterval(() => {
      for (const s of this.open) s.settle();
    }, SETTLE_MS);
    this.settleTimer.unref();
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable || err.code === 'ECONNRESET') {
        socket.destroy();
        return;
      }
      const [status, text] =
        err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large']
          : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'Request Timeout']
            : [400, 'Bad Request'];
      const body = `malformed request: ${err.code ?? err.message}\n`;
      socket.end(
        `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      // Closed once written: a client that never reads must not keep the connection.
      (socket as net.Socket).destroySoon();
    });
    this.routes = {
      '/add': (p, res) => this.add(p, res),
      '/list': (p, res) => this.list(p, res),
      '/dump': (p, res) => this.dump(p, res, () => this.daemon.byId(parseId(p))),
      '/dump-by-name': (p, res) => this.dump(p, res, () => this.daemon.byName(parseName(p))),
      '/dump-by-cgroup': (p, res) =>
        this.dump(p, res, () => this.daemon.byCgroup(parseCgroupPath(p, 'cgroup'))),
      '/close': (p, res) => this.close(p, res, () => this.daemon.byId(parseId(p))),
      '/close-by-name': (p, res) => this.close(p, res, () => this.daemon.byName(parseName(p))),
      '/dump-pod': () => {
        throw new HttpError(501, K8S);
      },
      '/dump-by-traceid': () => {
        throw new HttpError(501, K8S);
      },
      '/stream': (p, res, req) => this.stream(p, res, req),
      // strace -c of a flight record: /summary?name=N (or id=), as /dump...&summary=1.
      '/summary': (p, res) =>
        this.dump(new Map([...p, ['summary', '1']]), res, () =>
          p.has('id') ? this.daemon.byId(parseId(p)) : this.daemon.byName(parseName(p)),
        ),
      '/stats': (p, res) => this.stats(p, res),
      '/dumps': (p, res) => this.savedDumps(p, res),
      '/healthz': (p, res) => {
        onlyParams(p, []);
        text(res, 200, 'ok');
      },
    };
  }

  streams(): number {
    return this.open.size;
  }

  /** Stops the API's timers (the server is closed by the caller). */
  stop(): void {
    clearInterval(this.settleTimer);
    this.dumps.close();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      if (req.httpVersionMajor !== 1) {
        // HTTP/0.9 has no headers and no status line: nothing a client of this API sends.
        res.shouldKeepAlive = false;
        throw new HttpError(505, `HTTP/${req.httpVersion} is not supported: use HTTP/1.1`);
      }
      const method = req.method ?? '';
      if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
        res.setHeader('Allow', 'GET, HEAD, POST');
        throw new HttpError(405, `method ${method} is not allowed: use GET (or POST with a form)`);
      }
      const { path, params } = parseTarget(req.url ?? '');
      const route = this.routes[path];
      if (method === 'POST') {
        for (const [k, v] of parseForm(await readBody(req))) {
          if (params.has(k)) throw new HttpError(400, `parameter '${k}' given twice`);
          params.set(k, v);
        }
      } else {
        req.resume(); // a GET body is ignored, but read so the connection stays usable
      }
      // From here the request is whole: its connection is no longer one to make room with.
      this.connections.working(res);
      if (!route) throw new HttpError(404, `no endpoint ${path.slice(0, 100)} (try /list)`);
      await route(params, res, req);
    } catch (err) {
      this.fail(res, err);
    }
  }

  private fail(res: http.ServerResponse, err: unknown): void {
    let status = 500;
    let message = (err as Error)?.message ?? String(err);
    if (err instanceof HttpError) status = err.status;
    else this.log(`internal error: ${(err as Error)?.stack ?? message}`);
    if (status === 500 && !(err instanceof HttpError)) message = `internal error: ${message}`;
    if (res.headersSent) {
      res.destroy(); // mid-body: a cut connection, never a body that looks complete
      return;
    }
    text(res, status, message);
  }

  private add(p: Params, res: http.ServerResponse): void {
    onlyParams(p, ['cgrouppath', 'name', 'format']);
    const cgroupPath = parseCgroupPath(p, 'cgrouppath');
    const name = optionalName(p);
    const format = parseFormat(p, ['text', 'json'], 'text');
    const e = this.daemon.add(cgroupPath, name);
    if (format === 'json') json(res, 200, describe(e));
    else text(res, 200, `added as id ${e.id}`);
  }

  private list(p: Params, res: http.ServerResponse): void {
    onlyParams(p, ['format']);
    const format = parseFormat(p, ['text', 'jsonl'], 'text');
    const entries = this.daemon.list();
    if (format === 'jsonl') {
      const saved = this.daemon.savedDumps;
      send(
        res,
        200,
        'application/x-ndjson',
        entries.map((e) => jsonLine(describe(e, saved))).join(''),
      );
      return;
    }
    const lines = entries.map((e) => {
      const gone = e.gone ? ` (gone since ${new Date(e.gone.at).toISOString()})` : '';
      const dumps = (this.daemon.savedDumps?.list(e.id) ?? []).map(
        (d) => `    ${d.trigger} ${new Date(d.at).toISOString()}: ${d.capture} (and .txt)\n`,
      );
      return `${e.id}: [${e.name}] ${e.path}${gone}\n${dumps.join('')}`;
    });
    send(res, 200, 'text/plain; charset=utf-8', lines.join(''));
  }

  /** The dumps triggers saved (`serve --dump-dir`), oldest first, as JSON: all, or one cgroup's. */
  private savedDumps(p: Params, res: http.ServerResponse): void {
    onlyParams(p, ['id', 'name']);
    const saved = this.daemon.savedDumps;
    if (!saved) throw new HttpError(404, 'no dumps: the daemon runs without --dump-dir');
    const key = p.has('id')
      ? this.daemon.byId(parseId(p)).id
      : p.has('name')
        ? this.daemon.byName(parseName(p)).id
        : undefined;
    json(res, 200, saved.list(key).map(dumpJson));
  }

  private close(p: Params, res: http.ServerResponse, find: () => Entry): void {
    onlyParams(p, ['id', 'name']);
    const e = find();
    this.daemon.close(e);
    text(res, 200, 'closed');
  }

  private async dump(p: Params, res: http.ServerResponse, find: () => Entry): Promise<void> {
    onlyParams(p, ['id', 'name', 'cgroup', 'format', 'filter', 'summary', 'fds']);
    const format = parseFormat(p, ['text', 'jsonl', 'raw', 'capture'], 'text');
    const view = parseView(p, format);
    const e = find();
    // Each dump in progress holds a copy of the rings: bound how many at once, and take the
    // slot back from a client that stops reading.
    const slot = this.dumps.acquire(res);
    try {
      if (format === 'capture') await this.captureOf(e, res, slot, view);
      else await this.dumpOf(e, format, res, slot, view);
    } finally {
      slot.release();
    }
  }

  /**
   * format=capture: the flight record as a capture file (docs/capture-format.md), for `traceloop
   * view` anywhere later: the records as the rings hold them, the counters, and the daemon's
   * clock sample (one machine: the same CLOCK_MONOTONIC as its text dump's times).
   */
  private async captureOf(
    e: Entry,
    res: http.ServerResponse,
    slot: DumpSlot,
    view: DumpView,
  ): Promise<void> {
    const read = this.daemon.snapshot(e);
    const gone = e.gone ? `; gone since ${new Date(e.gone.at).toISOString()}` : '';
    const ringPages = this.daemon.ringBytes / 4096;
    const body = encodeCapture(
      {
        source: 'dump',
        cgroup: { path: e.path, id: e.cgroupId, name: e.name },
        title: `# traceloop dump of ${e.path} (id ${e.id}, name ${e.name}${gone})`,
        captures: this.daemon.captures(),
        settings: {
          maxString: DEFAULT_MAX_STRING,
          durations: false,
          // As the text dump names fds: from the record alone (no /proc answers: the past).
          decodeFds: view.fds !== 'off',
          ...(Number.isInteger(ringPages) && ringPages > 0 ? { ringPages } : {}),
        },
        clock: sampleClocks(),
      },
      read.records,
      { cpus: read.cpus },
    );
    res.writeHead(200, { 'Content-Type': CAPTURE_CONTENT_TYPE, 'Content-Length': body.length });
    if (res.req.method === 'HEAD') {
      res.end();
      return;
    }
    for (let i = 0; i < body.length && !res.destroyed; i += RAW_SLICE) {
      await writeOut(res, body.subarray(i, i + RAW_SLICE));
      slot.progress();
    }
    res.end();
  }

  private async dumpOf(
    e: Entry,
    format: 'text' | 'jsonl' | 'raw',
    res: http.ServerResponse,
    slot: DumpSlot,
    view: DumpView = {},
  ): Promise<void> {
    const read = this.daemon.snapshot(e);
    const out = async (chunk: string | Buffer): Promise<void> => {
      await writeOut(res, chunk);
      slot.progress();
    };
    if (format === 'raw') {
      const head = Buffer.from(
        jsonLine({ id: e.id, name: e.name, path: e.path, gone: !!e.gone, cpus: read.cpus }),
      );
      res.writeHead(200, {
        'Content-Type': RAW_CONTENT_TYPE,
        'Content-Length': head.length + read.records.length,
      });
      if (res.req.method === 'HEAD') {
        res.end();
        return;
      }
      await out(head);
      for (let i = 0; i < read.records.length && !res.destroyed; i += RAW_SLICE) {
        await out(read.records.subarray(i, i + RAW_SLICE));
      }
      res.end();
      return;
    }
    const records = parseRecords(read.records);
    res.writeHead(200, {
      'Content-Type': format === 'jsonl' ? 'application/x-ndjson' : 'text/plain; charset=utf-8',
    });
    if (res.req.method === 'HEAD') {
      res.end();
      return;
    }
    const gone = e.gone ? `; gone since ${new Date(e.gone.at).toISOString()}` : '';
    const captures = this.daemon.captures();
    // The last part is written like the others, not left to res.end(): the slot is held
    // until the client has taken all but what the socket buffers.
    if (format === 'jsonl') {
      await out(
        jsonLine({
          kind: 'dump',
          ...describe(e),
          ...leftOutField(captures),
          ...(view.filterText !== undefined ? { filter: view.filterText } : {}),
        }),
      );
      // Names from the records alone: /proc describes the present, this is the past.
      const encoder = createJsonlEncoder(undefined, view.filter, {
        decodeFds: view.fds !== 'off',
        fdNamesPerLine: readsFdNames(view.filterText),
      });
      for (let i = 0; i < records.length && !res.destroyed; i += DUMP_SLICE) {
        const chunk = encoder.push(records.slice(i, i + DUMP_SLICE));
        if (chunk !== '') await out(chunk);
      }
      if (!res.destroyed) {
        await out(encoder.flush() + jsonLine({ kind: 'accounting', cpus: read.cpus }));
      }
      res.end();
      return;
    }
    if (view.summary) {
      const summary = new CallSummary();
      summary.add(records);
      await out(`# traceloop summary of ${e.path} (id ${e.id}, name ${e.name}${gone})\n`);
      await out(summaryText(summary));
      res.end();
      return;
    }
    // strace -y's names from the records alone (fd-table.ts): /proc describes the present, a
    // flight record the past, so only fds opened within it are named; -yy adds nothing here.
    const formatter = dumpFormatter({
      decodeFds: view.fds !== 'off',
      fdNamesPerLine: readsFdNames(view.filterText),
    });
    const tally = new LineTally();
    const header = `# traceloop dump of ${e.path} (id ${e.id}, name ${e.name}${gone})`;
    const filtered = view.filterText
      ? [
          `# only the lines the filter ${JSON.stringify(view.filterText)} keeps (and every LOST line)`,
        ]
      : [];
    await out([...headerLines(header, captures), ...filtered].join('\n') + '\n');
    for (let i = 0; i < records.length && !res.destroyed; i += DUMP_SLICE) {
      const lines = keepLines(
        formatter.push(records.slice(i, i + DUMP_SLICE)),
        formatter,
        view.filter,
      );
      tally.count(lines);
      if (lines.length > 0) await out(lines.join('\n') + '\n');
    }
    const rest = keepLines(formatter.flush(), formatter, view.filter);
    tally.count(rest);
    if (!res.destroyed) {
      const last = accountingLine(read.cpus, tally);
      await out((rest.length > 0 ? rest.join('\n') + '\n' : '') + last + '\n');
    }
    res.end();
  }

  private stream(p: Params, res: http.ServerResponse, req: http.IncomingMessage): void {
    onlyParams(p, ['id', 'name', 'format', 'filter', 'fds']);
    const format = parseFormat(p, ['jsonl', 'text', 'raw'], 'jsonl');
    const view = parseView(p, format);
    if (!p.has('id') && !p.has('name'))
      throw new HttpError(400, "missing parameter 'name' (or 'id')");
    if (p.has('id') && p.has('name')) throw new HttpError(400, "give 'name' or 'id', not both");
    const e = p.has('id') ? this.daemon.byId(parseId(p)) : this.daemon.byName(parseName(p));
    if (e.gone) throw new HttpError(410, `id ${e.id} [${e.name}] is gone: dump it instead`);
    if (this.open.size >= this.maxStreams) {
      throw new HttpError(503, `too many streams open (${this.maxStreams}): close one and retry`);
    }
    res.writeHead(200, {
      'Content-Type':
        format === 'raw'
          ? RAW_CONTENT_TYPE
          : format === 'text'
            ? 'text/plain; charset=utf-8'
            : 'application/x-ndjson',
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.flushHeaders(); // the client knows the stream is open before the first batch
    res.socket?.setNoDelay(true);
    const captures = this.daemon.captures();
    if (format === 'jsonl') {
      res.write(
        jsonLine({
          kind: 'stream',
          ...describe(e),
          ...leftOutField(captures),
          ...(view.filterText !== undefined ? { filter: view.filterText } : {}),
        }),
      );
    }
    if (format === 'text') {
      const header = `# traceloop stream of ${e.path} (id ${e.id}, name ${e.name})`;
      const filtered = view.filterText
        ? [
            `# only the lines the filter ${JSON.stringify(view.filterText)} keeps (and every LOST line)`,
          ]
        : [];
      res.write([...headerLines(header, captures), ...filtered].join('\n') + '\n');
    }
    const stream: LiveStream = new LiveStream(
      res,
      format,
      this.budget,
      () => {
        this.open.delete(stream);
        this.daemon.unsubscribe(e, stream);
      },
      view.filter,
      view.fds,
      readsFdNames(view.filterText),
    );
    this.open.add(stream);
    try {
      this.daemon.subscribe(e, stream);
    } catch (err) {
      this.open.delete(stream);
      res.destroy();
      throw err;
    }
  }

  private stats(p: Params, res: http.ServerResponse): void {
    onlyParams(p, ['id', 'name', 'format']);
    const format = parseFormat(p, ['text', 'json'], 'text');
    let entries = this.daemon.list();
    if (p.has('id')) entries = [this.daemon.byId(parseId(p))];
    else if (p.has('name')) entries = [this.daemon.byName(parseName(p))];
    const mem = process.memoryUsage();
    const cgroups = entries.map((e) => {
      const { cpus, notShown } = this.daemon.stats(e);
      const ringBytes = this.daemon.ringBytes;
      return {
        ...describe(e),
        ringBytes,
        memoryBytes: e.gone ? e.gone.memoryBytes : this.daemon.ringMemory(cpus.length),
        notShown,
        streams: e.subscribers.size,
        cpus: cpus.map((c) => ({
          ...c,
          fill: Math.min(1, c.headBytes / ringBytes),
        })),
      };
    });
    const daemon = {
      pid: process.pid,
      uptimeSeconds: Math.round(process.uptime()),
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      externalBytes: mem.external,
      ringMemoryBytes: cgroups.filter((c) => !c.gone).reduce((s, c) => s + c.memoryBytes, 0),
      retainedBytes: this.daemon.retainedBytes(),
      retentionSeconds: this.daemon.retentionMs / 1000,
      retentionCapBytes: this.daemon.retentionBytes,
      streams: this.open.size,
      maxStreams: this.maxStreams,
      streamsBacklogBytes: this.budget.usedBytes(),
      streamsDroppedBatches: this.budget.refused,
      streamsBudgetBytes: this.budget.totalBytes,
      connections: this.connections.count,
      maxConnections: this.connections.max,
      dumps: this.dumps.held,
    };
    const captures = this.daemon.captures();
    if (format === 'json') {
      json(res, 200, { daemon, ...leftOutField(captures), cgroups });
      return;
    }
    const leftOut = leftOutText(captures);
    const out = [
      `daemon: pid ${daemon.pid}, up ${daemon.uptimeSeconds} s, rss ${mib(daemon.rssBytes)}, ` +
        `rings ${mib(daemon.ringMemoryBytes)}, kept records ${mib(daemon.retainedBytes)}, ` +
        `streams ${daemon.streams}/${daemon.maxStreams}`,
      ...(leftOut ? [leftOut] : []),
    ];
    for (const c of cgroups) {
      out.push(
        `${c.id}: [${c.name}] ${c.path}${c.gone ? ' (gone)' : ''}: ring ${c.ringBytes / 1024} KiB per CPU, ` +
          `memory ${mib(c.memoryBytes)}, not shown live ${c.notShown}, streams ${c.streams}`,
      );
      for (const cpu of c.cpus) {
        out.push(
          `  cpu${cpu.cpu}: emitted ${cpu.emitted}, delivered ${cpu.delivered}, lost ${cpu.lost}, ` +
            `failed ${cpu.failed}, faults ${cpu.faults}, fill ${(cpu.fill * 100).toFixed(0)}%`,
        );
      }
    }
    text(res, 200, out.join('\n'));
  }

  /** Ends every stream still open (the daemon is stopping; Daemon.stop() ended those it knew, with their books). */
  endStreams(): void {
    for (const s of [...this.open]) s.end({ reason: 'stopping' });
  }
}

interface Described {
  id: number;
  name: string;
  path: string;
  cgroupId: string;
  gone: boolean;
  goneAt?: string;
  /** The dumps its triggers saved (`serve --dump-dir`), oldest first. */
  dumps?: DumpDescribed[];
}

/** A saved dump as /dumps and /list describe it (JSON). */
export interface DumpDescribed {
  id: number;
  name: string;
  trigger: string;
  detail: string;
  at: string;
  capture: string;
  text: string;
  bytes: number;
}

function describe(e: Entry, saved?: SavedDumps): Described {
  const dumps = saved?.list(e.id) ?? [];
  return {
    id: e.id,
    name: e.name,
    path: e.path,
    cgroupId: e.cgroupId.toString(),
    gone: !!e.gone,
    ...(e.gone ? { goneAt: new Date(e.gone.at).toISOString() } : {}),
    ...(dumps.length > 0 ? { dumps: dumps.map(dumpJson) } : {}),
  };
}

/** A saved dump in /dumps and /list?format=jsonl. */
function dumpJson(d: SavedDump): DumpDescribed {
  return {
    id: d.key,
    name: d.name,
    trigger: d.trigger,
    detail: d.detail,
    at: new Date(d.at).toISOString(),
    capture: d.capture,
    text: d.text,
    bytes: d.bytes,
  };
}

/**
 * `capturesLeftOut: {families, why}` in JSON answers (/stats, the heads of jsonl dumps and
 * streams) when the kernel refused some capture families; nothing when all loaded.
 */
function leftOutField(c: CapturesLeftOut): { capturesLeftOut?: { families: string; why: string } } {
  return c.leftOut === '' ? {} : { capturesLeftOut: { families: c.leftOut, why: c.why } };
}

function mib(n: number): string {
  return `${(n / (1 << 20)).toFixed(1)} MiB`;
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function text(res: http.ServerResponse, status: number, message: string): void {
  send(res, status, 'text/plain; charset=utf-8', message + '\n');
}

function json(res: http.ServerResponse, status: number, v: unknown): void {
  send(res, status, 'application/json', JSON.stringify(v) + '\n');
}

/** Writes, waiting for the client when its buffer is full (never buffering a whole dump). */
function writeOut(res: http.ServerResponse, chunk: string | Buffer): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  if (res.write(chunk)) return new Promise((r) => setImmediate(r));
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** An answer written on a connection the http layer handed over (CONNECT), then closed. */
function refuseRaw(
  socket: net.Socket,
  status: number,
  text: string,
  message: string,
  extraHeaders = '',
): void {
  const body = message + '\n';
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\n${extraHeaders}Content-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.destroySoon();
}

function readBody(req: http.IncomingMessage): Promise<string> {
  const type = req.headers['content-type'] ?? '';
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY)
    return Promise.reject(new HttpError(413, `request body larger than ${MAX_BODY} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        // Keep reading (and discarding) so the answer reaches the client.
        reject(new HttpError(413, `request body larger than ${MAX_BODY} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => reject(new HttpError(400, 'the request body was cut short')));
    req.on('end', () => {
      if (size > 0 && !type.startsWith('application/x-www-form-urlencoded')) {
        reject(new HttpError(415, 'a POST body must be application/x-www-form-urlencoded'));
        return;
      }
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** What of a flight record a dump shows: the lines a filter keeps, or the summary. */
interface DumpView {
  filter?: LineFilter;
  filterText?: string;
  summary?: boolean;
  /** fd names: `y` (the default, strace -y), `yy` (-yy, live streams), `off`. */
  fds?: FdNames;
}

const FD_NAMES: Readonly<Record<string, FdNames>> = { '0': 'off', '1': 'y', y: 'y', yy: 'yy' };

/** `filter=EXPR` (the filter language of src/filter/query.ts; text and jsonl) and `summary=1` (text). */
function parseView(p: Params, format: string): DumpView {
  const filterText = p.get('filter');
  const summaryParam = p.get('summary');
  if (summaryParam !== undefined && !['1', 'true', ''].includes(summaryParam)) {
    throw new HttpError(400, `summary takes 1 or true, not '${summaryParam}'`);
  }
  const summary = summaryParam !== undefined;
  if (summary && format !== 'text') throw new HttpError(400, 'summary works with format=text only');
  if (filterText !== undefined && (format === 'raw' || format === 'capture')) {
    throw new HttpError(400, `filter works with format=text or jsonl, not ${format}`);
  }
  if (filterText !== undefined && summary) {
    throw new HttpError(400, 'give filter or summary, not both');
  }
  const fdsParam = p.get('fds');
  const fds = fdsParam === undefined ? 'y' : FD_NAMES[fdsParam];
  if (fds === undefined) throw new HttpError(400, `fds takes 0, 1 or yy, not '${fdsParam}'`);
  if (filterText === undefined) return { summary, fds };
  const why = queryError(filterText);
  if (why) throw new HttpError(400, `filter: ${why}`);
  const filter = compileLineFilter(filterText);
  return filter ? { filter, filterText, fds } : { fds };
}
