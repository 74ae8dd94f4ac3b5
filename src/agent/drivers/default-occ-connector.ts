/** The OCC connector of a real agent: src/occ's client and transition driver. */
import { driveTransition } from '../../occ/drive-transition.ts';
import { createOccClient } from '../../occ/occ-client.ts';
import type { OccConnector } from './occ-connector.ts';

export const defaultOccConnector: OccConnector = {
  connect: (port, transport) => createOccClient(port, transport),
  drive: (client, mode, req, opts) => {
    if (mode !== 'direct' && mode !== 'fairmq')
      return Promise.reject(new Error(`${mode} tasks have no OCC server`));
    return driveTransition(client, mode, req, opts);
  },
};
