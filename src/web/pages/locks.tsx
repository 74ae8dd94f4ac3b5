/** Locks: one per detector, once the core holds them; until then the page says so rather than pretend. */
import type { JSX } from 'preact';

export function LocksPage(): JSX.Element {
  return (
    <section>
      <header class="page-head">
        <h1>Locks</h1>
      </header>
      <p class="notice" data-testid="locks-unavailable">
        Detector locks are not available yet: this core does not offer locks. Environments already refuse a
        detector that another environment uses.
      </p>
    </section>
  );
}
