/* What "Call my phone instead" says about a call's progress, in words a visitor can act on
 * (the sentences come from the server, in the visitor's language: page_words.js). */
import { t } from "./page_words.js";

var PROGRESS = {
  ringing: "call_ringing",
  joined: "call_joined",
  no_answer: "call_no_answer",
  busy: "call_busy",
  declined: "call_declined",
  voicemail: "call_voicemail",
  failed: "call_failed",
  ended: "call_ended",
  left: "call_left",
};

/* The words for one state of the visitor's call; the number is already masked (•••0143). */
export function progressWords(state, number) {
  return t(PROGRESS[state] || "call_in_progress", { number: number || t("your_phone") });
}

/* A state is good news (ok) or bad news (problem); ringing is neither. */
export function progressTone(state) {
  if (state === "joined" || state === "left") {
    return "ok";
  }
  return state === "ringing" ? "" : "problem";
}

export const PLACING = t("call_placing");
export const NO_NUMBER = t("call_no_number");
export const UNREACHABLE = t("unreachable");

export function failedRequest(status) {
  return t("call_request_failed", { status: status });
}
