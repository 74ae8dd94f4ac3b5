/** The permission table covers every RPC; roles grant what COG's roles grant; detector scope names what is missing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Apricot } from '../../gen/apricot/apricot_pb.ts';
import { AuditService } from '../../gen/axle/audit/v1/audit_pb.ts';
import { ClusterService } from '../../gen/axle/cluster/v1/cluster_pb.ts';
import { LockService } from '../../gen/axle/locks/v1/locks_pb.ts';
import { Control } from '../../gen/protos/o2control_pb.ts';
import type { Identity, Role } from './identity.ts';
import { classify, detectorRefusal, grants, PROTECTED_SERVICES } from './permissions.ts';
import type { RpcClass } from './permissions.ts';
import { decideLock } from './lock-rules.ts';

test('every method of every protected service is in the table, and the table lists no method that does not exist', () => {
  for (const service of [Control, Apricot, ClusterService, LockService, AuditService]) {
    const table = PROTECTED_SERVICES[service.typeName];
    assert.ok(table !== undefined, service.typeName);
    for (const m of service.methods) assert.notEqual(classify(service.typeName, m.name), 'unlisted', m.name);
    const names = new Set(service.methods.map((m) => m.name));
    for (const listed of Object.keys(table)) assert.ok(names.has(listed), `${service.typeName}/${listed}`);
  }
  assert.equal(classify('grpc.health.v1.Health', 'Check'), undefined);
  assert.equal(classify('o2control.Control', 'NoSuchMethod'), 'unlisted');
});

const who = (...roles: Role[]): Identity => ({ name: 'u', roles, via: 'token' });

test('roles grant classes as COG: guest reads, detector and global control, admin everything', () => {
  const classes: RpcClass[] = [
    'read',
    'environment-control',
    'repository-admin',
    'configuration-write',
    'tasks-cleanup',
    'lock-admin',
  ];
  const expected: Record<string, RpcClass[]> = {
    guest: ['read'],
    'det-tpc': ['read', 'environment-control'],
    global: ['read', 'environment-control'],
    admin: classes,
  };
  for (const [role, allowed] of Object.entries(expected))
    for (const c of classes) assert.equal(grants(who(role as Role), c), allowed.includes(c), `${role} ${c}`);
  assert.equal(grants(who(), 'read'), false, 'no role: nothing');
});

test('detector scope: det-<name> only its detectors (case-insensitive), global and admin all', () => {
  assert.equal(detectorRefusal(who('det-tpc'), ['TPC']), undefined);
  assert.equal(detectorRefusal(who('det-tpc'), ['ITS', 'TPC']), 'needs global or det-its');
  assert.equal(detectorRefusal(who('det-tpc', 'det-its'), ['ITS', 'TPC']), undefined);
  assert.equal(detectorRefusal(who('global'), ['ITS', 'TPC']), undefined);
  assert.equal(detectorRefusal(who('admin'), ['MCH']), undefined);
  assert.equal(detectorRefusal(who('det-tpc'), []), undefined);
});

test('lock rules: take, release, force (table of lock-rules.ts)', () => {
  assert.deepEqual(decideLock('TPC', undefined, 'take', 'a'), { ok: true, holder: 'a', changed: true });
  assert.deepEqual(decideLock('TPC', 'a', 'take', 'a'), { ok: true, holder: 'a', changed: false });
  assert.deepEqual(decideLock('TPC', 'b', 'take', 'a'), {
    ok: false,
    reason: 'the lock of TPC is held by b',
  });
  assert.deepEqual(decideLock('TPC', undefined, 'release', 'a'), {
    ok: false,
    reason: 'the lock of TPC is not held',
  });
  assert.deepEqual(decideLock('TPC', 'a', 'release', 'a'), { ok: true, holder: undefined, changed: true });
  assert.deepEqual(decideLock('TPC', 'b', 'release', 'a'), {
    ok: false,
    reason: 'the lock of TPC is held by b, not by a',
  });
  assert.deepEqual(decideLock('TPC', 'b', 'force_take', 'a'), { ok: true, holder: 'a', changed: true });
  assert.deepEqual(decideLock('TPC', 'b', 'force_release', 'a'), {
    ok: true,
    holder: undefined,
    changed: true,
  });
  assert.deepEqual(decideLock('TPC', undefined, 'force_release', 'a'), {
    ok: true,
    holder: undefined,
    changed: false,
  });
});
