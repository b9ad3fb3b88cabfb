/* JSON requests to this server, as the routes expect them: the bridge controls
 * need Content-Type: application/json, so every POST sends a JSON body. */

/* POST or GET JSON; resolves {status, body} (body {} when not JSON), rejects on network errors. */
export function requestJSON(method, url, payload) {
  var options = { method: method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (payload !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(payload);
  }
  return fetch(url, options).then(function (response) {
    return response.json().catch(function () { return {}; }).then(function (body) {
      return { status: response.status, body: body || {} };
    });
  });
}
