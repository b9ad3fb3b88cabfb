/* The page's first script, from this server, run before any third-party script (OpenTok.js):
 * the starter's host link carries "#host=<key>". Keep the key for this tab only and remove it
 * from the address at once, so no later script, error report or analytics beacon can read it
 * from location. A fragment never reaches a server or a Referer header. */
(function () {
  "use strict";

  var match = /(?:^|[#&])host=([A-Za-z0-9_-]{1,100})/.exec(window.location.hash);
  if (!match) {
    return;
  }
  var meetingId = window.location.pathname.split("/")[2] || "";
  try {
    window.sessionStorage.setItem("meetbridge.host." + meetingId, match[1]);
  } catch (ignored) {
    /* storage disabled: the End button stays hidden, the key still leaves the address */
  }
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
})();
