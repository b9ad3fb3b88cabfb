/* What the page says about names and video problems, in words a visitor can act on (its
 * sentences come from the server, in the visitor's language: page_words.js). */
import { t } from "./page_words.js";

export const MAX_NAME = 100;

export function cleanName(raw) {
  return String(raw || "").split(/\s+/).filter(Boolean).join(" ");
}

export function initials(name) {
  var words = cleanName(name).split(" ").filter(Boolean);
  var letters = words.slice(0, 2).map(function (word) { return word.charAt(0); }).join("");
  return letters.toUpperCase() || "?";
}

export function nameProblem(name) {
  if (!name) {
    return t("name_missing");
  }
  if (name.length > MAX_NAME) {
    return t("name_too_long", { max: MAX_NAME });
  }
  return "";
}

/* OpenTok errors in words a visitor can act on. */
export function videoErrorMessage(error) {
  var known = ["OT_AUTHENTICATION_ERROR", "OT_INVALID_SESSION_ID", "OT_CONNECT_FAILED",
    "OT_SOCKET_CLOSE_TIMEOUT", "OT_TIMEOUT", "OT_USER_MEDIA_ACCESS_DENIED", "OT_HARDWARE_UNAVAILABLE",
    "OT_NO_DEVICES_FOUND", "OT_NO_VALID_CONSTRAINTS", "OT_UNSUPPORTED_BROWSER", "OT_TOO_MANY_REQUESTS",
    "OT_STREAM_LIMIT_EXCEEDED", "OT_PERMISSION_DENIED"];
  var name = error && error.name;
  if (name && known.indexOf(name) !== -1) {
    return t(name);
  }
  var detail = (error && (error.message || error.name)) || t("unknown_error");
  return t("video_problem", { detail: detail });
}
