// A sync server made of the JavaScript automerge-repo 2.5 parts, as its README builds one:
// http + `ws` + NodeWSServerAdapter + a Repo with NodeFS storage and `sharePolicy: async () => true`.
// It stands in for our Rust server so the tests can check that OUR browser app syncs through a
// server we did not write. Besides `GET /sync` (the WebSocket) it serves what the app needs:
//
//   GET /api/me         a profile with one site whose catalog is a document this server creates at
//                       start, in the shape core/src/doc/catalog.rs reads
//   GET /healthz        200
//   GET /_interop/doc/ID  the document as JSON (how the JS side reads it), 404 if unavailable
//   anything else       a file of the built app (--dist), index.html for unknown paths;
//                       index.html and sw.js with Cache-Control: no-cache
//
// Run it:   node tests/interop/js-sync-server.mjs [--listen 127.0.0.1:0] [--dist DIR] [--data DIR]
// It prints `js sync server listening on http://ADDR` once it accepts connections, and stops on
// SIGTERM or SIGINT. Or import { startJsSyncServer } and call it in-process.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

import { ImmutableString, Repo, isValidDocumentId } from '@automerge/automerge-repo';
import { NodeWSServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { WebSocketServer } from 'ws';

export const SITE = { id: 'js-site', name: 'Site on the JS server' };

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The site catalog as our Rust reader (core/src/doc/catalog.rs, `check_header` in doc.rs) wants
 * it: `kind` and `site` are plain (scalar) strings, so a JS writer must say ImmutableString (a JS
 * string becomes collaborative text, which the reader refuses); `schema` is a JS number, which
 * Automerge stores as an int and the reader accepts (`as_u64`); `records` is an empty map.
 */
export function catalogDocument(site = SITE.id) {
  return {
    kind: new ImmutableString('catalog'),
    schema: 1,
    site: new ImmutableString(site),
    records: {},
  };
}

/**
 * Starts the server. `port` 0 picks a free port; `dataDir` defaults to a fresh temp dir (the
 * catalog's id is kept there, so a restart on the same dir serves the same catalog).
 * Resolves with { url, addr, port, repo, catalogId, dataDir, close() }.
 */
export async function startJsSyncServer({ host = '127.0.0.1', port = 0, dist, dataDir } = {}) {
  dataDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'fieldbook-js-sync-'));
  fs.mkdirSync(dataDir, { recursive: true });
  const distDir = dist ? path.resolve(dist) : undefined;

  const wss = new WebSocketServer({ noServer: true });
  const repo = new Repo({
    network: [new NodeWSServerAdapter(wss)],
    storage: new NodeFSStorageAdapter(path.join(dataDir, 'automerge')),
    peerId: `js-sync-server-${Math.random().toString(36).slice(2, 10)}`,
    sharePolicy: async () => true,
  });

  const catalogFile = path.join(dataDir, 'catalog-id');
  let catalogId;
  if (fs.existsSync(catalogFile)) {
    catalogId = fs.readFileSync(catalogFile, 'utf8').trim();
    await repo.find(catalogId);
  } else {
    const handle = repo.create(catalogDocument());
    catalogId = handle.documentId;
    await repo.flush([catalogId]);
    fs.writeFileSync(catalogFile, catalogId);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      console.error('js sync server: request failed', err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const p = url.pathname;
    if (p === '/healthz') return send(res, 200, 'text/plain', 'ok\n');
    if (p === '/api/me') {
      return sendJson(res, 200, {
        user: { name: 'JS server user', role: 'technician' },
        sites: [{ id: SITE.id, name: SITE.name, catalog: catalogId }],
      });
    }
    if (p === '/api' || p.startsWith('/api/')) return sendJson(res, 404, { error: 'not found' });
    if (p === '/sync') return send(res, 426, 'text/plain', 'this path is for WebSocket upgrades\n');
    if (p.startsWith('/_interop/doc/')) {
      const id = decodeURIComponent(p.slice('/_interop/doc/'.length));
      if (!isValidDocumentId(id)) return sendJson(res, 400, { error: 'not a document id' });
      try {
        const h = await repo.find(id, { signal: AbortSignal.timeout(2_000) });
        return sendJson(res, 200, h.doc());
      } catch (err) {
        return sendJson(res, 404, { error: String(err), state: repo.handles[id]?.state ?? 'unknown' });
      }
    }
    return serveApp(req, res, p);
  }

  function serveApp(req, res, p) {
    if (!distDir) return send(res, 404, 'text/plain', 'no --dist given\n');
    const index = path.join(distDir, 'index.html');
    let file = path.normalize(path.join(distDir, decodeURIComponent(p)));
    if (!file.startsWith(distDir + path.sep) && file !== distDir) return send(res, 400, 'text/plain', 'bad path\n');
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) file = index;
    if (!fs.existsSync(file)) return send(res, 503, 'text/plain', 'the app is not built\n');
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    const headers = { 'content-type': type };
    if (file === index || path.basename(file) === 'sw.js' || type.startsWith('text/html')) {
      headers['cache-control'] = 'no-cache';
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  }

  server.on('upgrade', (req, socket, head) => {
    const p = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (p !== '/sync') {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  server.on('connection', (socket) => socket.setNoDelay(true));

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const addr = `${address.address}:${address.port}`;

  let closing;
  return {
    url: `http://${addr}`,
    addr,
    port: address.port,
    repo,
    catalogId,
    dataDir,
    close() {
      closing ??= (async () => {
        await repo.flush().catch(() => {});
        for (const ws of wss.clients) ws.terminate();
        await new Promise((resolve) => wss.close(() => resolve()));
        await new Promise((resolve) => server.close(() => resolve()));
        server.closeAllConnections?.();
      })();
      return closing;
    },
  };
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

function sendJson(res, status, value) {
  // Automerge gives 64-bit integers it cannot hold in a JS number as BigInt; JSON has no BigInt.
  const json = JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? { bigint: v.toString() } : v));
  send(res, status, 'application/json', json);
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--listen': {
        const listen = value();
        const colon = listen.lastIndexOf(':');
        options.host = listen.slice(0, colon);
        options.port = Number(listen.slice(colon + 1));
        break;
      }
      case '--dist':
        options.dist = value();
        break;
      case '--data':
        options.dataDir = value();
        break;
      default:
        throw new Error(`unknown option ${flag}; use --listen HOST:PORT --dist DIR --data DIR`);
    }
  }
  options.dist ??= process.env.FIELDBOOK_DIST;
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const server = await startJsSyncServer(parseArgs(process.argv.slice(2)));
  console.log(`js sync server listening on ${server.url}`);
  console.log(`catalog ${server.catalogId} data ${server.dataDir}`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
