// JavaScript automerge-repo clients for the interop tests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { Repo, decodeHeads } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';

import { until } from './wait.mjs';

/** How soon a client tries again after its socket closes (the adapter's default is 5 s). */
const RETRY_MS = 100;

// A Repo's throttled saves may still run after `shutdown()` (which flushes, but does not cancel
// them), so the clients' storage dirs are removed when the process exits, not on close.
const storageDirs = [];
process.once('exit', () => {
  for (const dir of storageDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * A JS `Repo` syncing with `wsUrl` through the stock WebSocket client adapter.
 * `storage: true` gives it NodeFS storage in a fresh temp dir (so it announces a storageId and
 * isEphemeral: false); without storage it is ephemeral and sends `storageId: undefined`.
 * Extra options go to the `Repo` constructor.
 */
export function jsClient(wsUrl, { storage = false, ...repoOptions } = {}) {
  const storageDir = storage ? fs.mkdtempSync(path.join(os.tmpdir(), 'fieldbook-interop-js-')) : undefined;
  if (storageDir) storageDirs.push(storageDir);
  const adapter = new WebSocketClientAdapter(wsUrl, RETRY_MS);
  const repo = new Repo({
    network: [adapter],
    storage: storageDir ? new NodeFSStorageAdapter(storageDir) : undefined,
    ...repoOptions,
  });
  return {
    repo,
    adapter,
    /** Disconnects and flushes storage. */
    async close() {
      await repo.shutdown();
    },
  };
}

/** Waits until the repo has a connected peer (the server answered `join` with `peer`). */
export function connected(repo, { timeoutMs = 10_000 } = {}) {
  return until('a peer', () => repo.peers.length > 0 && repo.peers, {
    timeoutMs,
    on: [[repo.networkSubsystem, 'peer']],
    describe: () => JSON.stringify(repo.peers),
  });
}

/** The document's heads as hex change hashes (what sync states hold). */
export function hexHeads(handle) {
  return decodeHeads(handle.heads());
}

/**
 * Waits until a peer has told `repo`, in a sync message, that it has every change under the
 * handle's current heads: the peer's heads (`theirHeads` of the sync state) include ours.
 * Our server promises never to advertise heads that are not committed to its storage, so
 * after this resolves the changes must survive a crash of the server.
 */
export function acknowledged(repo, handle, { timeoutMs = 10_000 } = {}) {
  const want = hexHeads(handle);
  const documentId = handle.documentId;
  let last = null;
  // The sync states are private to the DocSynchronizer; its `sync-state` event carries them.
  const check = () => last !== null && want.every((h) => last.includes(h));
  const onSyncState = ({ documentId: id, syncState }) => {
    if (id === documentId && syncState.theirHeads) last = syncState.theirHeads;
  };
  repo.synchronizer.on('sync-state', onSyncState);
  return until(`a peer to acknowledge heads ${want.join(',')}`, check, {
    timeoutMs,
    on: [[repo.synchronizer, 'sync-state']],
    describe: () => `theirHeads ${JSON.stringify(last)}`,
  }).finally(() => repo.synchronizer.off('sync-state', onSyncState));
}

/** Waits until `predicate(handle.doc())` holds; resolves with the doc. */
export function docMatches(handle, what, predicate, { timeoutMs = 10_000 } = {}) {
  return until(
    what,
    () => {
      const doc = handle.isReady() ? handle.doc() : undefined;
      return doc !== undefined && predicate(doc) ? doc : false;
    },
    {
      timeoutMs,
      on: [[handle, 'change']],
      describe: () => (handle.isReady() ? JSON.stringify(handle.doc()) : `handle ${handle.state}`),
    },
  );
}
