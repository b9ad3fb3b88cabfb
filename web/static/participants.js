/* Who a stream belongs to, from the connection data the server wrote into its token:
 * {"name": ...} for a visitor, {"meetbridge": "phone-bridge"} for the phone bridge
 * (meetbridge/video.py). A visitor's name can never produce the bridge's marker. */

import { t } from "./page_words.js";

const BRIDGE_MARKER = "phone-bridge";

/* The token's connection data as an object ({} when absent or not JSON). */
export function connectionData(stream) {
  try {
    var data = JSON.parse((stream.connection && stream.connection.data) || "null");
    return data && typeof data === "object" ? data : {};
  } catch (ignored) {
    return {};
  }
}

export function isPhoneBridge(stream) {
  return connectionData(stream).meetbridge === BRIDGE_MARKER;
}

export function displayName(stream) {
  var name = connectionData(stream).name;
  return typeof name === "string" && name ? name : stream.name || t("guest");
}
