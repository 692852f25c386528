// `traceloop serve`: the always-on recorder. Records registered cgroups
// from the moment they are added; answers the original traceloop's HTTP API
// on a unix socket. SIGTERM/SIGINT: answers in flight are finished, streams
// ended, BPF detached, the socket removed.
import { leftOutText } from '../captures.js';
import { UserError } from '../cgroup.js';
import { Recorder, type RecorderSettings, DEFAULT_RING_PAGES } from '../recorder.js';
import { Daemon } from '../server/daemon.js';
import { Api, DEFAULT_MAX_STREAMS } from '../server/http.js';
import { parseDuration } from '../server/params.js';
import { DEFAULT_SOCKET, groupId, listenPrivate, removeOwnSocket } from '../server/socket.js';
import { onStopSignal } from '../stop.js';

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
}

/** How long in-flight answers get to finish on the way out. */
const GRACE_MS = 5000;

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
  const gid = opts.socketGroup !== undefined ? groupId(opts.socketGroup) : undefined;
  const log = (line: string): void => void process.stderr.write(`traceloop: ${line}\n`);

  const recorder = Recorder.open(opts);
  let daemon: Daemon | undefined;
  let listening;
  try {
    daemon = new Daemon(recorder, {
      retentionMs,
      retentionBytes: mem * (1 << 20),
      ringBytes: (opts.ringPages ?? DEFAULT_RING_PAGES) * 4096,
      log,
      ...(opts.goneCheckMs !== undefined ? { goneCheckMs: opts.goneCheckMs } : {}),
    });
    const api = new Api(daemon, { maxStreams, log });
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
    api.endStreams();
    daemon.stop();
    api.server.closeIdleConnections();
    await Promise.race([
      new Promise((r) => api.server.once('close', r)),
      new Promise((r) => setTimeout(r, GRACE_MS).unref()),
    ]);
    api.server.closeAllConnections();
    process.off('uncaughtException', onUncaught);
    return 0;
  } finally {
    daemon?.stop();
    recorder.close();
    if (listening) removeOwnSocket(listening);
  }
}
