// The service worker (served by app/pwa/views.py, which prepends VERSION and PRECACHE).
//
// What must always hold:
// - Install finishes only when every file of this version is in its cache; a failed
//   download fails the install and the old version keeps running.
// - Activation (which deletes older caches) happens only after install succeeded, so the
//   new cache is complete before an old one goes; and only when the page asks for it
//   (the user accepted the update prompt), never in the middle of a form.
// - Records and drafts live in IndexedDB, which no update touches.
// - API calls are never answered from a cache: the app decides what to do offline.
/* global VERSION, PRECACHE */

const CACHE = `ruhu-${VERSION}`;
const PRECACHED = new Set(PRECACHE);

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((name) => name.startsWith("ruhu-") && name !== CACHE).map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "SKIP_WAITING") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  const key = url.pathname + url.search;
  if (PRECACHED.has(key) || (request.mode === "navigate" && url.pathname === "/app")) {
    // The app shell and its files: this version's copy, whatever the network does.
    event.respondWith(caches.open(CACHE).then(async (cache) => (await cache.match(key)) ?? fetch(request)));
  }
});
