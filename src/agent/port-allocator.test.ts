import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { after, test } from 'node:test';
import { PortRangeError, readEphemeralRange } from './ephemeral-ports.ts';
import { PortAllocator, PortBusyError, PortExhaustedError, canBind } from './port-allocator.ts';
import { freePort } from './test-fixtures.ts';

const servers: Server[] = [];
/** An ephemeral range away from the ports these tests use (the system picks theirs from the real one). */
const FAR_AWAY = { first: 65000, last: 65535 };
after(() => servers.forEach((s) => s.close()));

/** Listens on a port the system picks; resolves with that port. */
function listenSomewhere(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    servers.push(server);
  });
}

test('50 tasks get distinct control and TCP ports in their ranges, and each port is bindable', async () => {
  const ports = new PortAllocator();
  const all = await Promise.all(
    Array.from({ length: 50 }, async (_, i) => {
      const control = await ports.allocate('control', `t${i}`);
      const tcp = [await ports.allocate('tcp', `t${i}`), await ports.allocate('tcp', `t${i}`)];
      return { control, tcp };
    }),
  );
  const flat = all.flatMap((a) => [a.control, ...a.tcp]);
  assert.equal(new Set(flat).size, 150);
  assert.ok(all.every((a) => a.control >= 30000 && a.tcp.every((p) => p >= 9000 && p < 30000)));
  const eph = readEphemeralRange();
  assert.ok(!flat.some((p) => p >= eph.first && p <= eph.last), 'none in the host ephemeral range');
  assert.equal(ports.size, 150);
  assert.ok(await canBind(all[0]?.control ?? 0));
});

test('a port some other process listens on is skipped', async () => {
  const busy = await listenSomewhere();
  const ports = new PortAllocator({
    tcp: { first: busy, last: busy + 1 },
    start: 'lowest',
    ephemeral: FAR_AWAY,
  });
  assert.equal(await ports.allocate('tcp', 'a'), busy + 1);
  await assert.rejects(ports.allocate('tcp', 'b'), PortExhaustedError);
  const only = new PortAllocator({ control: { first: busy, last: busy }, ephemeral: FAR_AWAY });
  await assert.rejects(only.allocate('control', 'c'), PortExhaustedError);
});

test('ports come back on release and are handed out round-robin (freed ports last)', async () => {
  const ports = new PortAllocator({ tcp: { first: 9600, last: 9602 }, start: 'lowest' });
  const a = await ports.allocate('tcp', 'a');
  const b = await ports.allocate('tcp', 'b');
  ports.release('a');
  assert.deepEqual(ports.heldBy('a'), []);
  const c = await ports.allocate('tcp', 'c');
  assert.equal(c, 9602);
  assert.equal(await ports.allocate('tcp', 'd'), a);
  assert.notEqual(b, c);
});

test('without probing (simulated tasks) ports are only bookkept', async () => {
  const busy = await listenSomewhere();
  const ports = new PortAllocator({ tcp: { first: busy, last: busy }, ephemeral: FAR_AWAY });
  assert.equal(await ports.allocate('tcp', 'sim', false), busy);
});

test('claim holds exactly the assigned port (even outside the ranges) until its owner is released', async () => {
  const port = await freePort();
  const ports = new PortAllocator({ tcp: { first: 9700, last: 9701 } });
  await ports.claim('tcp', port, 'a');
  assert.deepEqual(ports.heldBy('a'), [port]);
  await assert.rejects(ports.claim('control', port, 'b'), (e: unknown) => {
    assert.ok(e instanceof PortBusyError);
    assert.deepEqual([e.kind, e.port, e.holder], ['control', port, 'a']);
    assert.match(e.message, new RegExp(`port ${port} is busy \\(held by a\\)`));
    return true;
  });
  await assert.rejects(ports.claim('tcp', port, 'a'), PortBusyError, 'not twice for one owner either');
  ports.release('a');
  assert.equal(ports.size, 0);
  await ports.claim('tcp', port, 'b');
  assert.deepEqual(ports.heldBy('b'), [port]);
});

test('automatic allocation never hands out a claimed port', async () => {
  const ports = new PortAllocator({ tcp: { first: 9710, last: 9711 }, start: 'lowest' });
  await ports.claim('tcp', 9710, 'assigned', false);
  assert.equal(await ports.allocate('tcp', 'auto', false), 9711);
  await assert.rejects(ports.allocate('tcp', 'more', false), PortExhaustedError);
});

test('a claimed port that something else listens on is refused (and not held); without probe it is held', async () => {
  const busy = await listenSomewhere();
  const ports = new PortAllocator();
  await assert.rejects(ports.claim('tcp', busy, 'a'), (e: unknown) => {
    assert.ok(e instanceof PortBusyError);
    assert.equal(e.holder, undefined);
    return /in use on this machine/.test(e.message);
  });
  assert.equal(ports.size, 0);
  await ports.claim('tcp', busy, 'sim', false);
  assert.deepEqual(ports.heldBy('sim'), [busy]);
});

test('the allocator never hands out a port of the ephemeral range (default ranges are cut around it)', async () => {
  const ephemeral = { first: 30050, last: 60999 };
  const ports = new PortAllocator({ ephemeral, tcp: { first: 9000, last: 9099 } });
  assert.deepEqual(ports.range('control'), { first: 30000, last: 30049 });
  const got = [];
  for (let i = 0; i < 50; i++) got.push(await ports.allocate('control', `t${i}`, false));
  assert.deepEqual(
    [...got].sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => 30000 + i),
  );
  await assert.rejects(ports.allocate('control', 'more', false), PortExhaustedError);
  const high = new PortAllocator({
    ephemeral: { first: 1024, last: 30999 },
    tcp: { first: 61000, last: 61999 },
  });
  assert.deepEqual(
    high.range('control'),
    { first: 31000, last: 32767 },
    'the part above the ephemeral range',
  );
  assert.throws(() => new PortAllocator({ ephemeral: { first: 1024, last: 65535 } }), PortRangeError);
});

test('a configured range that overlaps the ephemeral range is refused, naming both ranges', () => {
  const ephemeral = { first: 32768, last: 60999 };
  assert.throws(
    () => new PortAllocator({ control: { first: 30000, last: 40000 }, ephemeral }),
    (e: unknown) => {
      assert.ok(e instanceof PortRangeError);
      assert.equal(
        e.message,
        'control port range 30000-40000 overlaps the ephemeral port range 32768-60999 of this host ' +
          '(/proc/sys/net/ipv4/ip_local_port_range): outgoing connections may take those ports; ' +
          'choose a range outside it (--control-ports)',
      );
      return true;
    },
  );
  assert.throws(
    () => new PortAllocator({ tcp: { first: 60999, last: 61100 }, ephemeral }),
    /tcp port range 60999-61100 overlaps/,
  );
  assert.doesNotThrow(() => new PortAllocator({ control: { first: 61000, last: 65535 }, ephemeral }));
});
