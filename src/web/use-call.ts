/** A call's result as page state: loading, value, or the error in words; `reload` calls again. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { errorText } from './client.ts';

export interface CallState<T> {
  readonly value: T | undefined;
  readonly error: string;
  readonly reload: () => void;
}

export function useCall<T>(call: () => Promise<T>, everyMs = 0): CallState<T> {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState('');
  const reload = useCallback(() => {
    call().then(
      (v) => {
        setValue(v);
        setError('');
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, []);
  useEffect(() => {
    reload();
    if (everyMs <= 0) return undefined;
    const t = setInterval(reload, everyMs);
    return () => clearInterval(t);
  }, [reload, everyMs]);
  return { value, error, reload };
}
