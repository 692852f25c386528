// What each subcommand takes, and its --help. The arguments are checked
// here before meow parses them and before anything runs, so `serve --help`
// starts no daemon, `tui --help` needs no terminal, and a mistyped flag
// fails in one line that says where to look, instead of meow's two-line
// "Unknown flag" or, for a flag another subcommand takes, silence.
import { UserError } from '../cgroup.js';
import { DEFAULT_MAX_ARG_BYTES, DEFAULT_RING_PAGES, DRAIN_PERIOD_MS } from '../recorder.js';
import { RUN_DRAIN_MS, RUN_RING_PAGES } from './run.js';

interface FlagSpec {
  /** Takes a value (`--name NAME`, `--name=NAME`); otherwise a switch. */
  value: boolean;
  short?: string;
  /** May be given more than once (meow collects a list). */
  many?: boolean;
  /** The line of a subcommand's help; undefined: not shown (tests' knobs). */
  help?: string;
}

const FLAGS: Record<string, FlagSpec> = {
  'dump-on-exit': { value: false, help: 'keep quiet; print the flight record when stopped' },
  output: {
    value: true,
    short: 'o',
    help: '-o, --output FILE     write the dump to FILE (atomically)',
  },
  'ring-pages': {
    value: true,
    help: `--ring-pages N        pages per CPU ring, a power of two (default ${DEFAULT_RING_PAGES})`,
  },
  summary: {
    value: false,
    short: 'c',
    help: '-c, --summary         a table of calls, errors and time per syscall, as strace -c',
  },
  filter: {
    value: true,
    help: '--filter EXPR         only the lines EXPR keeps: pid:N comm:X syscall:X errno:X dur>10ms\n                        fd:GLOB (what -y names an fd: fd:/var/log/*) -term',
  },
  durations: {
    value: false,
    short: 'T',
    help: '-T, --durations       the time spent in each call, <0.000075>, as strace -T',
  },
  'decode-fds': {
    value: false,
    short: 'y',
    help: '-y, --decode-fds      each fd with what it refers to, 3</etc/hostname>, as strace -y\n                        (the default; --no-decode-fds prints fds bare)',
  },
  'decode-sockets': {
    value: false,
    help: '-yy, --decode-sockets sockets with their addresses, 3<TCP:[127.0.0.1:41234->127.0.0.1:5432]>,\n                        devices with their numbers, 1</dev/null<char 1:3>>, as strace -yy',
  },
  'max-arg-bytes': {
    value: true,
    help: `--max-arg-bytes N     bytes captured of a buffer argument (default ${DEFAULT_MAX_ARG_BYTES})`,
  },
  'string-limit': {
    value: true,
    short: 's',
    help: '-s, --string-limit N  bytes of a string shown before "..." (default 32, as strace -s)',
  },
  interval: {
    value: true,
    help: `--interval MS         how often the live stream reads the rings (default ${DRAIN_PERIOD_MS})`,
  },
  cgroup: {
    value: true,
    many: true,
    help: '--cgroup PATH         record this cgroup2 directory (repeatable)',
  },
  pid: {
    value: true,
    many: true,
    help: '--pid PID             record the cgroup of this process (repeatable)',
  },
  unit: {
    value: true,
    many: true,
    help: '--unit NAME           record the cgroup of this systemd unit (repeatable)',
  },
  'snapshot-dir': {
    value: true,
    help: '--snapshot-dir DIR    where s writes snapshots (default: the current directory)',
  },
  socket: {
    value: true,
    help: "--socket PATH         the daemon's socket (default /run/traceloop.socket)",
  },
  'socket-group': {
    value: true,
    help: '--socket-group G      open the socket to group G (mode 0660)',
  },
  yes: {
    value: false,
    help: "--yes                 record the root cgroup or traceloop's own if named",
  },
  standalone: {
    value: false,
    help: '--standalone          record in this process even if a daemon answers',
  },
  retention: {
    value: true,
    help: "--retention T         keep vanished cgroups' records this long (default 3h)",
  },
  'retention-memory': {
    value: true,
    help: '--retention-memory M  MiB of kept records at most (default 64)',
  },
  'max-streams': {
    value: true,
    help: '--max-streams N       concurrent /stream clients at most (default 512)',
  },
  'gone-check-ms': { value: true },
  name: {
    value: true,
    help: "--name NAME           the name to register under (default: the directory's)",
  },
  format: { value: true, help: '--format F            text (default) or jsonl' },
  save: {
    value: true,
    help: '--save FILE           also save the records as a capture file (traceloop view FILE)',
  },
  'dump-dir': {
    value: true,
    help: '--dump-dir DIR        save the flight record into DIR when a trigger fires (--dump-on)',
  },
  'dump-on': {
    value: true,
    help: '--dump-on LIST        triggers: crash, exit, errno=NAME[,NAME...], gone (default crash)',
  },
  'dump-tail': {
    value: true,
    help: '--dump-tail T         how long after the trigger the record is taken (default 200ms)',
  },
  'dump-rate': {
    value: true,
    help: '--dump-rate N         dumps per cgroup and trigger per minute at most (default 4)',
  },
  'dump-dir-max': {
    value: true,
    help: '--dump-dir-max BYTES  our files in DIR at most, oldest deleted first (default 256M)',
  },
  version: { value: false },
  help: { value: false, short: 'h' },
};

