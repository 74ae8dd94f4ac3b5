/** `axle.cluster.v1.ClusterService` on the core's port: the registry's cluster view in wire form. */
import type { ConnectRouter } from '@connectrpc/connect';
import { ClusterService } from '../gen/axle/cluster/v1/cluster_pb.ts';
import type { ClusterView } from './cluster-view.ts';

/** Router hook; `view` is read at every call. */
export function clusterRoutes(view: () => ClusterView): (router: ConnectRouter) => void {
  return (router) =>
    router.service(ClusterService, {
      listHosts() {
        const v = view();
        return {
          engine: v.engine,
          error: v.error ?? '',
          hosts: v.hosts.map((h) => ({
            ...h,
            trouble: h.trouble ?? '',
            attributes: { ...h.attributes },
            environments: [...h.environments],
          })),
        };
      },
    });
}
