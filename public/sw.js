// Fieldbook service worker: keeps the app shell of one build so the app starts
// with no network. The build step fills in the build id and the file list.
//
// - Navigations: network first, the cached shell when offline.
// - Shell files (hashed names): from the cache.
// - /api and /sync: always the network; records live in IndexedDB, not here.
// A new build installs beside the old one and waits; it takes over only when
// every tab of the old one is closed or reloaded, never under an open tab.

const BUILD = '__FIELDBOOK_BUILD__';
const PRECACHE = __FIELDBOOK_PRECACHE__;
const CACHE = `fieldbook-shell-${BUILD}`;

self.addEventListener('install', (event) => {
  // `reload`: fetch past the HTTP cache, so a new build never precaches an old file.
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' }))),
    ),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys().then((names) =>
      Promise.all(
        names
          .filter((name) => name.startsWith('fieldbook-shell-') && name !== CACHE)
          .map((name) => caches.delete(name)),
      ),
    ).then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/sync' || url.pathname === '/sw.js') return;

  if (request.mode === 'navigate') {
    event.respondWith(
      fetch(request).catch(() =>
        caches.open(CACHE).then((cache) => cache.match('/index.html')),
      ),
    );
    return;
  }
  event.respondWith(
    caches.open(CACHE).then((cache) =>
      cache.match(request).then((hit) => hit || fetch(request)),
    ),
  );
});

// The page asks the waiting worker to take over once the person chose "Reload to update".
self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'skip-waiting') self.skipWaiting();
});
