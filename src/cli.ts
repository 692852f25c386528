#!/usr/bin/env node
// The command line: which subcommand, which flags. Each subcommand lives in
// src/commands/; errors the user can act on are printed as one line.
import meow from 'meow';
import { UserError } from './cgroup.js';
import { cgroupsCommand } from './commands/cgroups.js';
import { runCommand } from './commands/run.js';
import { tuiCommand } from './commands/tui.js';
import { addCommand } from './commands/add.js';
import { closeCommand } from './commands/close.js';
import { dumpCommand } from './commands/dump.js';
import { listCommand } from './commands/list.js';
import { serveCommand } from './commands/serve.js';
import { viewCommand } from './commands/view.js';
import { DEFAULT_MAX_ARG_BYTES, DEFAULT_RING_PAGES, DRAIN_PERIOD_MS } from './recorder.js';
import { Interrupted } from './output.js';
import { checkArgs, commandHelp } from './commands/usage.js';
import { installStopSignals } from './stop.js';
import { versionText } from './version.js';

const HELP = `
  A syscall flight recorder: BPF records the syscalls of chosen cgroups into
  per-CPU kernel rings; nothing leaves the kernel until you ask.

  Usage
    $ traceloop cgroups [--dump-on-exit] [-o FILE] PATH...
        Record the cgroup2 directories PATH. Without --dump-on-exit, print
        their syscalls as they happen; with it, print the flight record when
        stopped (Ctrl-C, SIGTERM).
    $ traceloop run [-o FILE] [--save FILE.tlcap] -- CMD [ARGS...]
        Run CMD in a fresh cgroup, recorded from before its exec; print the
        record (to stderr, or FILE) when it exits, and exit with its status.
    $ traceloop view FILE.tlcap
        A capture file (run --save, dump --save): the UI over it on a
        terminal, else its text as the recording printed it; no root, BPF
        or daemon needed.
    $ traceloop [tui] [--cgroup PATH]... [--pid PID]... [--unit NAME]...
        The terminal UI: the recorded cgroups and a live stream of one
        (Ctrl-S pauses, Ctrl-Q continues, s snapshots it to a file, ? help).
        On a terminal, traceloop without a subcommand starts it.
    $ traceloop serve [--socket P] [--socket-group G] [--retention 3h]
        The always-on recorder: the original traceloop's HTTP API on a unix
        socket (default /run/traceloop.socket, mode 0600).
    $ traceloop add PATH|PID|UNIT [--name NAME] | list | dump ID|NAME|PATH | close ID|NAME
        Talk to the daemon: register a cgroup, list, dump, stop recording.

  traceloop SUBCOMMAND --help prints a subcommand's options and an example.

  Options
    -o, --output FILE     write the dump to FILE (atomically)
    --ring-pages N        pages per CPU ring, a power of two (default ${DEFAULT_RING_PAGES})
    --max-arg-bytes N     bytes captured of a buffer argument (default ${DEFAULT_MAX_ARG_BYTES});
                          strings and paths are kept up to 4096
    -s, --string-limit N  bytes of a string shown before "..." (default 32, as strace -s)
    --interval MS         how often the live stream reads the rings (default ${DRAIN_PERIOD_MS})
    --socket PATH         the daemon's socket (default /run/traceloop.socket)
    --socket-group G      serve: open the socket to group G (mode 0660)
    --standalone          record in this process even if a daemon answers
    --retention T         serve: keep vanished cgroups' records this long (3h)
    --retention-memory M  serve: MiB of kept records at most (default 64)
    --max-streams N       serve: concurrent /stream clients at most (default 512)
    --name NAME           add: the name to register under
    --format F            dump: text or jsonl
    --save FILE           run, dump: save the records as a capture file too
    --cgroup PATH         tui: record this cgroup2 directory (repeatable)
    --pid PID             tui: record the cgroup of this process (repeatable)
    --unit NAME           tui: record the cgroup of this systemd unit (repeatable)
    --yes                 tui: record the root cgroup or traceloop's own if named
    --snapshot-dir DIR    tui: where s writes snapshots (default: the current directory)
    --dump-dir DIR        serve, cgroups: save the flight record into DIR on a trigger
    --dump-on LIST        crash, exit, errno=NAME[,NAME...], gone (default crash)
    --dump-tail T         how long after the trigger the record is taken (200ms)
    --dump-rate N         dumps per cgroup and trigger per minute at most (default 4)
    --dump-dir-max BYTES  our files in DIR at most, oldest deleted first (256M)
    --version             traceloop's, libbpf's and the kernel's versions
    -h, --help            this text; traceloop SUBCOMMAND --help: that subcommand's

  Needs root (CAP_BPF and CAP_PERFMON) and a kernel with BTF (view needs
  neither). Exits 1 on an
  error (a usage error too), with one line saying why.
`;

