/* The join page's video client: ask a name, fetch a per-visitor token, connect
 * with OpenTok.js, publish camera and microphone, show every stream (the phone bridge arrives
 * as an audio-only stream), and drive the phone bridge through the JSON routes.
 * Data only ever reaches the page through textContent, never innerHTML. */
import { requestJSON } from "./http.js";
import { displayName, isPhoneBridge } from "./participants.js";
import { cleanName, initials, nameProblem, videoErrorMessage } from "./words.js";
import { t } from "./page_words.js";

var NAME_KEY = "meetbridge.displayName";
var POLL_MS = 5000;
var ENDED_SIGNAL = "signal:meetbridge-ended"; // sent by the server when the meeting ends
var REFRESH_MARGIN_S = 60; // fetch a fresh token this long before the current one expires
var MEDIA_OPTIONS = { insertMode: "append", width: "100%", height: "100%" };
var OT_STYLE = { buttonDisplayMode: "off", nameDisplayMode: "off" };

var room = document.getElementById("room");
var urls = {
  token: room.dataset.tokenUrl,
  status: room.dataset.statusUrl,
  dialOut: room.dataset.dialOutUrl,
  hangUp: room.dataset.hangUpUrl,
  end: room.dataset.endUrl,
};
var HOST_KEY = "meetbridge.host." + room.dataset.meetingId;

function byId(id) {
  return document.getElementById(id);
}

var el = {
  lobby: byId("lobby"),
  leftView: byId("left-view"),
  endedView: byId("ended-view"),
  grid: byId("grid"),
  controls: byId("controls"),
  form: byId("join-form"),
  nameInput: byId("display-name"),
  nameError: byId("name-error"),
  joinButton: byId("join-button"),
  rejoin: byId("rejoin"),
  callState: byId("call-state"),
  error: byId("error"),
  errorText: byId("error-text"),
  errorClose: byId("error-close"),
  selfMedia: byId("self-media"),
  selfTile: byId("self-tile"),
  selfName: byId("self-name"),
  selfAvatar: byId("self-avatar"),
  selfMuted: byId("self-muted"),
  audio: byId("toggle-audio"),
  video: byId("toggle-video"),
  leave: byId("leave"),
  bridgeState: byId("bridge-state"),
  bridgeMessage: byId("bridge-message"),
  bridgeConnect: byId("bridge-connect"),
  bridgeHangUp: byId("bridge-hang-up"),
  phoneCallers: byId("phone-callers"),
  hostCard: byId("host-card"),
  endMeeting: byId("end-meeting"),
  endMessage: byId("end-message"),
  tileTemplate: byId("tile-template"),
  phoneTileTemplate: byId("phone-tile-template"),
};

var call = {
  session: null,
  publisher: null,
  publisherFailed: false,
  audioOn: true,
  videoOn: true,
  phoneCallers: 0,
  ended: false,
  pollTimer: null,
  name: "",
  grant: null, // the freshest token grant: the next (re)connect uses it
  grantExpiresAt: 0,
  refreshTimer: null,
};

// -- small helpers ---------------------------------------------------------------------

function setView(view) {
  el.lobby.hidden = view !== "lobby";
  el.leftView.hidden = view !== "left";
  el.endedView.hidden = view !== "ended";
  el.grid.hidden = view !== "call";
  el.controls.hidden = view !== "call";
  room.dataset.view = view;
}

function setCallState(state, text) {
  el.callState.dataset.state = state;
  el.callState.textContent = text;
}

function showError(message) {
  el.errorText.textContent = message;
  el.error.hidden = false;
}

function clearError() {
  el.errorText.textContent = "";
  el.error.hidden = true;
}

function rememberedName() {
  try {
    return window.localStorage.getItem(NAME_KEY) || "";
  } catch (ignored) {
    return ""; // storage disabled (private mode, policy): just ask every time
  }
}

function rememberName(name) {
  try {
    window.localStorage.setItem(NAME_KEY, name);
  } catch (ignored) {
    /* not remembering is fine */
  }
}

// -- joining ---------------------------------------------------------------------------

function setJoining(busy) {
  el.joinButton.disabled = busy;
  el.joinButton.textContent = busy ? t("joining") : t("join_meeting");
}

function onJoinSubmit(event) {
  event.preventDefault();
  var name = cleanName(el.nameInput.value);
  var problem = nameProblem(name);
  el.nameError.textContent = problem;
  el.nameError.hidden = !problem;
  el.nameInput.setAttribute("aria-invalid", problem ? "true" : "false");
  if (problem) {
    el.nameInput.focus();
    return;
  }
  rememberName(name);
  join(name);
}

