/**
 * Waits `ms`, or less when `signal` aborts: the loops that poll (the scheduler, review delivery,
 * the live demo) stop at once on shutdown instead of finishing their wait. Resolves either way,
 * never rejects, so a loop just checks `signal.aborted` after it.
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timeout);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timeout = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