export async function main(argv: string[]): Promise<number> {
  // Everything after `--` is the command of `run`, flags included.
  const dashdash = argv.indexOf('--');
  // strace's -yy is one flag of its own here (meow would read it as -y given twice).
  const own = (dashdash >= 0 ? argv.slice(0, dashdash) : argv).map((a) =>
    a === '-yy' ? '--decode-sockets' : a,
  );
  const command = dashdash >= 0 ? argv.slice(dashdash + 1) : [];
  // Before meow and before anything runs: --help only prints, a wrong flag fails in one line.
  const checked = checkArgs(own);

  const cli = meow(HELP, {
    importMeta: import.meta,
    // HELP says what package.json's description says; meow would print both.
    description: false,
    argv: own,
    autoVersion: false,
    autoHelp: false,
    allowUnknownFlags: false,
    flags: {
      dumpOnExit: { type: 'boolean', default: false },
      output: { type: 'string', shortFlag: 'o' },
      save: { type: 'string' },
      durations: { type: 'boolean', shortFlag: 'T', default: false },
      // strace -y; on by default in run, cgroups and tui, --no-decode-fds turns it off.
      decodeFds: { type: 'boolean', shortFlag: 'y', default: true },
      // strace -yy: sockets with their addresses, devices with their numbers.
      decodeSockets: { type: 'boolean', default: false },
      summary: { type: 'boolean', shortFlag: 'c', default: false },
      filter: { type: 'string' },
      // No defaults here: `run` has its own (commands/run.ts), the recorder the others'.
      ringPages: { type: 'number' },
      maxArgBytes: { type: 'number', default: DEFAULT_MAX_ARG_BYTES },
      stringLimit: { type: 'number', shortFlag: 's', default: 32 },
      interval: { type: 'number' },
      version: { type: 'boolean', default: false },
      cgroup: { type: 'string', isMultiple: true },
      pid: { type: 'number', isMultiple: true },
      unit: { type: 'string', isMultiple: true },
      snapshotDir: { type: 'string' },
      socket: { type: 'string' },
      socketGroup: { type: 'string' },
      standalone: { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      retention: { type: 'string' },
      retentionMemory: { type: 'number' },
      maxStreams: { type: 'number' },
      goneCheckMs: { type: 'number' },
      name: { type: 'string' },
      format: { type: 'string' },
      dumpDir: { type: 'string' },
      dumpOn: { type: 'string' },
      dumpTail: { type: 'string' },
      dumpRate: { type: 'number' },
      dumpDirMax: { type: 'string' },
      help: { type: 'boolean', shortFlag: 'h', default: false },
    },
  });
  if (checked.help) {
    process.stdout.write(checked.sub ? commandHelp(checked.sub) : cli.help);
    return 0;
  }
  const f = cli.flags;
  if (f.version) {
    process.stdout.write(versionText() + '\n');
    return 0;
  }
  const [sub, ...rest] = cli.input;
  const settings = {
    ringPages: f.ringPages,
    maxArgBytes: f.maxArgBytes,
    maxString: f.stringLimit,
    drainPeriodMs: f.interval,
    durations: f.durations,
  };
  const triggers = {
    dumpDir: f.dumpDir,
    dumpOn: f.dumpOn,
    dumpTail: f.dumpTail,
    dumpRate: f.dumpRate,
    dumpDirMax: f.dumpDirMax,
  };
  const tui = () =>
    tuiCommand({
      ...settings,
      cgroups: [...(f.cgroup ?? []), ...rest],
      pids: f.pid ?? [],
      units: f.unit ?? [],
      ...(f.snapshotDir !== undefined ? { snapshotDir: f.snapshotDir } : {}),
      socket: f.socket,
      standalone: f.standalone,
      yes: f.yes,
      decodeFds: f.decodeFds,
    });
  switch (sub) {
    case 'cgroups':
      return cgroupsCommand({
        ...settings,
        paths: rest,
        dumpOnExit: f.dumpOnExit,
        summary: f.summary,
        decodeFds: f.decodeFds,
        decodeSockets: f.decodeSockets,
        ...(f.output !== undefined ? { output: f.output } : {}),
        triggers,
      });
    case 'run':
      return runCommand({
        ...settings,
        command: command.length > 0 ? command : rest,
        summary: f.summary,
        decodeFds: f.decodeFds,
        decodeSockets: f.decodeSockets,
        ...(f.filter !== undefined ? { filter: f.filter } : {}),
        ...(f.output !== undefined ? { output: f.output } : {}),
        ...(f.save !== undefined ? { save: f.save } : {}),
      });
    case 'view':
      return viewCommand(rest, {
        summary: f.summary,
        ...(f.filter !== undefined ? { filter: f.filter } : {}),
      });
    case 'serve':
      return serveCommand({
        ...settings,
        socket: f.socket,
        socketGroup: f.socketGroup,
        retention: f.retention,
        retentionMemory: f.retentionMemory,
        maxStreams: f.maxStreams,
        goneCheckMs: f.goneCheckMs,
        triggers,
      });
    case 'add':
      return addCommand(rest, { socket: f.socket, name: f.name });
    case 'list':
      return listCommand({ socket: f.socket });
    case 'dump':
      return dumpCommand(rest, {
        socket: f.socket,
        format: f.format,
        output: f.output,
        summary: f.summary,
        decodeFds: f.decodeFds,
        decodeSockets: f.decodeSockets,
        ...(f.filter !== undefined ? { filter: f.filter } : {}),
        ...(f.save !== undefined ? { save: f.save } : {}),
      });
    case 'close':
      return closeCommand(rest, { socket: f.socket });
    case 'tui':
      return tui();
    case undefined:
      // A terminal gets the UI; a pipe or a script gets the help.
      if (process.stdout.isTTY) return tui();
      cli.showHelp(0);
      return 0;
    default:
      throw new UserError(`unknown command '${sub}': try 'traceloop --help'`);
  }
}

installStopSignals();
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UserError) {
      process.stderr.write(`traceloop: ${err.message}\n`);
      process.exit(err instanceof Interrupted ? 130 : 1);
    }
    process.stderr.write(`traceloop: internal error: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(70);
  },
);
