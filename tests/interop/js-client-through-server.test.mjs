// Direction A: the JavaScript automerge-repo 2.5 client, as anyone would use it, syncing
// through OUR server (the real fieldbook-sync-server binary, SQLite, demo users). Each connection
// opens with a single-use ticket from `POST /api/sync-tickets` (the stock adapter cannot set
// headers), obtained with an API token made by the admin command `token create`.
//
//   cd tests && FIELDBOOK_SERVER_BIN=../target/debug/fieldbook-sync-server node --test interop/*.test.mjs
// (`cargo xtask test` runs it in its "interop" step.)
//
// Each test starts its own server with a fresh database and its own JS `Repo`s (one with NodeFS
// storage, which announces a storageId, and one without, which announces itself as ephemeral
// with `storageId: undefined`), each connected with the stock WebSocketClientAdapter.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Counter, Repo, generateAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import WebSocket from 'ws';

import { FieldbookServer } from './lib/fieldbook-server.mjs';
import { acknowledged, connected, docMatches, hexHeads, jsClient } from './lib/js-repo.mjs';
import { until, withDeadline } from './lib/wait.mjs';

const FIND_TIMEOUT_MS = 10_000;

/**
 * Runs `body` with a fresh server and a factory of JS clients; cleans up whatever happens. The
 * server's data dir is kept after a failure unless `keepOnFailure` is false.
 */
async function withServer(body, { keepOnFailure = true } = {}) {
  const server = await FieldbookServer.start();
  const clients = [];
  const client = async (options) => {
    const c = jsClient(await server.ticketUrl(), options);
    clients.push(c);
    await connected(c.repo);
    return c;
  };
  let failed = true;
  try {
    await body({ server, client });
    failed = false;
  } catch (err) {
    if (err instanceof Error) err.message += `\n--- server log ---\n${server.log()}`;
    throw err;
  } finally {
    for (const c of clients) await c.close().catch(() => {});
    await server.dispose({ keep: failed && keepOnFailure });
  }
}

/** `repo.find(url)` with a deadline. */
function find(repo, url) {
  return withDeadline(repo.find(url), FIND_TIMEOUT_MS, `find(${url}) did not settle within ${FIND_TIMEOUT_MS} ms`);
}

test('a document created by one JS client reaches another through the server, and edits flow both ways', async () => {
  await withServer(async ({ client }) => {
    const one = await client({ storage: true });
    const two = await client();

    // A note as a JS developer writes it (strings become Automerge text).
    const created = one.repo.create({ kind: 'note', text: 'hello' });
    // Until the server has it, it answers a `request` with `doc-unavailable` (see the todo test
    // below for what happens after that).
    await acknowledged(one.repo, created);
    const found = await find(two.repo, created.url);
    assert.equal(found.documentId, created.documentId);
    assert.deepEqual(found.doc(), { kind: 'note', text: 'hello' });

    // Client two edits; the server pushes the change to client one, who never asked again.
    found.change((d) => {
      d.text = 'hello, world';
      d.tags = ['from-two'];
    });
    await docMatches(created, 'client one to see client two\'s edit', (d) => d.text === 'hello, world' && d.tags?.[0] === 'from-two');

    // And back again.
    created.change((d) => {
      d.seenBy = 'one';
    });
    const doc = await docMatches(found, 'client two to see client one\'s edit', (d) => d.seenBy === 'one');
    assert.deepEqual(doc, { kind: 'note', text: 'hello, world', tags: ['from-two'], seenBy: 'one' });
    assert.deepEqual(hexHeads(found).sort(), hexHeads(created).sort());
  });
});

