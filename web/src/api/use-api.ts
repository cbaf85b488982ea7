import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";
import { type ApiProblem, problemOf } from "./client";

export type Loaded<Data> =
  | { status: "loading"; data: Data | undefined; problem: undefined }
  | { status: "ready"; data: Data; problem: undefined }
  | { status: "failed"; data: Data | undefined; problem: ApiProblem };

/**
 * Loads once per change of `deps`, keeping the previous data on screen while the next loads
 * (a period change does not blank the page). A load that a newer one overtook is dropped.
 */
export function useApi<Data>(
  load: (signal: AbortSignal) => Promise<Data>,
  deps: DependencyList,
): Loaded<Data> & { reload(): void } {
  const [state, setState] = useState<Loaded<Data>>({
    status: "loading",
    data: undefined,
    problem: undefined,
  });
  const [attempt, setAttempt] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide reloading
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ status: "loading", data: previous.data, problem: undefined }));
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ status: "ready", data, problem: undefined });
      },
      (error: unknown) => {
        if (!controller.signal.aborted)
          setState((previous) => ({
            status: "failed",
            data: previous.data,
            problem: problemOf(error),
          }));
      },
    );
    return () => controller.abort();
  }, [...deps, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...state, reload };
}
