/*
 * sfdesk demo SDK shim, served as /widget/sdk.js by `sfdesk demo` and the browser tests.
 *
 * It defines the part of Zoho's `ZOHODESK` client SDK the widget uses, with the same shapes
 * (docs/zoho-desk-api.md §14), and answers every call by asking the parent window, the demo's
 * Desk-like host page (assets/demo/host.js), over postMessage:
 *
 *   widget -> host  {sfdeskSdk: 1, id, method: "onload" | "get" | "set" | "invoke" | "emit", args}
 *   host -> widget  {sfdeskSdk: 1, id, ok: true, result} | {sfdeskSdk: 1, id, ok: false, error}
 *   host -> widget  {sfdeskSdk: 1, event, data}           (App.instance.on listeners)
 *
 * Host and widget are served by the same sfdesk server, so messages are only sent to and
 * accepted from this page's own origin.
 */
(function () {
  "use strict";

  var ORIGIN = window.location.origin;
  var inFrame = window.parent && window.parent !== window;
  var pending = new Map();
  var listeners = new Map();
  var nextId = 1;

  function call(method, args) {
    if (!inFrame) {
      return Promise.reject(new Error("not running inside a Desk host page"));
    }
    return new Promise(function (resolve, reject) {
      var id = nextId++;
      pending.set(id, { resolve: resolve, reject: reject });
      window.parent.postMessage(
        { sfdeskSdk: 1, id: id, method: method, args: args || [] },
        ORIGIN
      );
    });
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== ORIGIN || event.source !== window.parent) return;
    var msg = event.data;
    if (!msg || msg.sfdeskSdk !== 1) return;
    if (typeof msg.event === "string") {
      (listeners.get(msg.event) || []).forEach(function (callback) {
        try {
          callback(msg.data);
        } catch (e) {
          console.error("ZOHODESK listener for " + msg.event + " failed", e);
        }
      });
      return;
    }
    var waiter = pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id);
    if (msg.ok) {
      waiter.resolve(msg.result);
    } else {
      var error = new Error((msg.error && msg.error.message) || "request failed");
      waiter.reject(error);
    }
  });

  var instance = {
    on: function (event, callback) {
      if (typeof callback !== "function") return;
      if (!listeners.has(event)) listeners.set(event, []);
      listeners.get(event).push(callback);
    },
    emit: function (event, data) {
      return call("emit", [event, data]);
    },
  };

  window.ZOHODESK = {
    extension: {
      onload: function () {
        return call("onload").then(function (app) {
          app.instance = instance;
          return app;
        });
      },
    },
    get: function (key, options) {
      return call("get", [key, options]);
    },
    set: function (key, value) {
      return call("set", [key, value]);
    },
    invoke: function (name, data) {
      return call("invoke", [name, data]);
    },
  };
})();
