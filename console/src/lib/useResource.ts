/**
 * Loads data for a page and tracks loading and error states; `reload()` fetches again and `pollMs` refetches
 * on an interval (live job states, liveness of schedulers) without flashing the loading state.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

/** The state of a load. */
export interface Resource<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload(): Promise<void>;
}

/** Runs `load` now, whenever `deps` change, and every `pollMs` when given (while `poll` stays true). */
export function useResource<T>(load: () => Promise<T>, deps: readonly unknown[], options: { pollMs?: number; poll?: (data: T | undefined) => boolean } = {}): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const latest = useRef<T | undefined>(undefined);

  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const value = await run();
      if (mine !== generation.current) return;
      latest.current = value;
      setData(value);
      setError(undefined);
    } catch (e) {
      if (mine === generation.current) setError((e as Error).message);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [run]);

  useEffect(() => {
    setLoading(true);
    setData(undefined);
    latest.current = undefined;
    void reload();
  }, [reload]);

  const { pollMs, poll } = options;
  useEffect(() => {
    if (pollMs === undefined) return;
    const timer = setInterval(() => {
      if (poll === undefined || poll(latest.current)) void reload();
    }, pollMs);
    return () => clearInterval(timer);
  }, [pollMs, poll, reload]);

  return { data, error, loading, reload };
}
