/**
 * The read-only HTTP routes of the Apricot service (AliECS `apricot_http_service.md`), on node:http (HTTP/1.1):
 * components and payloads (`?process=true&<var>=<value>`), query resolution, the FLP and detector inventory in
 * text or JSON, and `POST /components/_invalidate_cache`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApricotError } from '../config/apricot-error.ts';
import type { ApricotService } from '../config/apricot-service.ts';
import { formatComponentPath } from '../config/component-path.ts';
import { ConfigStoreError } from '../config/store.ts';

type Format = 'text' | 'json';
interface Reply {
  readonly status: number;
  readonly body: string;
  readonly json?: boolean;
}

/** Answers one request; never throws (errors become 4xx/5xx replies naming the reason). */
export async function handleApricotHttp(s: ApricotService, method: string, rawUrl: string): Promise<Reply> {
  const url = new URL(rawUrl, 'http://apricot');
  const parts = url.pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  try {
    if (parts[0] === 'components' && parts[1] === '_invalidate_cache') {
      if (method !== 'POST') return { status: 405, body: 'use POST to invalidate the template cache\n' };
      s.invalidateComponentTemplateCache();
      return { status: 200, body: 'template cache invalidated\n' };
    }
    if (method !== 'GET')
      return { status: 405, body: `method ${method} not allowed: the API is read-only\n` };
    if (parts[0] === 'components') return await components(s, parts.slice(1), url.searchParams);
    if (parts[0] === 'inventory') return await inventoryRoute(s, parts.slice(1), url.searchParams);
    return { status: 404, body: `no route ${url.pathname}\n` };
  } catch (e) {
    return errorReply(e);
  }
}

async function components(s: ApricotService, parts: string[], q: URLSearchParams): Promise<Reply> {
  const format = formatOf(q.get('format'));
  if (parts.length === 0) return list(await s.listComponents(), format);
  const [component = '', runType, role] = parts;
  if (parts.length < 4) {
    const entries = await s.listComponentEntries({ path: component });
    const prefix = [runType, role].filter((p) => p !== undefined).join('/');
    return list(
      entries.filter((e) => prefix === '' || e.startsWith(`${prefix}/`)),
      format,
    );
  }
  if (parts.at(-1) === 'resolve') {
    const entry = parts.slice(3, -1).join('/');
    const resolved = await s.resolveComponentQuery({
      component,
      runType: runType ?? '',
      role: role ?? '',
      entry,
    });
    return { status: 200, body: `${formatComponentPath(resolved)}\n` };
  }
  const vars: Record<string, string> = {};
  for (const [k, v] of q) if (k !== 'process' && k !== 'format') vars[k] = v;
  const process = q.get('process') === 'true';
  const got = await s.getComponentConfiguration({ path: parts.join('/') }, process, vars);
  return { status: 200, body: got.payload };
}

async function inventoryRoute(s: ApricotService, parts: string[], q: URLSearchParams): Promise<Reply> {
  const [what, det, flps, fmt] = parts;
  if (what === 'flps' && parts.length <= 2)
    return list(await s.getHostInventory(''), formatOf(det ?? q.get('format')));
  if (what === 'detectors' && parts.length <= 2) {
    const format = formatOf(det ?? q.get('format'));
    if (format === 'json')
      return { status: 200, body: JSON.stringify(await s.getDetectorsInventory()), json: true };
    return list(await s.listDetectors(true), format);
  }
  if (what === 'detectors' && det !== undefined && flps === 'flps' && parts.length <= 4) {
    return list(await s.getHostInventory(det), formatOf(fmt ?? q.get('format')));
  }
  return { status: 404, body: `no inventory route /inventory/${parts.join('/')}\n` };
}

function formatOf(value: string | null | undefined): Format {
  if (value === undefined || value === null || value === '' || value === 'text') return 'text';
  if (value === 'json') return 'json';
  throw new ApricotError(
    'invalid_argument',
    `format: unknown format "${value}" (want text or json)`,
    'format',
  );
}

function list(items: readonly string[], format: Format): Reply {
  if (format === 'json') return { status: 200, body: JSON.stringify(items), json: true };
  return { status: 200, body: items.map((i) => `${i}\n`).join('') };
}

function errorReply(e: unknown): Reply {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof ApricotError) {
    const status = {
      invalid_argument: 400,
      not_found: 404,
      failed_precondition: 422,
      unavailable: 503,
      internal: 500,
    };
    return { status: status[e.code], body: `${message}\n` };
  }
  if (e instanceof ConfigStoreError)
    return { status: e.code === 'unavailable' ? 503 : 500, body: `${message}\n` };
  return { status: 500, body: `${message}\n` };
}

/** Serves the routes on `host:port` (0 = any free port); resolves with the server once listening. */
export async function startApricotHttp(s: ApricotService, port: number, host: string): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    void handleApricotHttp(s, req.method ?? 'GET', req.url ?? '/').then((r) => {
      res.writeHead(r.status, {
        'content-type': r.json === true ? 'application/json' : 'text/plain; charset=utf-8',
      });
      res.end(r.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** The port a started server listens on. */
export function portOf(server: http.Server): number {
  return (server.address() as AddressInfo).port;
}
