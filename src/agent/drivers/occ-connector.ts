/** The two OCC operations a controllable driver needs, behind one seam (tests may substitute them). */
import type { OccClient, OccTransitionRequest, OccTransport } from '../../occ/client-types.ts';
import type { ControlMode } from '../types.ts';

export interface OccConnector {
  /** A client for the task listening on 127.0.0.1:`port`. */
  connect(port: number, transport: OccTransport): OccClient;
  /**
   * Drives one OCC event (direct: one Transition; fairmq: the FairMQ sequence) and returns the OCC state reached.
   * @throws OccError with the reached state and the task's reason when the destination is not reached.
   */
  drive(
    client: OccClient,
    mode: ControlMode,
    req: OccTransitionRequest,
    opts: { readonly timeoutMs: number },
  ): Promise<{ state: string }>;
}
