// Waiting with deadlines: every wait in the interop tests ends by a clock, never by a sleep.

/** Rejects with `message()` if `promise` has not settled within `ms`. */
export async function withDeadline(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(typeof message === 'function' ? message() : message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Resolves with `check()`'s first truthy value. `check` runs now, on every event of the
 * emitters listed in `on` (pairs of [emitter, event name]), and every `pollMs` as a fallback.
 * Rejects after `timeoutMs` with `what` and the last value `describe()` gives.
 */
export function until(what, check, { timeoutMs = 10_000, pollMs = 50, on = [], describe } = {}) {
  return new Promise((resolve, reject) => {
    let done = false;
    const cleanups = [];
    const finish = (fn, value) => {
      if (done) return;
      done = true;
      for (const cleanup of cleanups) cleanup();
      fn(value);
    };
    const probe = () => {
      if (done) return;
      let value;
      try {
        value = check();
      } catch (err) {
        finish(reject, err);
        return;
      }
      if (value) finish(resolve, value);
    };
    for (const [emitter, event] of on) {
      emitter.on(event, probe);
      cleanups.push(() => emitter.off(event, probe));
    }
    const poll = setInterval(probe, pollMs);
    cleanups.push(() => clearInterval(poll));
    const timer = setTimeout(() => {
      let last = '';
      if (describe) {
        try {
          last = `; last seen: ${describe()}`;
        } catch (err) {
          last = `; describe() threw ${err}`;
        }
      }
      finish(reject, new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last}`));
    }, timeoutMs);
    cleanups.push(() => clearTimeout(timer));
    probe();
  });
}
