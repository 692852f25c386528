// A capture of a daemon's flight record (`traceloop dump ID --save FILE`): the raw dump (its
// JSON head line, then the records as the rings held them) and the daemon's /stats of that
// cgroup (its cgroup id, when it vanished, the ring size, what the kernel left out), made into
// the facts a capture's header holds. The title is the one the daemon's text dump prints.
import { UserError } from '../cgroup.js';
import type { ClockSample } from '../clock.js';
import { DEFAULT_MAX_STRING } from '../format/index.js';
import type { CpuRingStats } from '../native.js';
import type { CaptureFacts } from './writer.js';

/** The raw dump's head line (src/server/http.ts dumpOf 'raw'). */
interface RawHead {
  id: number;
  name: string;
  path: string;
  gone: boolean;
  cpus: CpuRingStats[];
}

/** The part of /stats?id=N&format=json a capture uses. */
interface StatsOfOne {
  cgroups?: Array<{ cgroupId?: string; goneAt?: string; ringBytes?: number }>;
  capturesLeftOut?: { families?: string; why?: string };
}

export interface DumpCapture {
  facts: CaptureFacts;
  records: Buffer;
  cpus: CpuRingStats[];
}

/** The raw dump's head and records; the daemon's answer must be what it always is. */
export function splitRawDump(body: Buffer): { head: RawHead; records: Buffer } {
  const nl = body.indexOf(0x0a);
  let head: unknown;
  try {
    head = nl < 0 ? undefined : JSON.parse(body.subarray(0, nl).toString('utf8'));
  } catch {
    head = undefined;
  }
  const h = head as Partial<RawHead> | undefined;
  if (
    !h ||
    typeof h.id !== 'number' ||
    typeof h.name !== 'string' ||
    typeof h.path !== 'string' ||
    !Array.isArray(h.cpus)
  ) {
    throw new UserError('the daemon sent a raw dump without its head line (an older daemon?)');
  }
  return { head: h as RawHead, records: body.subarray(nl + 1) };
}

export function dumpCapture(body: Buffer, statsJson: string, clock: ClockSample): DumpCapture {
  const { head, records } = splitRawDump(body);
  let stats: StatsOfOne = {};
  try {
    stats = JSON.parse(statsJson) as StatsOfOne;
  } catch {
    // Without the stats the capture still holds the records; the header says less.
  }
  const one = stats.cgroups?.[0] ?? {};
  // The daemon's text dump's own first line (src/server/http.ts dumpOf).
  const gone = head.gone ? (one.goneAt ? `; gone since ${one.goneAt}` : '; gone') : '';
  const title = `# traceloop dump of ${head.path} (id ${head.id}, name ${head.name}${gone})`;
  const ringPages =
    typeof one.ringBytes === 'number' && one.ringBytes > 0 ? one.ringBytes / 4096 : undefined;
  let cgroupId = 0n;
  try {
    cgroupId = BigInt(one.cgroupId ?? '0');
  } catch {
    // Unknown: 0.
  }
  return {
    facts: {
      source: 'dump',
      cgroup: { path: head.path, id: cgroupId, name: head.name },
      title,
      captures: {
        leftOut: stats.capturesLeftOut?.families ?? '',
        why: stats.capturesLeftOut?.why ?? '',
      },
      // The daemon's text dump shows the formatter's defaults, and -y's names from the record.
      settings: {
        maxString: DEFAULT_MAX_STRING,
        durations: false,
        decodeFds: true,
        ...(ringPages !== undefined && Number.isInteger(ringPages) ? { ringPages } : {}),
      },
      clock,
    },
    records,
    cpus: head.cpus,
  };
}
