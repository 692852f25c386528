// `traceloop serve`: the always-on recorder. Records registered cgroups
// from the moment they are added; answers the original traceloop's HTTP API
// on a unix socket. SIGTERM/SIGINT: answers in flight are finished, streams
// ended, BPF detached, the socket removed.
import fs from 'node:fs';
import { leftOutText } from '../captures.js';
import { UserError } from '../cgroup.js';
import { Recorder, type RecorderSettings, DEFAULT_RING_PAGES } from '../recorder.js';
import { Daemon } from '../server/daemon.js';
import { MAX_CONNECTIONS } from '../server/connections.js';
import { Api, DEFAULT_MAX_STREAMS } from '../server/http.js';
import { parseDuration } from '../server/params.js';
import { DEFAULT_SOCKET, groupId, listenPrivate, removeOwnSocket } from '../server/socket.js';
import { onStopSignal } from '../stop.js';
import { TriggerDumps, type TriggerTarget } from '../triggers/dumps.js';
import { triggerSettings, type TriggerOptions } from '../triggers/options.js';
import type { Entry } from '../server/daemon.js';

function targetOf(e: Entry): TriggerTarget {
  return { key: e.id, name: e.name, path: e.path, cgroupId: e.cgroupId };
}

export interface ServeOptions extends RecorderSettings {
  socket?: string;
  socketGroup?: string;
  /** `3h`, `90m`, ... */
  retention?: string;
  /** MiB of compressed records of vanished cgroups kept at most. */
  retentionMemory?: number;
  maxStreams?: number;
  /** How often cgroups are checked for having vanished, ms (tests shorten it). */
  goneCheckMs?: number;
  /** --dump-dir and its fellows: triggered dumps. */
  triggers?: TriggerOptions;
}

/** How long in-flight answers get to finish on the way out. */
const GRACE_MS = 5000;
/** The daemon's live queue (the in-process CLI's is 64 MiB: one consumer, and it is the user's). */
const LIVE_QUEUE_BYTES = 16 << 20;

export async function serveCommand(opts: ServeOptions): Promise<number> {
  const socketPath = opts.socket ?? DEFAULT_SOCKET;
  let retentionMs: number;
  try {
    retentionMs = parseDuration(opts.retention ?? '3h');
  } catch (err) {
    throw new UserError(`--retention: ${(err as Error).message}`);
  }
  const mem = opts.retentionMemory ?? 64;
  if (!(mem >= 0)) throw new UserError(`--retention-memory must be MiB >= 0, got ${mem}`);
  const maxStreams = opts.maxStreams ?? DEFAULT_MAX_STREAMS;
  if (!Number.isInteger(maxStreams) || maxStreams < 1) {
    throw new UserError(`--max-streams must be a positive integer, got ${maxStreams}`);
  }
  const triggers = triggerSettings(opts.triggers ?? {});
  const gid = opts.socketGroup !== undefined ? groupId(opts.socketGroup) : undefined;
  const log = (line: string): void => void process.stderr.write(`traceloop: ${line}\n`);

  // Batches waiting between the drain thread and JS: a cgroup busier than JS can encode keeps
  // this queue full, and the addon's memory for it is several times its size (measured: 64 MiB
  // of queue held 340 MiB of RSS, 16 MiB 175 MiB). What does not fit is dropped and marked.
  const recorder = Recorder.open({
    ...opts,
    liveQueueBytes: opts.liveQueueBytes ?? LIVE_QUEUE_BYTES,
  });
  let daemon: Daemon | undefined;
  let dumps: TriggerDumps | undefined;
  let listening;
  try {
    const d = (daemon = new Daemon(recorder, {
      retentionMs,
      retentionBytes: mem * (1 << 20),
      ringBytes: (opts.ringPages ?? DEFAULT_RING_PAGES) * 4096,
      log,
      ...(opts.goneCheckMs !== undefined ? { goneCheckMs: opts.goneCheckMs } : {}),
      onGone: (e, final) => dumps?.gone(targetOf(e), final),
    }));
    if (triggers) {
      dumps = new TriggerDumps(
        {
          targets: () =>
            d
              .list()
              .filter((e) => !e.gone)
              .map(targetOf),
          notes: (t) => recorder.triggers(t.cgroupId),
          snapshot: (t) => d.snapshot(d.byId(t.key)),
          captures: () => recorder.captures(),
          ringPages: opts.ringPages ?? DEFAULT_RING_PAGES,
        },
        triggers,
        log,
      );
      recorder.setTriggerErrnos(triggers.kinds.has('errno') ? [...triggers.errnos] : []);
      daemon.savedDumps = dumps;
      dumps.start();
      log(`dumps on ${[...triggers.kinds].join(', ')} go to ${dumps.dir.dir}`);
    }
    const api = new Api(daemon, { maxStreams, maxConnections: connectionCap(log), log });
    listening = await listenPrivate(api.server, socketPath, gid);
    log(`serving on ${socketPath} (pid ${process.pid})`);
    const leftOut = leftOutText(recorder.captures());
    if (leftOut) log(leftOut);
    // A bug in one request must not take the recorder down with it.
    const onUncaught = (err: Error): void =>
      log(`internal error (still serving): ${err.stack ?? err.message}`);
    process.on('uncaughtException', onUncaught);
    await new Promise<void>((resolve) => {
      const off = onStopSignal(() => {
        off();
        resolve();
      });
    });
    log('stopping: finishing answers, detaching');
    api.server.close();
    daemon.stop(); // ends the streams with their books, while the rings can still be counted
    api.endStreams();
    api.stop();
    // Ended answers are written out before their connection closes: Node's own
    // closeIdleConnections() takes an ended answer for done and cut streams' last batches.
    const idle = setInterval(() => api.connections.closeIdle(), 50);
    api.connections.closeIdle();
    await Promise.race([
      new Promise((r) => api.server.once('close', r)),
      new Promise((r) => setTimeout(r, GRACE_MS).unref()),
    ]);
    clearInterval(idle);
    api.server.closeAllConnections();
    process.off('uncaughtException', onUncaught);
    return 0;
  } finally {
    dumps?.stop();
    daemon?.stop();
    recorder.close();
    if (listening) removeOwnSocket(listening);
  }
}

/**
 * Connections the daemon may hold: 1024, or half the open files it may have when that is less
 * (its cgroups' rings take one each too). Past the limit accept() would fail and new clients
 * would be turned away unseen; under it, the longest-idle connection makes room for them.
 */
function connectionCap(log: (line: string) => void): number {
  let soft = Infinity;
  try {
    const m = /^Max open files\s+(\d+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    if (m) soft = Number(m[1]);
  } catch {
    // no /proc: assume enough
  }
  const cap = Math.max(16, Math.min(MAX_CONNECTIONS, Math.floor(soft / 2)));
  if (cap < MAX_CONNECTIONS) {
    log(
      `open files limited to ${soft}: at most ${cap} connections (raise LimitNOFILE for ${MAX_CONNECTIONS})`,
    );
  }
  return cap;
}
