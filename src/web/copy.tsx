/** A value with a button that copies it (ids and run numbers, for logbooks and chats). */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';

export function Copyable(props: { readonly value: string; readonly label: string }): JSX.Element {
  const [done, setDone] = useState(false);
  const copy = (): void => {
    void navigator.clipboard?.writeText(props.value).then(
      () => {
        setDone(true);
        setTimeout(() => setDone(false), 1200);
      },
      () => undefined,
    );
  };
  return (
    <span class="copyable">
      <span class="mono">{props.value}</span>
      <button type="button" class="copy" onClick={copy} aria-label={`Copy ${props.label} ${props.value}`}>
        {done ? 'copied' : 'copy'}
      </button>
    </span>
  );
}
