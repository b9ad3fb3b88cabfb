/* The join page's "On the phone" panel: who is on the phone (names, muted, hands; the server
 * never sends a number), a short note when someone joins or leaves by phone, and, for the
 * starter (host link) who joined the page, Mute / Unmute / Remove per caller and Mute all.
 * Data only reaches the page through textContent. */
import { requestJSON } from "./http.js";
import { t } from "./page_words.js";

var POLL_MS = 5000;
var NOTE_MS = 8000;
var room = document.getElementById("room");
var meetingId = room.dataset.meetingId;
var base = "/rooms/" + encodeURIComponent(meetingId) + "/phone-callers";
var el = {
  list: document.getElementById("phone-roster"),
  empty: document.getElementById("phone-roster-empty"),
  note: document.getElementById("phone-roster-note"),
  muteAll: document.getElementById("phone-roster-mute-all"),
  message: document.getElementById("phone-roster-message"),
};
var known = null; // key → name of the callers shown last time; null before the first answer
var noteTimer = null;

function hostKey() {
  try {
    return window.sessionStorage.getItem("meetbridge.host." + meetingId);
  } catch (ignored) {
    return null;
  }
}

function say(text) {
  el.note.textContent = text;
  window.clearTimeout(noteTimer);
  noteTimer = window.setTimeout(function () { el.note.textContent = ""; }, NOTE_MS);
}

/* A short note when callers join or leave by phone, once per change between two polls. */
function noteChanges(callers) {
  var now = {};
  callers.forEach(function (caller) { now[caller.key] = caller.name; });
  if (known !== null) {
    var joined = callers.filter(function (caller) { return !(caller.key in known); });
    var left = Object.keys(known).filter(function (key) { return !(key in now); });
    if (joined.length === 1) {
      say(t("roster_joined", { name: joined[0].name }));
    } else if (joined.length > 1) {
      say(t("roster_many_joined", { count: joined.length }));
    } else if (left.length === 1) {
      say(t("roster_left", { name: known[left[0]] }));
    } else if (left.length > 1) {
      say(t("roster_many_left", { count: left.length }));
    }
  }
  known = now;
}

function hostButton(label, action, caller) {
  var button = document.createElement("button");
  button.type = "button";
  button.className = "btn btn--ghost btn--small";
  button.textContent = label;
  button.addEventListener("click", function () { act(action, caller.leg); });
  return button;
}

function row(caller) {
  var item = document.createElement("li");
  item.className = "roster__caller";
  item.dataset.key = caller.key;
  var name = document.createElement("span");
  name.className = "roster__name";
  name.textContent = caller.name;
  item.appendChild(name);
  if (caller.hand) {
    var hand = document.createElement("span");
    hand.className = "roster__badge roster__hand";
    hand.textContent = t("hand_raised");
    item.appendChild(hand);
  }
  if (caller.muted) {
    var muted = document.createElement("span");
    muted.className = "roster__badge roster__muted";
    muted.textContent = t("muted");
    item.appendChild(muted);
  }
  if (caller.leg) {
    item.appendChild(hostButton(caller.muted ? t("unmute") : t("mute"), caller.muted ? "unmute" : "mute", caller));
    item.appendChild(hostButton(t("remove"), "remove", caller));
  }
  return item;
}

function render(callers, hosting) {
  noteChanges(callers);
  el.list.textContent = "";
  callers.forEach(function (caller) { el.list.appendChild(row(caller)); });
  el.empty.hidden = callers.length > 0;
  el.muteAll.hidden = !hosting || !callers.some(function (caller) { return !caller.muted; });
}

/* The host's list (with legs) when this tab holds the host key and has joined; else everyone's. */
function poll() {
  var key = hostKey();
  var asked = key ? requestJSON("POST", base + "/host", { hostKey: key }) : requestJSON("GET", base);
  return asked
    .then(function (reply) {
      if (reply.status === 200) {
        render(reply.body.callers || [], Boolean(key));
      } else if (key && reply.status === 403) {
        return requestJSON("GET", base).then(function (open) {
          if (open.status === 200) {
            render(open.body.callers || [], false);
          }
        });
      }
    })
    .catch(function () { /* a missed poll is retried in POLL_MS */ });
}

function act(action, leg) {
  var body = { hostKey: hostKey() };
  if (leg) {
    body.leg = leg;
  }
  el.message.textContent = "";
  requestJSON("POST", base + "/" + action, body)
    .then(function (reply) {
      var ok = reply.status >= 200 && reply.status < 300;
      el.message.dataset.tone = ok ? "ok" : "problem";
      el.message.textContent = ok ? "" : (reply.body.error || t("action_failed", { status: reply.status }));
    })
    .catch(function () {
      el.message.dataset.tone = "problem";
      el.message.textContent = t("unreachable_short");
    })
    .then(poll);
}

el.muteAll.addEventListener("click", function () { act("mute-all", null); });
poll();
window.setInterval(poll, POLL_MS);
