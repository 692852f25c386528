// The daemon's checks throw HttpError: tests compare the status a call would answer with.
import { HttpError } from '../../src/server/params.js';

/** What `fn` did: 'ok', the HTTP status of the HttpError it threw, or another error's message. */
export function statusOf(fn: () => unknown): number | string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof HttpError ? err.status : (err as Error).message;
  }
}