function videoLibraryReady() {
  if (!window.OT) {
    showError(t("library_missing"));
    return false;
  }
  if (typeof OT.checkSystemRequirements === "function" && OT.checkSystemRequirements() !== 1) {
    showError(videoErrorMessage({ name: "OT_UNSUPPORTED_BROWSER" }));
    return false;
  }
  return true;
}

function join(name) {
  clearError();
  if (call.ended || !videoLibraryReady()) {
    return;
  }
  setJoining(true);
  requestJSON("POST", urls.token, { name: name })
    .then(function (reply) {
      if (reply.status === 410) {
        showEnded();
      } else if (reply.status !== 200) {
        showError(reply.body.error || t("join_failed", { status: reply.status }));
      } else {
        keepGrant(reply.body);
        startCall(reply.body, name);
      }
    })
    .catch(function () {
      showError(t("unreachable"));
    })
    .then(function () { setJoining(false); });
}

// -- token refresh -----------------------------------------------------------------------
// Tokens live at most 15 minutes. OpenTok.js takes a token only in session.connect(): a live
// session cannot swap it. So the page keeps a fresh grant ready, fetched through the same
// route before the current one expires, and any reconnect uses it. A 410 means the meeting
// ended: leave.

function keepGrant(grant) {
  call.grant = grant;
  call.grantExpiresAt = Date.now() + (Number(grant.expiresIn) || 0) * 1000;
  scheduleRefresh();
}

/* A minute before the grant expires; a grant with under two minutes left (the meeting ends
 * sooner) is asked again just after it expires, when the route says whether it has ended. */
function scheduleRefresh() {
  var left = Math.max(0, (call.grantExpiresAt - Date.now()) / 1000);
  var delay = left > 2 * REFRESH_MARGIN_S ? left - REFRESH_MARGIN_S : left + 1;
  window.clearTimeout(call.refreshTimer);
  call.refreshTimer = window.setTimeout(refreshGrant, delay * 1000);
}

function refreshGrant() {
  call.refreshTimer = null;
  if (!call.session || call.ended) {
    return;
  }
  requestJSON("POST", urls.token, { name: call.name })
    .then(function (reply) {
      if (reply.status === 410) {
        showEnded();
      } else if (reply.status === 200) {
        keepGrant(reply.body);
      } else {
        call.refreshTimer = window.setTimeout(refreshGrant, 30000);
      }
    })
    .catch(function () { call.refreshTimer = window.setTimeout(refreshGrant, 30000); });
}

function freshGrant() {
  return call.grant && Date.now() < call.grantExpiresAt - 5000 ? call.grant : null;
}

function startCall(grant, name) {
  call.name = name;
  resetTiles();
  el.selfName.textContent = t("you", { name: name });
  el.selfAvatar.textContent = initials(name);
  setView("call");
  setCallState("connecting", t("connecting"));
  var session = OT.initSession(grant.apiKey, grant.sessionId);
  call.session = session;
  session.on("streamCreated", whileCurrent(session, onStreamCreated));
  session.on("streamDestroyed", whileCurrent(session, onStreamDestroyed));
  session.on("streamPropertyChanged", whileCurrent(session, onStreamPropertyChanged));
  session.on("sessionDisconnected", whileCurrent(session, onSessionDisconnected));
  // Anyone connected could send a signal of this type, so it only makes the page ask the
  // server; the server's answer decides.
  session.on(ENDED_SIGNAL, whileCurrent(session, function () { pollStatus(); }));
  startPublisher(name);
  session.connect(grant.token, function (error) {
    if (session !== call.session) {
      return; // left before the connection finished
    }
    if (error) {
      showError(videoErrorMessage(error));
      stopCall();
      setView("lobby");
      setCallState("idle", t("not_joined"));
      return;
    }
    setCallState("live", t("live"));
    publishSelf(session);
  });
}

/* Events of a session we already left (rejoin makes a new one) are ignored. */
function whileCurrent(session, handler) {
  return function (event) {
    if (session === call.session) {
      handler(event);
    }
  };
}

function startPublisher(name) {
  call.publisherFailed = false;
  var options = Object.assign({}, MEDIA_OPTIONS, {
    name: name, publishAudio: call.audioOn, publishVideo: call.videoOn, style: OT_STYLE,
  });
  call.publisher = OT.initPublisher(el.selfMedia, options, function (error) {
    if (error) {
      call.publisherFailed = true;
      showError(videoErrorMessage(error));
    }
  });
  renderToggles();
}

function publishSelf(session) {
  if (!call.publisher || call.publisherFailed) {
    return; // listen-only: the camera/microphone problem is already on screen
  }
  session.publish(call.publisher, function (error) {
    if (error) {
      showError(videoErrorMessage(error));
    }
  });
}

// -- other people's streams ------------------------------------------------------------

