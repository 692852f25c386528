// `traceloop cgroups [--dump-on-exit] PATH...`, as in the original: record
// the given cgroups; either print their syscalls as they come, or keep
// quiet and print the flight record when told to stop (SIGINT, SIGTERM).
import { leftOutText } from '../captures.js';
import { UserError } from '../cgroup.js';
import { dumpFormatter, dumpText } from '../dump.js';
import { parseRecords } from '../wire.js';
import { CallSummary, summaryText } from '../summary.js';
import type { LineFormatter } from '../format/index.js';
import { writeAllSync, writeFileAtomic, writeInterruptible } from '../output.js';
import { onStopSignal, stopSignalsReceived } from '../stop.js';
import {
  DEFAULT_RING_PAGES,
  Recorder,
  type RecordedCgroup,
  type RecorderSettings,
} from '../recorder.js';
import { TriggerDumps, type TriggerTarget } from '../triggers/dumps.js';
import { triggerSettings, type TriggerOptions, type TriggerSettings } from '../triggers/options.js';

export interface CgroupsOptions extends RecorderSettings {
  paths: string[];
  dumpOnExit: boolean;
  /** Write the dump here instead of stdout. */
  output?: string;
  maxString?: number;
  durations?: boolean;
  /** strace -c: per cgroup, a table of calls, errors and time instead of the calls. */
  summary?: boolean;
  /** strace -y (default on); /proc is asked only when printing live, not for the record. */
  decodeFds?: boolean;
  /** --dump-dir and its fellows: triggered dumps. */
  triggers?: TriggerOptions;
  /** strace -yy: sockets with their addresses, devices with their numbers (printing live). */
  decodeSockets?: boolean;
}

export async function cgroupsCommand(opts: CgroupsOptions): Promise<number> {
  if (opts.paths.length === 0) {
    throw new UserError('traceloop cgroups: give at least one cgroup2 directory to record');
  }
  const triggers = triggerSettings(opts.triggers ?? {});
  const recorder = Recorder.open(opts);
  let dumps: TriggerDumps | undefined;
  try {
    const recorded = opts.paths.map((p) => recorder.add(p));
    const targets = recorded.map((cg, key) => ({
      key,
      name: cg.name,
      path: cg.path,
      cgroupId: cg.id,
    }));
    if (triggers) {
      dumps = startDumps(recorder, targets, triggers, opts.ringPages ?? DEFAULT_RING_PAGES);
    }
    process.stderr.write(
      `traceloop: recording ${recorded.map((c) => c.path).join(', ')}` +
        (opts.dumpOnExit ? '; Ctrl-C dumps and exits\n' : '; Ctrl-C stops\n'),
    );
    const leftOut = leftOutText(recorder.captures());
    if (leftOut) process.stderr.write(`traceloop: ${leftOut}\n`);
    // A vanished cgroup's rings stay until the end: its record is still whole here.
    const onGone = (id: bigint): void => {
      const t = targets.find((x) => x.cgroupId === id);
      if (dumps && t) dumps.gone(t, recorder.snapshot(id));
    };
    const why = opts.dumpOnExit
      ? await waitForStop(recorder, recorded, onGone)
      : await streamUntilStop(recorder, recorded, opts, onGone);
    // A signal after the one that stopped recording interrupts the dump.
    if (opts.dumpOnExit) await dumpAll(recorder, recorded, opts, stopSignalsReceived());
    return why === 'gone' ? 1 : 0;
  } finally {
    dumps?.stop();
    recorder.close();
  }
}

/** Triggered dumps over this process's own recorder: its cgroups, while they live. */
function startDumps(
  recorder: Recorder,
  targets: TriggerTarget[],
  settings: TriggerSettings,
  ringPages: number,
): TriggerDumps {
  const log = (line: string): void => void process.stderr.write(`traceloop: ${line}\n`);
  const dumps = new TriggerDumps(
    {
      targets: () => targets.filter((t) => !recorder.isGone(t.cgroupId)),
      notes: (t) => recorder.triggers(t.cgroupId),
      snapshot: (t) => recorder.snapshot(t.cgroupId),
      captures: () => recorder.captures(),
      ringPages,
    },
    settings,
    log,
  );
  recorder.setTriggerErrnos(settings.kinds.has('errno') ? [...settings.errnos] : []);
  dumps.start();
  log(`dumps on ${[...settings.kinds].join(', ')} go to ${dumps.dir.dir}`);
  return dumps;
}

