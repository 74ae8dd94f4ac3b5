/**
 * gRPC health checking (`grpc.health.v1.Health/Check`): the core answers SERVING for "" and its services once
 * `ready()` (its local agents are connected), NOT_SERVING before.
 */
import type { ConnectRouter } from '@connectrpc/connect';
import { Code, ConnectError } from '@connectrpc/connect';
import { Health, HealthCheckResponse_ServingStatus } from '../gen/grpc/health/v1/health_pb.ts';

const SERVICES = new Set(['', 'o2control.Control', 'axle.agent.v1.AgentService', 'apricot.Apricot']);

export function healthRoutes(ready: () => boolean = () => true): (router: ConnectRouter) => void {
  return (router) =>
    router.service(Health, {
      check: (req) => {
        if (!SERVICES.has(req.service))
          throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
        return {
          status: ready()
            ? HealthCheckResponse_ServingStatus.SERVING
            : HealthCheckResponse_ServingStatus.NOT_SERVING,
        };
      },
      async *watch(req) {
        await Promise.resolve();
        yield {
          status: !SERVICES.has(req.service)
            ? HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN
            : ready()
              ? HealthCheckResponse_ServingStatus.SERVING
              : HealthCheckResponse_ServingStatus.NOT_SERVING,
        };
      },
    });
}