const SETTINGS = ['ring-pages', 'max-arg-bytes', 'string-limit', 'interval'];
const TRIGGERS = ['dump-dir', 'dump-on', 'dump-tail', 'dump-rate', 'dump-dir-max'];

interface CommandSpec {
  flags: string[];
  /** Help lines of flags whose default differs for this command. */
  own?: Record<string, string>;
  /** Usage and what it does, before the options. */
  about: string;
  example: string;
}

const COMMANDS: Record<string, CommandSpec> = {
  cgroups: {
    flags: [
      'dump-on-exit',
      'output',
      'durations',
      'summary',
      'decode-fds',
      'decode-sockets',
      ...SETTINGS,
      ...TRIGGERS,
    ],
    about: `traceloop cgroups [--dump-on-exit] [-o FILE] [--dump-dir DIR --dump-on LIST] PATH...
  Record the cgroup2 directories PATH. Without --dump-on-exit, print their
  syscalls as they happen; with it, print the flight record when stopped
  (Ctrl-C, SIGTERM). With --dump-dir, a trigger (a crash, a non-zero exit,
  an errno) saves the flight record into DIR as a capture and its text.
  Exits 1 when every recorded cgroup has vanished.`,
    example: 'traceloop cgroups --dump-on-exit /sys/fs/cgroup/system.slice/ssh.service',
  },
  run: {
    flags: [
      'output',
      'save',
      'durations',
      'decode-fds',
      'decode-sockets',
      'summary',
      'filter',
      ...SETTINGS,
    ],
    own: {
      'ring-pages': `--ring-pages N        pages per CPU ring, a power of two (default ${RUN_RING_PAGES})`,
      interval: `--interval MS         how often the rings are read (default ${RUN_DRAIN_MS})`,
    },
    about: `traceloop run [-o FILE] [--save FILE.tlcap] -- CMD [ARGS...]
  Run CMD in a fresh cgroup, recorded from before its exec; its calls go to
  stderr (or FILE, put in place when CMD exits) as they are read, as with
  strace -f -o. --save also keeps the records as a capture file, for
  traceloop view. Exits with CMD's status.`,
    example: 'traceloop run -o curl.txt -- curl -s http://localhost:8080/',
  },
  tui: {
    flags: [
      'cgroup',
      'pid',
      'unit',
      'yes',
      'snapshot-dir',
      'socket',
      'standalone',
      'decode-fds',
      ...SETTINGS,
    ],
    about: `traceloop [tui] [--cgroup PATH]... [--pid PID]... [--unit NAME]...
  The terminal UI: the recorded cgroups and a live stream of one (Ctrl-S
  pauses, Ctrl-Q continues, s snapshots, ? lists the keys). When a daemon
  answers on the socket it shows the daemon's cgroups. Needs a terminal:
  over SSH, 'ssh -t HOST traceloop'.`,
    example: 'traceloop tui --unit ssh.service --pid 8703',
  },
  serve: {
    flags: [
      'socket',
      'socket-group',
      'retention',
      'retention-memory',
      'max-streams',
      'gone-check-ms',
      ...SETTINGS,
      ...TRIGGERS,
    ],
    about: `traceloop serve [--socket PATH] [--socket-group G] [--retention T] [--dump-dir DIR --dump-on LIST]
  The always-on recorder: the original traceloop's HTTP API on a unix socket
  (mode 0600, or 0660 with --socket-group). With --dump-dir, a trigger (a
  crash, a non-zero exit, an errno, a removed cgroup) saves the cgroup's
  flight record into DIR as a capture and its text (/dumps lists them).
  SIGTERM stops it.`,
    example: 'traceloop serve --socket /run/traceloop.socket --retention 6h',
  },
  add: {
    flags: ['socket', 'name'],
    about: `traceloop add PATH|PID|UNIT [--name NAME]
  Register a cgroup with the daemon: a cgroup2 directory, the cgroup of a
  process, or the cgroup of a systemd unit (as the UI's a takes them).`,
    example: 'traceloop add ssh.service',
  },
  list: {
    flags: ['socket'],
    about: `traceloop list
  The daemon's cgroups, one a line: ID: [NAME] PATH (vanished ones marked).`,
    example: 'traceloop list --socket /run/traceloop.socket',
  },
  dump: {
    flags: [
      'socket',
      'format',
      'output',
      'filter',
      'summary',
      'decode-fds',
      'decode-sockets',
      'save',
    ],
    about: `traceloop dump ID|NAME|PATH [--format jsonl] [-o FILE] [--filter EXPR] [-c]
  The daemon's flight record of one cgroup (see traceloop list), to stdout or
  FILE; with --save FILE.tlcap, as a capture file instead (traceloop view).`,
    example: 'traceloop dump ssh.service -o ssh.txt',
  },
  view: {
    flags: ['summary', 'filter'],
    about: `traceloop view FILE.tlcap [-c] [--filter EXPR]
  A capture file (run --save, dump --save, docs/capture-format.md): on a
  terminal, the UI over it, read-only; piped (or with -c, --filter), printed
  as the recording printed it, after a line saying what the file is. Needs no
  root, BPF or daemon. A file cut short or damaged shows what could be read,
  says on stderr where it stops, and exits 1.`,
    example: 'traceloop view curl.tlcap | less',
  },
  close: {
    flags: ['socket'],
    about: `traceloop close ID|NAME
  Stop recording a cgroup (or forget a vanished one's kept record).`,
    example: 'traceloop close ssh.service',
  },
};

