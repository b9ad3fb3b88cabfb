/* A test double of OpenTok.js: the subset of the OT API the join page uses.
 * Every call is recorded in window.__otCalls as {method, args} (JSON-safe values only);
 * tests fire session events with window.__otFire(type, event) and make the next call of a
 * method fail with window.__otFailNext(method, {name, message}). Nothing leaves the page. */
(function () {
  "use strict";

  // What the address looked like when this third-party script started: the page must have
  // removed the host key (#host=…) before.
  window.__otLoadedWithAddress = window.location.href;

  var calls = [];
  var failures = {};
  var current = null;
  var nextId = 1;

  function record(method, args) {
    calls.push({ method: method, args: JSON.parse(JSON.stringify(args)) });
  }

  function describe(target) {
    if (typeof target === "string") {
      return "#" + target;
    }
    if (target && target.id) {
      return "#" + target.id;
    }
    return target && target.className ? "." + String(target.className).split(" ")[0] : null;
  }

  function resolve(target) {
    return typeof target === "string" ? document.getElementById(target) : target;
  }

  function takeFailure(method) {
    var error = failures[method];
    delete failures[method];
    return error;
  }

  function later(callback, error) {
    if (typeof callback === "function") {
      window.setTimeout(function () { callback(error); }, 0);
    }
  }

  /* A painted stand-in for a <video>: a figure on a gradient, so screenshots look real. */
  function fakeVideo(target, options, hue) {
    var node = document.createElement("div");
    node.className = "OT_double_media";
    node.style.cssText = [
      "width:100%", "height:100%",
      "background:" +
        "radial-gradient(circle at 50% 40%, hsl(28 45% 72%) 0 12%, transparent 12.5%)," +
        "radial-gradient(ellipse 34% 30% at 50% 100%, hsl(" + hue + " 35% 42%) 0 98%, transparent 100%)," +
        "linear-gradient(160deg, hsl(" + hue + " 30% 24%), hsl(" + ((hue + 40) % 360) + " 28% 14%))",
    ].join(";");
    var parent = resolve(target);
    if (parent && (options || {}).insertMode === "append") {
      parent.appendChild(node);
    } else if (parent) {
      parent.replaceWith(node);
    }
    return node;
  }

  function emitter(owner) {
    var handlers = {};
    owner.on = function (type, handler) {
      record(owner.kind + ".on", [type]);
      (handlers[type] = handlers[type] || []).push(handler);
      return owner;
    };
    owner.emit = function (type, event) {
      var list = handlers[type] || [];
      var payload = Object.assign({ type: type, target: owner, preventDefault: function () {} }, event);
      list.forEach(function (handler) { handler.call(owner, payload); });
      return list.length;
    };
  }

  function newSession(apiKey, sessionId) {
    var session = { kind: "session", apiKey: apiKey, sessionId: sessionId, connection: null };
    emitter(session);
    session.connect = function (token, callback) {
      record("session.connect", [token]);
      var error = takeFailure("connect");
      if (!error) {
        session.connection = { connectionId: "me-" + nextId++, data: "" };
      }
      later(callback, error);
    };
    session.publish = function (publisher, callback) {
      record("session.publish", [publisher.id]);
      later(callback, takeFailure("publish"));
      return publisher;
    };
    session.subscribe = function (stream, target, options, callback) {
      record("session.subscribe", [stream.streamId, describe(target), options]);
      var element = fakeVideo(target, options, stream.hasVideo ? 200 : 150);
      later(callback, takeFailure("subscribe"));
      return { stream: stream, element: element };
    };
    session.disconnect = function () {
      record("session.disconnect", []);
      session.connection = null;
      window.setTimeout(function () {
        session.emit("sessionDisconnected", { reason: "clientDisconnected" });
      }, 0);
    };
    return session;
  }

  function newPublisher(target, options, callback) {
    var publisher = { kind: "publisher", id: "publisher-" + nextId++ };
    emitter(publisher);
    publisher.element = fakeVideo(target, options, 220);
    publisher.publishAudio = function (value) { record("publisher.publishAudio", [value]); };
    publisher.publishVideo = function (value) { record("publisher.publishVideo", [value]); };
    publisher.destroy = function () {
      record("publisher.destroy", []);
      publisher.element.remove();
    };
    later(callback, takeFailure("initPublisher"));
    return publisher;
  }

  window.OT = {
    checkSystemRequirements: function () {
      record("checkSystemRequirements", []);
      return 1;
    },
    initSession: function (apiKey, sessionId) {
      record("initSession", [apiKey, sessionId]);
      current = newSession(apiKey, sessionId);
      return current;
    },
    initPublisher: function (target, options, callback) {
      record("initPublisher", [describe(target), options || {}]);
      return newPublisher(target, options, callback);
    },
  };

  window.__otCalls = calls;
  window.__otFire = function (type, event) {
    if (!current) {
      throw new Error("no session: the page has not called OT.initSession");
    }
    return current.emit(type, event);
  };
  window.__otFailNext = function (method, error) {
    failures[method] = error;
  };
})();
