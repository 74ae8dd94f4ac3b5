/**
 * A plugin's connection state as gRPC names them (AliECS reports `conn.GetState()`): IDLE before the first contact,
 * CONNECTING while one is under way, READY after a successful exchange, TRANSIENT_FAILURE with the reason after a
 * failed one, SHUTDOWN once the plugin is destroyed (final).
 */
export type ConnectionState = 'IDLE' | 'CONNECTING' | 'READY' | 'TRANSIENT_FAILURE' | 'SHUTDOWN';

export interface ConnectionStatus {
  readonly state: ConnectionState;
  /** Why the last exchange failed (TRANSIENT_FAILURE only). */
  readonly reason?: string;
  /** When the state last changed (ms). */
  readonly sinceMs: number;
}

export class Connection {
  private status: ConnectionStatus = { state: 'IDLE', sinceMs: Date.now() };

  get(): ConnectionStatus {
    return this.status;
  }

  connecting(): void {
    if (this.status.state === 'IDLE') this.set({ state: 'CONNECTING' });
  }

  ok(): void {
    if (this.status.state !== 'READY') this.set({ state: 'READY' });
  }

  failed(reason: string): void {
    this.set({ state: 'TRANSIENT_FAILURE', reason });
  }

  shutdown(): void {
    this.set({ state: 'SHUTDOWN' });
  }

  private set(s: { state: ConnectionState; reason?: string }): void {
    if (this.status.state === 'SHUTDOWN') return;
    this.status = { ...s, sinceMs: Date.now() };
  }
}