export const SUBCOMMANDS = Object.keys(COMMANDS);

/** `traceloop SUB --help`: its usage, the options it takes, one example. */
export function commandHelp(sub: string): string {
  const c = COMMANDS[sub];
  if (!c) throw new Error(`no subcommand ${sub}`);
  const options = c.flags.map((f) => c.own?.[f] ?? FLAGS[f]?.help).filter((h) => h !== undefined);
  const [usage, ...about] = c.about.split('\n');
  const lines = [
    '',
    '  Usage',
    `    $ ${usage}`,
    '',
    ...about,
    '',
    '  Options',
    ...options.map((h) => `    ${h}`),
    '    -h, --help            this text',
    '',
    '  Example',
    `    $ ${c.example}`,
    '',
  ];
  return lines.join('\n') + '\n';
}

export interface CheckedArgs {
  /** The subcommand named (undefined: none, the UI or the help). */
  sub: string | undefined;
  help: boolean;
}

const byShort = new Map(
  Object.entries(FLAGS)
    .filter(([, f]) => f.short !== undefined)
    .map(([name, f]) => [f.short!, name]),
);

/**
 * Checks `argv` (what comes before `--`) against what its subcommand takes:
 * every flag known and taken by it, every value-taking flag given a value.
 * Throws a UserError naming the flag and the help to read.
 */
export function checkArgs(argv: readonly string[]): CheckedArgs {
  const positional: string[] = [];
  const flags: Array<{ name: string; shown: string }> = [];
  let help = false;
  const missing = (shown: string): UserError => new UserError(`${shown} needs a value`);
  const problems: UserError[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      // yargs reads --no-X as X=false for a switch.
      if (!FLAGS[name] && name.startsWith('no-') && FLAGS[name.slice(3)]?.value === false) {
        name = name.slice(3);
      }
    } else {
      name = byShort.get(arg[1]!);
      if (arg.length > 2) inline = arg.slice(2);
    }
    const shown = arg.startsWith('--') ? `--${name}` : arg.slice(0, 2);
    const spec = name !== undefined ? FLAGS[name] : undefined;
    if (name === undefined || !spec) {
      problems.push(new UserError(`unknown flag ${arg.split('=')[0]}`));
      continue;
    }
    if (name === 'help') help = true;
    if (!spec.many && spec.value && flags.some((f) => f.name === name)) {
      problems.push(new UserError(`${shown} is given twice`));
    }
    flags.push({ name, shown });
    if (!spec.value) continue;
    if (inline !== undefined) {
      if (inline === '') problems.push(missing(shown));
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || next === '' || (next.startsWith('-') && next !== '-')) {
      problems.push(missing(shown));
      continue;
    }
    i++;
  }
  const first = positional[0];
  const sub = first !== undefined && COMMANDS[first] ? first : undefined;
  const see = sub ? `traceloop ${sub} --help` : 'traceloop --help';
  // Asking for help is never an error, whatever else is on the line.
  if (help) return { sub, help };
  const problem = problems[0];
  if (problem) throw new UserError(`${problem.message} (see ${see})`);
  // Without a subcommand, traceloop is the UI (or prints the help).
  const takes = new Set([...(COMMANDS[sub ?? 'tui']?.flags ?? []), 'version', 'help']);
  for (const f of flags) {
    if (!takes.has(f.name)) {
      throw new UserError(`${sub ?? 'tui'} does not take ${f.shown} (see ${see})`);
    }
  }
  return { sub, help };
}
