/* What "Call my phone instead" says about a call's progress, in words a visitor can act on. */

var PROGRESS = {
  ringing: "Ringing your phone ({number})… Answer it and press 1 to join.",
  joined: "You joined the meeting by phone ({number}).",
  no_answer: "No answer at {number}: nobody picked up before it stopped ringing.",
  busy: "{number} was busy, so the call didn't go through.",
  declined: "The call to {number} was declined.",
  voicemail: "Voicemail answered at {number}, so we hung up. Try again when you can answer.",
  failed: "The call to {number} failed: the phone network didn't connect it.",
  ended: "The call to {number} was cancelled because the meeting ended.",
  left: "You left the phone call ({number}).",
};

/* The words for one state of the visitor's call; the number is already masked (•••0143). */
export function progressWords(state, number) {
  var words = PROGRESS[state] || "The call to {number} is in progress.";
  return words.replace("{number}", number || "your phone");
}

/* A state is good news (ok) or bad news (problem); ringing is neither. */
export function progressTone(state) {
  if (state === "joined" || state === "left") {
    return "ok";
  }
  return state === "ringing" ? "" : "problem";
}

export const PLACING = "Asking the meeting to call your phone…";
export const NO_NUMBER = "Type your phone number, with its country code if it is abroad.";
export const UNREACHABLE = "Couldn't reach the meeting server. Check your internet connection and try again.";

export function failedRequest(status) {
  return "Couldn't place the call (error " + status + ").";
}
