/* What the page says about names and video problems, in words a visitor can act on. */

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
    return "Enter your name so others know who joined.";
  }
  if (name.length > MAX_NAME) {
    return "Keep your name to " + MAX_NAME + " characters or fewer.";
  }
  return "";
}

/* OpenTok errors in words a visitor can act on. */
export function videoErrorMessage(error) {
  var messages = {
    OT_AUTHENTICATION_ERROR: "The video service did not accept this meeting's access token. Reload the page and try again.",
    OT_INVALID_SESSION_ID: "The video service does not recognise this meeting.",
    OT_CONNECT_FAILED: "Couldn't reach the video service. Check your internet connection and try again.",
    OT_SOCKET_CLOSE_TIMEOUT: "Couldn't reach the video service. Check your internet connection and try again.",
    OT_TIMEOUT: "The video service took too long to answer. Try again.",
    OT_USER_MEDIA_ACCESS_DENIED: "Your browser blocked the camera and microphone. Allow them for this site, then rejoin. You can still see and hear the others.",
    OT_HARDWARE_UNAVAILABLE: "Your camera or microphone is in use by another app. Close it and rejoin.",
    OT_NO_DEVICES_FOUND: "No camera or microphone was found. You can still see and hear the others.",
    OT_NO_VALID_CONSTRAINTS: "Neither camera nor microphone is turned on.",
    OT_UNSUPPORTED_BROWSER: "This browser can't run video calls. Try a recent Chrome, Edge, Firefox or Safari.",
    OT_TOO_MANY_REQUESTS: "The video service is busy. Wait a moment, then try again.",
    OT_STREAM_LIMIT_EXCEEDED: "This meeting is full.",
    OT_PERMISSION_DENIED: "You aren't allowed to publish in this meeting.",
  };
  var name = error && error.name;
  if (name && messages[name]) {
    return messages[name];
  }
  var detail = (error && (error.message || error.name)) || "unknown error";
  return "Video problem: " + detail;
}
