// RecorderApi over a `traceloop serve` daemon's socket: what the TUI uses
// when a daemon is running. Ids are the daemon's registration ids (as /list
// prints them); snapshots travel as raw wire records (format=raw), and
// watch() holds a /stream?format=raw open, cut into the daemon's batches.
import http from 'node:http';
import { ALL_LOADED, type CapturesLeftOut } from '../captures.js';
import { UserError } from '../cgroup.js';
import type { CpuRingStats } from '../native.js';
import type { ListedCgroup, RecorderApi, StreamEndListener } from '../recorder-api.js';
import type { LiveListener, Read, RecordedCgroup } from '../recorder.js';
import { lostRecord, parseRawDump, takeFrames } from '../server/encode.js';
import { TL_LOST_GONE } from '../wire.js';
import { ask, describeConnectError, query } from './request.js';

interface Listed {
  id: number;
  name: string;
  path: string;
  gone: boolean;
  dumps?: Array<{ trigger: string; at: string; capture: string }>;
}

/**
 * How long the UI's once-a-second questions wait: a daemon that does not
 * answer (stopped with SIGSTOP, swapping) counts as gone after this, rather
 * than after request()'s 30 s.
 */
const POLL_TIMEOUT_MS = 3000;

interface StatsAnswer {
  /** Only when the daemon's kernel refused some capture families. */
  capturesLeftOut?: { families: string; why: string };
  cgroups: Array<{ id: number; notShown: number; cpus: Array<CpuRingStats & { fill: number }> }>;
}

export class RemoteRecorder implements RecorderApi {
  readonly where: string;
  private readonly streams = new Map<bigint, http.ClientRequest>();

  constructor(private readonly socketPath: string) {
    this.where = socketPath;
  }

  private async listed(): Promise<Listed[]> {
    const a = await ask(this.socketPath, '/list?format=jsonl', POLL_TIMEOUT_MS);
    return a.body
      .toString('utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as Listed);
  }

  async list(): Promise<ListedCgroup[]> {
    return (await this.listed()).map((c) => ({
      id: BigInt(c.id),
      name: c.name,
      path: c.path,
      gone: c.gone,
      ...(Array.isArray(c.dumps)
        ? { dumps: c.dumps.map((d) => ({ trigger: d.trigger, at: d.at, capture: d.capture })) }
        : {}),
    }));
  }

  async add(cgroupPath: string, name?: string): Promise<RecordedCgroup> {
    const a = await ask(
      this.socketPath,
      '/add' + query({ cgrouppath: cgroupPath, name, format: 'json' }),
    );
    const c = JSON.parse(a.body.toString('utf8')) as Listed;
    return { id: BigInt(c.id), name: c.name, path: c.path };
  }

  async remove(id: bigint): Promise<void> {
    await this.unwatch(id);
    await ask(this.socketPath, '/close' + query({ id: id.toString() }));
  }

  async snapshot(id: bigint): Promise<Read> {
    const a = await ask(this.socketPath, '/dump' + query({ id: id.toString(), format: 'raw' }));
    const { head, records } = parseRawDump(a.body);
    return { records: Buffer.from(records), cpus: head.cpus };
  }

  private async statsOf(id: bigint): Promise<StatsAnswer['cgroups'][number]> {
    const a = await ask(
      this.socketPath,
      '/stats' + query({ id: id.toString(), format: 'json' }),
      POLL_TIMEOUT_MS,
    );
    const s = JSON.parse(a.body.toString('utf8')) as StatsAnswer;
    const c = s.cgroups[0];
    if (!c) throw new UserError(`the daemon has no cgroup with id ${id}`);
    return c;
  }

  async stats(id: bigint): Promise<CpuRingStats[]> {
    return (await this.statsOf(id)).cpus.map(({ fill: _fill, ...c }) => c);
  }

  async notShown(id: bigint): Promise<number> {
    return (await this.statsOf(id)).notShown;
  }

  /** What the daemon's kernel left out, from /stats (no field there: everything loaded). */
  async captures(): Promise<CapturesLeftOut> {
    const a = await ask(this.socketPath, '/stats?format=json');
    const left = (JSON.parse(a.body.toString('utf8')) as StatsAnswer).capturesLeftOut;
    return left ? { leftOut: left.families, why: left.why } : ALL_LOADED;
  }

  async isGone(id: bigint): Promise<boolean> {
    const c = (await this.listed()).find((l) => BigInt(l.id) === id);
    return !c || c.gone;
  }

  watch(id: bigint, listener: LiveListener, onEnd?: StreamEndListener): Promise<void> {
    if (this.streams.has(id)) return Promise.reject(new UserError(`id ${id} is already watched`));
    return new Promise((resolve, reject) => {
      let open = false;
      // Once, when the stream ends for any reason but unwatch(): the daemon ending it
      // (stopping, the cgroup closed), or the connection dropping (a kill -9).
      const ended = (): void => {
        if (!open) return;
        open = false;
        if (this.streams.get(id) !== req) return; // unwatched, or watched anew
        this.streams.delete(id);
        onEnd?.();
      };
      const req = http.request(
        {
          socketPath: this.socketPath,
          path: '/stream' + query({ id: id.toString(), format: 'raw' }),
        },
        (res) => {
          if (res.statusCode === 410) {
            // Gone already: its stream is over, as the in-process recorder ends one.
            res.resume();
            this.streams.delete(id);
            listener(lostRecord(TL_LOST_GONE, 0n));
            resolve();
            return;
          }
          if (res.statusCode !== 200) {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              this.streams.delete(id);
              reject(new UserError(Buffer.concat(chunks).toString('utf8').trim()));
            });
            return;
          }
          open = true;
          let pending = Buffer.alloc(0);
          res.on('data', (c: Buffer) => {
            const { frames, rest } = takeFrames(
              pending.length > 0 ? Buffer.concat([pending, c]) : c,
            );
            pending = Buffer.from(rest);
            for (const f of frames) listener(Buffer.from(f));
          });
          res.on('end', ended);
          res.on('error', ended);
          res.on('close', ended);
          resolve();
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (open) {
          ended();
          return;
        }
        if (this.streams.get(id) === req) this.streams.delete(id);
        reject(describeConnectError(this.socketPath, err));
      });
      this.streams.set(id, req);
      req.end();
    });
  }

  unwatch(id: bigint): Promise<void> {
    const req = this.streams.get(id);
    this.streams.delete(id);
    req?.destroy();
    return Promise.resolve();
  }

  /** Ends this client's streams; the daemon keeps recording. */
  async close(): Promise<void> {
    for (const id of [...this.streams.keys()]) await this.unwatch(id);
  }
}
