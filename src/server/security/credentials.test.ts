/** Token file checks, JWT verification (keys made here with node:crypto) and the listen policy. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authenticate, isLoopback, listenPolicy, ListenPolicyError } from './authenticate.ts';
import { JwtVerifier } from './jwt.ts';
import { tokenHash, TokenFileError, TokenTable } from './token-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'axle-credentials-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string, mode = 0o600): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

test('a token file maps hashed tokens to users and roles', () => {
  const p = file(
    'ok.yaml',
    `tokens:\n  - { sha256: ${tokenHash('s3cret')}, user: alice, roles: [det-TPC, global] }\n`,
  );
  const t = TokenTable.load(p);
  assert.deepEqual(t.lookup('s3cret'), { name: 'alice', roles: ['det-tpc', 'global'], via: 'token' });
  assert.equal(t.lookup('other'), undefined);
});

test('token file errors name the file, the entry and the field', () => {
  const bad = (name: string, text: string, want: RegExp, mode = 0o600): void =>
    assert.throws(
      () => TokenTable.load(file(name, text, mode)),
      (e: unknown) => {
        assert.ok(e instanceof TokenFileError);
        assert.match(e.message, want);
        return true;
      },
    );
  const h = tokenHash('x');
  bad('open.yaml', `tokens: []\n`, /mode 644 lets other users read it; run chmod 600/, 0o644);
  bad('group.yaml', `tokens: []\n`, /mode 640/, 0o640);
  bad('syntax.yaml', `tokens:\n  - { sha256: x\n`, /syntax\.yaml:\d+: /);
  bad(
    'plain.yaml',
    `tokens:\n  - { token: abc, user: a, roles: [admin] }\n`,
    /tokens\[0\]: token: store the SHA-256/,
  );
  bad(
    'hash.yaml',
    `tokens:\n  - { sha256: abc, user: a, roles: [admin] }\n`,
    /tokens\[0\]: sha256: expected 64/,
  );
  bad(
    'role.yaml',
    `tokens:\n  - { sha256: ${h}, user: a, roles: [boss] }\n`,
    /tokens\[0\]: roles\[0\]: unknown role "boss"/,
  );
  bad('user.yaml', `tokens:\n  - { sha256: ${h}, roles: [admin] }\n`, /tokens\[0\]: user: expected/);
  bad(
    'twice.yaml',
    `tokens:\n  - { sha256: ${h}, user: a, roles: [admin] }\n  - { sha256: ${h}, user: b, roles: [guest] }\n`,
    /tokens\[1\]: the same hash/,
  );
  bad('shape.yaml', `tokens: 3\n`, /tokens: expected a list/);
  assert.throws(() => TokenTable.load(join(dir, 'missing.yaml')), /token file .*missing\.yaml: ENOENT/);
});

interface Keys {
  readonly privateKey: KeyObject;
  readonly pem: string;
}
function keys(kind: 'rsa' | 'ec', name: string): Keys {
  const pair =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = file(name, pair.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  return { privateKey: pair.privateKey, pem };
}
function jwt(k: KeyObject, alg: 'RS256' | 'ES256', claims: Record<string, unknown>): string {
  const b = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const signed = `${b({ alg, typ: 'JWT' })}.${b(claims)}`;
  const sig =
    alg === 'RS256'
      ? sign('sha256', Buffer.from(signed), k)
      : sign('sha256', Buffer.from(signed), { key: k, dsaEncoding: 'ieee-p1363' });
  return `${signed}.${sig.toString('base64url')}`;
}

test('JWTs: valid RS256 and ES256; expired, not yet valid, wrong issuer, wrong audience and bad signature refused', () => {
  const rsa = keys('rsa', 'rsa.pem');
  const ec = keys('ec', 'ec.pem');
  const other = keys('rsa', 'other.pem');
  const now = 1_800_000_000;
  const opts = { issuer: 'https://sso.example', audience: 'axle', now: () => now * 1000 };
  const v = new JwtVerifier({ ...opts, publicKeyFile: rsa.pem, rolesClaim: 'realm_access.roles' });
  const claims = {
    iss: 'https://sso.example',
    aud: ['axle', 'other'],
    sub: 'u-1',
    preferred_username: 'alice',
    exp: now + 60,
    realm_access: { roles: ['det-tpc', 'offline_access'] },
  };
  assert.deepEqual(v.verify(jwt(rsa.privateKey, 'RS256', claims)), {
    name: 'alice',
    roles: ['det-tpc'],
    via: 'jwt',
  });
  const e = new JwtVerifier({ ...opts, publicKeyFile: ec.pem });
  assert.deepEqual(e.verify(jwt(ec.privateKey, 'ES256', { ...claims, roles: 'global' })), {
    name: 'alice',
    roles: ['global'],
    via: 'jwt',
  });
  assert.deepEqual(e.verify(jwt(ec.privateKey, 'ES256', claims)).roles, ['guest'], 'no known role: guest');
  const refused = (token: string, want: RegExp): void => assert.throws(() => v.verify(token), want);
  refused(jwt(rsa.privateKey, 'RS256', { ...claims, exp: now - 31 }), /expired at/);
  refused(jwt(rsa.privateKey, 'RS256', { ...claims, nbf: now + 120 }), /not valid before/);
  refused(
    jwt(rsa.privateKey, 'RS256', { ...claims, iss: 'https://evil.example' }),
    /issuer https:\/\/evil\.example is not/,
  );
  refused(jwt(rsa.privateKey, 'RS256', { ...claims, aud: 'else' }), /audience does not include axle/);
  refused(jwt(other.privateKey, 'RS256', claims), /bad signature/);
  refused(jwt(ec.privateKey, 'ES256', claims), /algorithm ES256 does not match the configured rsa key/);
  const good = jwt(rsa.privateKey, 'RS256', claims).split('.');
  const forged = Buffer.from(JSON.stringify({ ...claims, preferred_username: 'root' })).toString('base64url');
  refused(`${good[0]}.${forged}.${good[2]}`, /bad signature/);
  refused('a.b', /not a JWT/);
  // Through the authenticator: refusals are reasons, never identities.
  const a = { tokens: TokenTable.empty(), jwt: v, local: undefined };
  assert.deepEqual(authenticate(a, `Bearer ${jwt(other.privateKey, 'RS256', claims)}`), {
    error: 'JWT refused: bad signature',
  });
  assert.match((authenticate(a, null) as { error: string }).error, /authentication required/);
  assert.deepEqual(authenticate(a, 'Basic abc'), {
    error: 'the authorization header is not "Bearer <token>"',
  });
});

test('listen policy: loopback allows the local identity; other addresses need credentials unless --insecure', () => {
  for (const h of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])
    assert.ok(isLoopback(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'flp001', '128.0.0.1'])
    assert.ok(!isLoopback(h), h);
  const base = { insecure: false, requireAuth: false, canAuthenticate: false, localRole: 'admin' as const };
  assert.equal(listenPolicy({ ...base, host: '127.0.0.1' }).allowLocal, true);
  assert.throws(() => listenPolicy({ ...base, host: '0.0.0.0' }), ListenPolicyError);
  assert.throws(
    () => listenPolicy({ ...base, host: '0.0.0.0' }),
    /refusing to listen on 0\.0\.0\.0: it is not a loopback address/,
  );
  assert.equal(listenPolicy({ ...base, host: '0.0.0.0', canAuthenticate: true }).allowLocal, false);
  const insecure = listenPolicy({ ...base, host: '0.0.0.0', insecure: true });
  assert.equal(insecure.allowLocal, true);
  assert.match(insecure.notice, /--insecure: .*anyone who reaches this port/);
  assert.throws(
    () => listenPolicy({ ...base, host: '127.0.0.1', requireAuth: true }),
    /authentication is required/,
  );
  assert.equal(
    listenPolicy({ ...base, host: '127.0.0.1', requireAuth: true, canAuthenticate: true }).allowLocal,
    false,
  );
});
