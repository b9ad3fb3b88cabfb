/* "Call my phone instead": once the visitor has joined, the meeting can call their phone.
 * Posts {number, name} to the call-me route, then polls the visitor's own call until it is over
 * (the server binds both to the visitor's cookie). Text reaches the page only via textContent. */
import { requestJSON } from "./http.js";
import { cleanName } from "./words.js";
import { t } from "./page_words.js";
import { NO_NUMBER, PLACING, UNREACHABLE, failedRequest, progressTone, progressWords } from "./call_me_words.js";

var POLL_MS = 2000;

var card = document.getElementById("call-me-card");
var form = document.getElementById("call-me-form");
var numberInput = document.getElementById("call-me-number");
var button = document.getElementById("call-me-button");
var message = document.getElementById("call-me-message");
var callState = document.getElementById("call-state");
var nameInput = document.getElementById("display-name");
var url = card.dataset.callMeUrl;
var pollTimer = null;

function say(text, tone) {
  message.textContent = text;
  message.dataset.tone = tone || "";
}

function show(call) {
  if (!call) {
    return;
  }
  say(progressWords(call.state, call.number), progressTone(call.state));
  button.disabled = !call.final;
  window.clearTimeout(pollTimer);
  pollTimer = call.final ? null : window.setTimeout(poll, POLL_MS);
}

function poll() {
  pollTimer = null;
  requestJSON("GET", url)
    .then(function (reply) {
      if (reply.status === 200) {
        show(reply.body.call);
      } else if (reply.status === 429) {
        pollTimer = window.setTimeout(poll, POLL_MS * 2);
      }
    })
    .catch(function () { pollTimer = window.setTimeout(poll, POLL_MS * 2); });
}

function onSubmit(event) {
  event.preventDefault();
  var number = numberInput.value.trim();
  if (!number) {
    numberInput.setAttribute("aria-invalid", "true");
    say(NO_NUMBER, "problem");
    return;
  }
  numberInput.removeAttribute("aria-invalid");
  button.disabled = true;
  say(PLACING, "");
  var name = cleanName(nameInput.value) || t("guest");
  requestJSON("POST", url, { number: number, name: name })
    .then(function (reply) {
      if (reply.status === 202) {
        show(reply.body.call);
        return;
      }
      button.disabled = false;
      if (reply.status === 400) {
        numberInput.setAttribute("aria-invalid", "true");
      }
      say(reply.body.error || failedRequest(reply.status), "problem");
    })
    .catch(function () {
      button.disabled = false;
      say(UNREACHABLE, "problem");
    });
}

/* Offered once the visitor has joined (the token route set their cookie); it stays offered
 * after they leave the video, while the meeting lasts. */
function offerWhenJoined() {
  if (card.hidden && callState.dataset.state === "live") {
    card.hidden = false;
    poll(); // a call asked for before a reload shows its progress again
  }
}

form.addEventListener("submit", onSubmit);
new MutationObserver(offerWhenJoined).observe(callState, { attributes: true, attributeFilter: ["data-state"] });
offerWhenJoined();
