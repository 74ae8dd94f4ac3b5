/**
 * The web GUI's built files (dist/web, written by `npm run build`), served on the core's port for any request that is
 * not an RPC: `/` is the page, `/assets/<file>` its scripts and styles. Read-only, GET/HEAD only, no directory listing.
 */
import { readFile } from 'node:fs/promises';
import type http from 'node:http';
import type { ConnectNodeAdapterOptions } from '@connectrpc/connect-node';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` writes the GUI (the repository's dist/web, from src/server or dist/server alike). */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../dist/web/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
  '.ico': 'image/x-icon',
};

type Handler = NonNullable<ConnectNodeAdapterOptions['fallback']>;
type Req = Parameters<Handler>[0];
type Res = Parameters<Handler>[1];

/** A request handler for the GUI's files under `webDir`; answers 404/405 in words for anything else. */
export function webAssets(webDir: string): Handler {
  return (req, res) => {
    void serve(webDir, req, res).catch(() =>
      send(res, 500, 'text/plain', 'internal error reading the GUI files'),
    );
  };
}

async function serve(webDir: string, req: Req, res: Res): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'text/plain', `${req.method ?? '?'} ${req.url ?? ''}: not an RPC of this core`);
    return;
  }
  const file = assetPath(new URL(req.url ?? '/', 'http://x').pathname);
  if (file === undefined) {
    send(res, 404, 'text/plain', `${req.url ?? ''}: no such page (the GUI is at /)`);
    return;
  }
  const body = await readFile(join(webDir, file)).catch(() => undefined);
  if (body === undefined) {
    const hint = file === 'index.html' ? 'the web GUI is not built: run `npm run build`' : 'no such file';
    send(res, 404, 'text/plain', `${req.url ?? ''}: ${hint}`);
    return;
  }
  send(
    res,
    200,
    TYPES[extname(file)] ?? 'application/octet-stream',
    req.method === 'HEAD' ? undefined : body,
    body.length,
  );
}

/** The file a URL path names, relative to the GUI folder; undefined when it names none. */
export function assetPath(pathname: string): string | undefined {
  if (pathname === '/' || pathname === '/index.html') return 'index.html';
  if (!pathname.startsWith('/assets/')) return undefined;
  let rel: string;
  try {
    rel = normalize(decodeURIComponent(pathname.slice(1)));
  } catch {
    return undefined;
  }
  return rel.startsWith('assets/') && !rel.includes('..') && !rel.includes('\0') ? rel : undefined;
}

function send(
  res: Res,
  status: number,
  type: string,
  body: string | Buffer | undefined,
  length?: number,
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  (res as unknown as http.ServerResponse).writeHead(status, {
    'content-type':
      type.includes('/') && !type.includes('charset') && type.startsWith('text/')
        ? `${type}; charset=utf-8`
        : type,
    'content-length': String(length ?? (body === undefined ? 0 : Buffer.byteLength(body))),
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
  });
  (res as unknown as http.ServerResponse).end(body);
}
