/**
 * Placement for the local engine: a task constrained by `machine_id` goes to that host; other constraints must equal
 * the host's attributes (AliECS: a host value may be a comma-separated list). Among candidates the least loaded host
 * wins, ties by name, so placement is deterministic. A task that fits nowhere gets an explanation per candidate.
 */
import type { Constraint } from '../common/plan.ts';

export interface PlacementHost {
  readonly host: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly load: number;
}

export interface PlacementTask {
  readonly taskId: string;
  readonly path: string;
  readonly constraints: readonly Constraint[];
}

export type Placement =
  { readonly ok: true; readonly host: string } | { readonly ok: false; readonly reason: string };

export function placeTasks(
  tasks: readonly PlacementTask[],
  hosts: readonly PlacementHost[],
): Map<string, Placement> {
  const load = new Map(hosts.map((h) => [h.host, h.load]));
  const byName = new Map(hosts.map((h) => [h.host, h]));
  const out = new Map<string, Placement>();
  for (const t of tasks) {
    const why: string[] = [];
    const pinned = t.constraints.find((c) => c.attribute === 'machine_id')?.value;
    const pool = pinned === undefined ? hosts : [byName.get(pinned)].filter((h) => h !== undefined);
    if (pool.length === 0)
      why.push(
        `no connected host is named ${pinned ?? ''} (connected: ${hosts.map((h) => h.host).join(', ') || 'none'})`,
      );
    const candidates = pool.filter((h) => {
      const failed = t.constraints.find((c) => !satisfies(h, c));
      if (failed !== undefined)
        why.push(
          `${h.host}: ${failed.attribute} is ${valueOf(h, failed.attribute) ?? 'not set'}, wanted ${failed.value}`,
        );
      return failed === undefined;
    });
    candidates.sort(
      (a, b) => (load.get(a.host) ?? 0) - (load.get(b.host) ?? 0) || a.host.localeCompare(b.host),
    );
    const chosen = candidates[0];
    if (chosen === undefined) {
      const detail = hosts.length === 0 ? 'no host is connected' : why.join('; ');
      out.set(t.taskId, { ok: false, reason: `no host satisfies the constraints of ${t.path} (${detail})` });
      continue;
    }
    load.set(chosen.host, (load.get(chosen.host) ?? 0) + 1);
    out.set(t.taskId, { ok: true, host: chosen.host });
  }
  return out;
}

function valueOf(h: PlacementHost, attribute: string): string | undefined {
  return attribute === 'machine_id' || attribute === 'hostname' ? h.host : h.attributes[attribute];
}

function satisfies(h: PlacementHost, c: Constraint): boolean {
  const v = valueOf(h, c.attribute);
  return (
    v !== undefined &&
    v
      .split(',')
      .map((s) => s.trim())
      .includes(c.value)
  );
}