type StopReason = 'signal' | 'gone';

/** Resolves on a stop signal, or when every recorded cgroup has vanished. */
function waitForStop(
  recorder: Recorder,
  recorded: RecordedCgroup[],
  onGone?: (id: bigint) => void,
  intervalMs = 500,
): Promise<StopReason> {
  return new Promise((resolve) => {
    const reported = new Set<bigint>();
    const finish = (why: StopReason): void => {
      clearInterval(timer);
      unsubscribe();
      resolve(why);
    };
    const unsubscribe = onStopSignal(() => finish('signal'));
    const timer = setInterval(() => {
      for (const cg of recorded) {
        if (!reported.has(cg.id) && recorder.isGone(cg.id)) {
          reported.add(cg.id);
          process.stderr.write(
            `traceloop: ${cg.path} is gone (its processes exited); its record is kept\n`,
          );
          onGone?.(cg.id);
        }
      }
      if (reported.size === recorded.length) finish('gone');
    }, intervalMs);
  });
}

async function streamUntilStop(
  recorder: Recorder,
  recorded: RecordedCgroup[],
  opts: CgroupsOptions,
  onGone?: (id: bigint) => void,
): Promise<StopReason> {
  const formatters = new Map<bigint, LineFormatter>();
  // With -c, as strace -c attached: counted while recording, one table per cgroup at the stop.
  const summaries = new Map<bigint, CallSummary>();
  for (const cg of recorded) {
    const formatter = dumpFormatter({
      maxString: opts.maxString,
      durations: opts.durations,
      decodeFds: opts.decodeFds ?? true,
      decodeSockets: (opts.decodeFds ?? true) && (opts.decodeSockets ?? false),
      procFds: true,
    });
    const summary = opts.summary ? new CallSummary() : undefined;
    const tag = recorded.length > 1 ? `[${cg.name}] ` : '';
    formatters.set(cg.id, formatter);
    if (summary) summaries.set(cg.id, summary);
    recorder.watch(cg.id, (records) => {
      if (summary) {
        summary.add(parseRecords(records));
        return;
      }
      const lines = formatter.push(parseRecords(records));
      if (lines.length > 0) writeAllSync(1, lines.map((l) => tag + l).join('\n') + '\n');
    });
  }
  const why = await waitForStop(recorder, recorded, onGone);
  for (const cg of recorded) {
    recorder.unwatch(cg.id); // hands out what the merger still held
    const summary = summaries.get(cg.id);
    if (summary) {
      writeAllSync(1, `# traceloop summary of ${cg.path}\n${summaryText(summary)}`);
      continue;
    }
    const rest = formatters.get(cg.id)!.flush();
    if (rest.length > 0) writeAllSync(1, rest.join('\n') + '\n');
  }
  return why;
}

async function dumpAll(
  recorder: Recorder,
  recorded: RecordedCgroup[],
  opts: CgroupsOptions,
  signalsBefore: number,
): Promise<void> {
  const text = recorded
    .map((cg) => {
      if (opts.summary) {
        const summary = new CallSummary();
        summary.add(parseRecords(recorder.snapshot(cg.id).records));
        return `# traceloop summary of ${cg.path} (cgroup id ${cg.id})\n${summaryText(summary)}`;
      }
      return dumpText(
        `# traceloop dump of ${cg.path} (cgroup id ${cg.id})`,
        recorder.snapshot(cg.id),
        {
          maxString: opts.maxString,
          durations: opts.durations,
          decodeFds: opts.decodeFds ?? true,
          captures: recorder.captures(),
        },
      );
    })
    .join('');
  if (opts.output) {
    writeFileAtomic(opts.output, text);
    process.stderr.write(`traceloop: dump written to ${opts.output}\n`);
  } else {
    await writeInterruptible(1, text, signalsBefore);
  }
}