test('concurrent edits of every value type from two JS clients merge through the server', async () => {
  await withServer(async ({ client }) => {
    const one = await client({ storage: true });
    const two = await client();
    const a = one.repo.create({ kind: 'note', counter: new Counter(0), items: [] });
    await acknowledged(one.repo, a);
    const b = await find(two.repo, a.url);

    // Both edit at the same time, without waiting for each other.
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const when = new Date(Date.UTC(2026, 10, 21, 8, 30));
    for (let i = 0; i < 5; i++) {
      a.change((d) => {
        d.counter.increment(1);
        d.items.push(`a${i}`);
      });
      b.change((d) => {
        d.counter.increment(10);
        d.items.push(`b${i}`);
      });
    }
    a.change((d) => {
      d.float = 0.5;
      d.negative = -7;
      d.big = 2 ** 53 - 1;
      d.flag = true;
      d.nothing = null;
    });
    b.change((d) => {
      d.bytes = bytes;
      d.when = when;
      d.nested = { list: [1, 'two', { three: 3 }], empty: {} };
    });

    const complete = (d) => d.counter.value === 55 && d.items.length === 10 && d.float === 0.5 && d.when !== undefined;
    const da = await docMatches(a, 'client one to have both clients\' edits', complete);
    const db = await docMatches(b, 'client two to have both clients\' edits', complete);
    await until('both clients to have the same heads', () => {
      const ha = hexHeads(a).sort().join();
      return ha === hexHeads(b).sort().join() && ha;
    }, { on: [[a, 'change'], [b, 'change']] });

    for (const d of [da, db]) {
      assert.equal(d.counter.value, 55);
      assert.ok(d.counter instanceof Counter, 'the counter is still a counter');
      assert.deepEqual([...d.items].sort(), ['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'b3', 'b4']);
      assert.equal(d.float, 0.5);
      assert.equal(d.negative, -7);
      // Automerge's JS API itself hands large integers back as BigInt, on the writer's side too.
      assert.equal(Number(d.big), 2 ** 53 - 1);
      assert.equal(d.flag, true);
      assert.equal(d.nothing, null);
      assert.deepEqual(new Uint8Array(d.bytes), bytes);
      assert.ok(d.when instanceof Date, 'the date is still a timestamp');
      assert.equal(d.when.getTime(), when.getTime());
      assert.deepEqual(JSON.parse(JSON.stringify(d.nested)), { list: [1, 'two', { three: 3 }], empty: {} });
    }
    // Same order of the concurrently inserted list items on both sides.
    assert.deepEqual([...da.items], [...db.items]);
  });
});

test('find() of a document nobody has is reported unavailable, and the connection stays usable', async () => {
  await withServer(async ({ client }) => {
    const one = await client();
    const url = generateAutomergeUrl();
    const { documentId } = parseAutomergeUrl(url);

    // automerge-repo 2.5 reports it as a rejected promise and a handle in state "unavailable".
    await assert.rejects(find(one.repo, url), /unavailable/);
    assert.equal(one.repo.handles[documentId]?.state, 'unavailable');

    // Asking did not create the document on the server: another client is told the same.
    const two = await client({ storage: true });
    await assert.rejects(find(two.repo, url), /unavailable/);

    // Neither connection was dropped: both still sync.
    const created = one.repo.create({ kind: 'note', text: 'after unavailable' });
    await acknowledged(one.repo, created);
    const found = await find(two.repo, created.url);
    assert.equal(found.doc().text, 'after unavailable');
    assert.equal(one.repo.peers.length, 1);
    assert.equal(two.repo.peers.length, 1);
  });
});

for (const signal of ['SIGTERM', 'SIGKILL']) {
  test(`a document the server acknowledged survives a server restart (${signal})`, async () => {
    await withServer(async ({ server, client }) => {
      const one = await client({ storage: true });
      const created = one.repo.create({ kind: 'note', text: 'hello' });
      created.change((d) => {
        d.text = 'hello before the restart';
        d.lines = Array.from({ length: 200 }, (_, i) => `line ${i}`);
      });
      // The server says it has our heads: from here they must survive even a crash.
      await acknowledged(one.repo, created);
      // A ticket opens one connection, so the client needs a fresh one for each attempt to
      // reconnect: the stock adapter reads `adapter.url` for every attempt (it may make two at
      // once), and the Node adapter throws on a refused upgrade. Tickets for the attempts while
      // the server is down, each valid for a minute:
      const tickets = await Promise.all(Array.from({ length: 100 }, () => server.ticketUrl()));
      Object.defineProperty(one.adapter, 'url', { get: () => (tickets.length > 1 ? tickets.shift() : tickets[0]) });
      await server.stop(signal);
      if (signal === 'SIGTERM') {
        assert.deepEqual(server.lastExit, { code: 0, signal: null }, 'a graceful exit with a JS client connected');
      }
      await server.start();

      // A fresh client (new peer, no storage) fetches it from the restarted server.
      const fresh = await client();
      const found = await find(fresh.repo, created.url);
      assert.equal(found.doc().text, 'hello before the restart');
      assert.equal(found.doc().lines.length, 200);
      assert.deepEqual(hexHeads(found).sort(), hexHeads(created).sort());

      // The first client reconnects by itself (a new server peer id), with the ticket it kept.
      await until('client one to reconnect', () => one.repo.peers.length === 1, {
        on: [[one.repo.networkSubsystem, 'peer']],
      });
      created.change((d) => {
        d.text = 'hello after the restart';
      });
      await docMatches(found, 'the fresh client to see an edit made after the restart', (d) => d.text === 'hello after the restart');
    });
  });
}

test('a large document (a 3 MB byte array and 100 000 characters of text) syncs through the server', async () => {
  await withServer(async ({ client }) => {
    const one = await client({ storage: true });
    const two = await client();
    // Random content does not compress: the sync message is about as big as the document, well
    // past a WebSocket frame's usual size and under the server's 8 MiB message limit.
    const blob = new Uint8Array(3_000_000);
    for (let i = 0; i < blob.length; i += 65_536) crypto.getRandomValues(blob.subarray(i, i + 65_536));
    let text = '';
    while (text.length < 100_000) text += Math.random().toString(36).slice(2);
    const created = one.repo.create({ kind: 'note', blob, text });
    await acknowledged(one.repo, created, { timeoutMs: 30_000 });
    const found = await find(two.repo, created.url);
    assert.equal(found.doc().text, text);
    assert.deepEqual(new Uint8Array(found.doc().blob), blob);
  });
});

test('three hundred documents from one JS client reach another, fetched all at once', async () => {
  await withServer(async ({ client }) => {
    const one = await client({ storage: true });
    const count = 300;
    const handles = Array.from({ length: count }, (_, i) => one.repo.create({ kind: 'note', n: i }));
    await Promise.all(handles.map((h) => acknowledged(one.repo, h, { timeoutMs: 60_000 })));

    // A second client asks for every one of them at the same moment (a burst of `request`s,
    // and the sync rounds that follow), as a JS app opening a collection does.
    const two = await client();
    let sent = 0;
    const send = two.adapter.send.bind(two.adapter);
    two.adapter.send = (message) => {
      sent++;
      return send(message);
    };
    const found = await withDeadline(
      Promise.all(handles.map((h) => two.repo.find(h.url))),
      60_000,
      'finding 300 documents took more than 60 s',
    );
    found.forEach((h, i) => assert.equal(h.doc().n, i));
    assert.ok(sent >= count, `client two sent ${sent} messages`);
    assert.equal(two.repo.peers.length, 1, 'client two is still connected');
  });
});

test('what else a JS client sends (ephemeral broadcasts, remote-heads subscriptions) does not break the connection', async () => {
  await withServer(async ({ server, client }) => {
    const one = await client({ storage: true, enableRemoteHeadsGossiping: true });
    const two = await client({ enableRemoteHeadsGossiping: true });
    let dropped = 0;
    one.repo.networkSubsystem.on('peer-disconnected', () => dropped++);
    two.repo.networkSubsystem.on('peer-disconnected', () => dropped++);

    const created = one.repo.create({ kind: 'note', text: 'presence' });
    await acknowledged(one.repo, created);
    const found = await find(two.repo, created.url);
    // `remote-subscription-change` (gossip subscriptions) and `ephemeral` (presence, cursors).
    one.repo.subscribeToRemotes([await two.repo.storageId() ?? 'no-storage-id']);
    two.repo.subscribeToRemotes([await one.repo.storageId()]);
    for (let i = 0; i < 3; i++) created.broadcast({ cursor: i, note: 'ephemeral' });

    // Sync carries on over the same connections.
    found.change((d) => {
      d.text = 'still syncing';
    });
    await docMatches(created, 'an edit after the ephemeral messages', (d) => d.text === 'still syncing');
    assert.equal(dropped, 0, 'no client lost its connection');
    assert.doesNotMatch(server.log(), /protocol error|sync message refused/);
  });
});

// Known gaps against the JavaScript reference server (js-sync-server.mjs passes both of these):
// `todo` tests run and report, but do not fail the run. Each passes once the server does it.

test(
  'a client told "unavailable" gets the document as soon as another client uploads it',
  { todo: 'the hub forgets a connection it answered doc-unavailable; the JS server keeps it as a peer of the document' },
  async () => {
    await withServer(async ({ client, server }) => {
      // Made offline, so the server does not have it yet.
      const offline = new Repo({ network: [] });
      try {
        const made = offline.create({ kind: 'note', text: 'made offline' });
        const two = await client();
        await assert.rejects(find(two.repo, made.url), /unavailable/);
        const handle = two.repo.handles[made.documentId];

        // Now the author comes online and uploads it; nobody asks again.
        offline.networkSubsystem.addNetworkAdapter(new WebSocketClientAdapter(await server.ticketUrl(), 100));
        await connected(offline);
        await acknowledged(offline, made);
        await until('the waiting client to receive the document', () => handle.state === 'ready', {
          timeoutMs: 3_000,
          describe: () => handle.state,
        });
        assert.equal(handle.doc().text, 'made offline');
      } finally {
        await offline.shutdown();
      }
    }, { keepOnFailure: false });
  },
);

test(
  'ephemeral messages (presence) are relayed to the other clients of the document',
  { todo: 'the server drops `ephemeral` messages; the JS server forwards them to the document\'s other peers' },
  async () => {
    await withServer(async ({ client }) => {
      const one = await client();
      const two = await client();
      const created = one.repo.create({ kind: 'note' });
      await acknowledged(one.repo, created);
      const found = await find(two.repo, created.url);
      const received = [];
      found.on('ephemeral-message', ({ message }) => received.push(message));
      let sent = 0;
      // Ephemeral messages are fire-and-forget: keep sending until one arrives or time is up.
      await until('client two to receive client one\'s ephemeral message', () => {
        created.broadcast({ cursor: sent++ });
        return received.length > 0;
      }, { timeoutMs: 3_000, pollMs: 200 });
      assert.equal(typeof received[0].cursor, 'number');
    }, { keepOnFailure: false });
  },
);

test('the server refuses a WebSocket without a ticket, and a ticket that was already used (401)', async () => {
  await withServer(async ({ server }) => {
    /** The HTTP status of the upgrade: 101 when it opened. */
    const upgrade = (url) =>
      new Promise((resolve) => {
        const ws = new WebSocket(url);
        ws.on('unexpected-response', (_request, response) => resolve(response.statusCode));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => {});
      });
    assert.equal(await upgrade(server.wsUrl), 401);
    const url = await server.ticketUrl();
    assert.equal(await upgrade(url), 101);
    assert.equal(await upgrade(url), 401);
  });
});
