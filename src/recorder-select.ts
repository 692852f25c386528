// Which recorder a front end gets: a `traceloop serve` daemon when one
// answers on the socket (its cgroups, its recording, which outlives the
// front end), else the in-process one. --standalone forces in-process;
// an explicit --socket with no daemon behind it is an error, not a fallback.
import { RemoteRecorder } from './client/remote-recorder.js';
import { daemonAnswers } from './client/request.js';
import { UserError } from './cgroup.js';
import { LocalRecorder, type RecorderApi } from './recorder-api.js';
import { Recorder, type RecorderSettings } from './recorder.js';
import { DEFAULT_SOCKET } from './server/socket.js';

export interface SelectOptions extends RecorderSettings {
  /** Record in this process even if a daemon answers. */
  standalone?: boolean;
  /** The daemon's socket. */
  socket?: string;
}

export async function openRecorderApi(opts: SelectOptions = {}): Promise<RecorderApi> {
  if (opts.standalone) return new LocalRecorder(Recorder.open(opts));
  const socket = opts.socket ?? DEFAULT_SOCKET;
  if (await daemonAnswers(socket)) return new RemoteRecorder(socket);
  if (opts.socket !== undefined) {
    throw new UserError(
      `no traceloop daemon answers on ${socket} (use --standalone to record in-process)`,
    );
  }
  return new LocalRecorder(Recorder.open(opts));
}