function tileFor(streamId) {
  var tiles = el.grid.querySelectorAll(".tile[data-stream-id]");
  for (var i = 0; i < tiles.length; i += 1) {
    if (tiles[i].dataset.streamId === streamId) {
      return tiles[i];
    }
  }
  return null;
}

function newTile(stream) {
  var phone = isPhoneBridge(stream);
  var template = phone ? el.phoneTileTemplate : el.tileTemplate;
  var tile = template.content.firstElementChild.cloneNode(true);
  tile.dataset.streamId = stream.streamId;
  if (!phone) {
    var name = displayName(stream);
    tile.querySelector(".tile__name").textContent = name;
    tile.querySelector(".tile__avatar").textContent = initials(name);
    tile.classList.toggle("tile--no-video", !stream.hasVideo);
  }
  el.grid.appendChild(tile);
  renderPhoneCount();
  updateGridSize();
  return tile;
}

function onStreamCreated(event) {
  var stream = event.stream;
  if (tileFor(stream.streamId)) {
    return;
  }
  var tile = newTile(stream);
  var options = Object.assign({}, MEDIA_OPTIONS, { style: OT_STYLE });
  call.session.subscribe(stream, tile.querySelector(".tile__media"), options, function (error) {
    if (error) {
      showError(videoErrorMessage(error));
    }
  });
}

function onStreamDestroyed(event) {
  var tile = tileFor(event.stream.streamId);
  if (tile) {
    tile.remove();
    updateGridSize();
  }
}

function onStreamPropertyChanged(event) {
  if (event.changedProperty !== "hasVideo") {
    return;
  }
  var tile = tileFor(event.stream.streamId);
  if (tile && !tile.classList.contains("tile--phone")) {
    tile.classList.toggle("tile--no-video", !event.newValue);
  }
}

function resetTiles() {
  var remote = el.grid.querySelectorAll(".tile[data-stream-id]");
  for (var i = 0; i < remote.length; i += 1) {
    remote[i].remove();
  }
  el.selfMedia.textContent = "";
  updateGridSize();
}

function updateGridSize() {
  el.grid.dataset.count = String(el.grid.querySelectorAll(".tile").length);
}

function renderPhoneCount() {
  var counts = el.grid.querySelectorAll(".tile__phone-count");
  var text = call.phoneCallers === 0 ? t("waiting_for_callers")
    : call.phoneCallers === 1 ? t("one_caller") : t("many_callers", { count: call.phoneCallers });
  for (var i = 0; i < counts.length; i += 1) {
    counts[i].textContent = text;
  }
}

// -- own camera and microphone ---------------------------------------------------------

function renderToggles() {
  el.audio.setAttribute("aria-pressed", call.audioOn ? "false" : "true");
  el.audio.querySelector(".ctrl__label").textContent = call.audioOn ? t("mute") : t("unmute");
  el.video.setAttribute("aria-pressed", call.videoOn ? "false" : "true");
  el.video.querySelector(".ctrl__label").textContent = call.videoOn ? t("stop_camera") : t("start_camera");
  el.selfMuted.hidden = call.audioOn;
  el.selfTile.classList.toggle("tile--no-video", !call.videoOn);
}

function toggleAudio() {
  call.audioOn = !call.audioOn;
  if (call.publisher) {
    call.publisher.publishAudio(call.audioOn);
  }
  renderToggles();
}

function toggleVideo() {
  call.videoOn = !call.videoOn;
  if (call.publisher) {
    call.publisher.publishVideo(call.videoOn);
  }
  renderToggles();
}

// -- leaving ---------------------------------------------------------------------------

function stopCall() {
  window.clearTimeout(call.refreshTimer);
  call.refreshTimer = null;
  var session = call.session;
  call.session = null; // first, so the disconnect's own events are ignored
  if (session) {
    session.disconnect();
  }
  if (call.publisher && typeof call.publisher.destroy === "function") {
    call.publisher.destroy();
  }
  call.publisher = null;
  resetTiles();
}

function leave() {
  stopCall();
  setView("left");
  setCallState("idle", t("not_joined"));
  el.rejoin.focus();
}

function onSessionDisconnected(event) {
  var reason = event && event.reason;
  var grant = freshGrant();
  if (reason === "networkDisconnected" && grant && !call.ended) {
    var name = call.name;
    stopCall();
    startCall(grant, name); // OpenTok.js gave up reconnecting: connect again, fresh token
    scheduleRefresh();
    return;
  }
  stopCall();
  setView("left");
  setCallState("idle", t("not_joined"));
  showError(reason === "forceDisconnected"
    ? t("removed")
    : t("disconnected"));
}

function showEnded() {
  call.ended = true;
  stopCall();
  setView("ended");
  setCallState("ended", t("ended"));
  el.bridgeConnect.disabled = true;
  el.bridgeHangUp.disabled = true;
  el.endMeeting.disabled = true;
  if (call.pollTimer !== null) {
    window.clearInterval(call.pollTimer);
    call.pollTimer = null;
  }
}

