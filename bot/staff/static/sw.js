// The workspace's service worker, served as /staff/sw.js so that its scope is /staff/.
// It only shows notifications (phones allow no `new Notification` in a page: Android
// Chrome throws "Illegal constructor") and brings the workspace forward on a tap. No
// fetch handler and no cache: every page still comes from the server.
"use strict";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var scope = self.registration.scope;  // https://shop.example/staff/
  var wanted = (event.notification.data && event.notification.data.url) || "queue";
  var url = new URL(wanted, scope).href;
  if (url.indexOf(scope) !== 0) url = new URL("queue", scope).href;  // our own pages only
  event.waitUntil(self.clients.matchAll({ type: "window", includeUncontrolled: true })
    .then(function (windows) {
      var ours = windows.filter(function (w) { return w.url.indexOf(scope) === 0; });
      var same = ours.filter(function (w) { return w.url === url; })[0];
      if (same) return same.focus();
      if (ours.length && ours[0].navigate) {  // a workspace tab is open: use it
        return ours[0].focus().then(function (w) { return (w || ours[0]).navigate(url); })
          .catch(function () { return self.clients.openWindow(url); });  // not ours yet
      }
      return self.clients.openWindow(url);
    }));
});
