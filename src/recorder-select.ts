// Which recorder a front end gets: today the in-process one. (A running
// `traceloop serve` daemon on the socket will be preferred once it exists.)
import { LocalRecorder, type RecorderApi } from './recorder-api.js';
import { Recorder, type RecorderSettings } from './recorder.js';

export interface SelectOptions extends RecorderSettings {
  /** Record in this process even if a daemon answers. */
  standalone?: boolean;
  /** The daemon's socket. */
  socket?: string;
}

export function openRecorderApi(opts: SelectOptions = {}): Promise<RecorderApi> {
  return Promise.resolve(new LocalRecorder(Recorder.open(opts)));
}