// -- phone bridge and status -----------------------------------------------------------

var BRIDGE_LABELS = { off: "bridge_off", connecting: "bridge_connecting", connected: "bridge_connected", failed: "bridge_failed" };

function renderStatus(status) {
  if (status.ended) {
    showEnded();
    return;
  }
  var bridge = status.bridge || "off";
  el.bridgeState.dataset.state = bridge;
  el.bridgeState.textContent = BRIDGE_LABELS[bridge] ? t(BRIDGE_LABELS[bridge]) : bridge;
  el.bridgeConnect.disabled = bridge === "connecting" || bridge === "connected";
  // Hang up stays available: the state shown may be up to POLL_MS old, and hanging up
  // nothing just answers with a message.
  if (bridge === "failed" && status.bridgeReason && !el.bridgeMessage.textContent) {
    el.bridgeMessage.textContent = t("bridge_last_failed", { reason: status.bridgeReason });
  }
  call.phoneCallers = Number(status.phoneCallers) || 0;
  el.phoneCallers.textContent = call.phoneCallers === 0 ? t("nobody_dialled_in")
    : call.phoneCallers === 1 ? t("one_on_phone") : t("many_on_phone", { count: call.phoneCallers });
  renderPhoneCount();
}

function pollStatus() {
  return requestJSON("GET", urls.status)
    .then(function (reply) {
      if (reply.status === 200) {
        renderStatus(reply.body);
      }
    })
    .catch(function () { /* a missed poll is retried in POLL_MS */ });
}

function bridgeAction(button, url, pendingText, successText) {
  button.disabled = true;
  el.bridgeMessage.textContent = pendingText;
  requestJSON("POST", url, {})
    .then(function (reply) {
      if (reply.status === 410) {
        showEnded();
        return;
      }
      var ok = reply.status >= 200 && reply.status < 300;
      el.bridgeMessage.dataset.tone = ok ? "ok" : "problem";
      el.bridgeMessage.textContent = ok ? (reply.body.message || successText)
        : (reply.body.error || t("bridge_request_failed", { status: reply.status }));
    })
    .catch(function () {
      el.bridgeMessage.dataset.tone = "problem";
      el.bridgeMessage.textContent = t("unreachable_short");
    })
    .then(function () {
      button.disabled = false;
      return pollStatus();
    });
}

// -- host controls ---------------------------------------------------------------------

// The starter's host key, which host_key.js (the page's first script) took out of the
// address and kept for this tab.
function hostKey() {
  try {
    return window.sessionStorage.getItem(HOST_KEY);
  } catch (ignored) {
    return null;
  }
}

function endMeeting() {
  if (!window.confirm(t("end_confirm"))) {
    return;
  }
  el.endMeeting.disabled = true;
  el.endMessage.textContent = t("ending");
  requestJSON("POST", urls.end, { hostKey: hostKey() })
    .then(function (reply) {
      if (reply.status === 200 || reply.status === 410) {
        showEnded();
        return;
      }
      el.endMessage.dataset.tone = "problem";
      el.endMessage.textContent = reply.body.error || t("end_failed", { status: reply.status });
      el.endMeeting.disabled = false;
    })
    .catch(function () {
      el.endMessage.dataset.tone = "problem";
      el.endMessage.textContent = t("unreachable_short");
      el.endMeeting.disabled = false;
    });
}

// -- wiring ----------------------------------------------------------------------------

el.form.addEventListener("submit", onJoinSubmit);
el.rejoin.addEventListener("click", function () {
  var name = cleanName(rememberedName() || el.nameInput.value);
  if (name) {
    join(name);
  } else {
    setView("lobby");
  }
});
el.audio.addEventListener("click", toggleAudio);
el.video.addEventListener("click", toggleVideo);
el.leave.addEventListener("click", leave);
el.errorClose.addEventListener("click", clearError);
el.bridgeConnect.addEventListener("click", function () {
  bridgeAction(el.bridgeConnect, urls.dialOut, t("bridge_calling"), t("bridge_now_connecting"));
});
el.bridgeHangUp.addEventListener("click", function () {
  bridgeAction(el.bridgeHangUp, urls.hangUp, t("bridge_hanging_up"), t("bridge_hung_up"));
});
window.addEventListener("pagehide", function () {
  if (call.session) {
    stopCall();
  }
});

if (hostKey()) {
  el.hostCard.hidden = false;
  el.endMeeting.addEventListener("click", endMeeting);
}
el.nameInput.value = rememberedName();
setView("lobby");
renderToggles();
pollStatus();
call.pollTimer = window.setInterval(pollStatus, POLL_MS);
