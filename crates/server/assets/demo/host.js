/*
 * The demo's Desk-like host page: renders a seeded ticket and plays Zoho Desk's part of the
 * widget SDK for the iframe, answering the shim (/widget/sdk.js in demo mode, see
 * assets/sdk/demo-sdk.js) with the shapes of docs/zoho-desk-api.md §14:
 *
 *   extension.onload() -> {uniqueID, location, extensionID, locale, localeResources, meta}
 *   get("ticket")      -> {ticket: {...}, status: "success"}; also "ticket.<key>", "contact",
 *                         "contact.<key>", "account", "account.<key>", "user", "portal.id" …
 *   "Next ticket"      -> the current ticket changes and the widget gets a `ticket_Shift` event.
 *
 * Seed data comes from /demo/seed.json. Runs in <head>, so the message listener exists before
 * the iframe does.
 */
(function () {
  "use strict";

  var ORIGIN = window.location.origin;
  var seedReady = fetch("/demo/seed.json", { cache: "no-store" }).then(function (r) {
    if (!r.ok) throw new Error("seed.json: HTTP " + r.status);
    return r.json();
  });
  var current = 0;

  function frame() {
    return document.querySelector('[data-testid="sfdesk-frame"]');
  }

  function ticketOf(seed) {
    return seed.tickets[current % seed.tickets.length];
  }

  /** Everything `ZOHODESK.get` can read on this page, by top-level key. */
  function context(seed) {
    var ticket = ticketOf(seed);
    var publicTicket = Object.assign({}, ticket);
    delete publicTicket.thread;
    return {
      ticket: publicTicket,
      contact: seed.contacts[ticket.contactId] || null,
      account: seed.accounts[ticket.accountId] || null,
      user: seed.user,
      portal: seed.portal,
      "extension.config": [],
    };
  }

  function lookup(seed, key) {
    var ctx = context(seed);
    if (Object.prototype.hasOwnProperty.call(ctx, key)) return ctx[key];
    var value = ctx;
    var parts = String(key).split(".");
    for (var i = 0; i < parts.length; i++) {
      if (value === null || typeof value !== "object" || !(parts[i] in value)) return undefined;
      value = value[parts[i]];
    }
    return value;
  }

  function answer(seed, method, args, source) {
    switch (method) {
      case "onload": {
        var location = (frame() && frame().dataset.location) || "desk.ticket.detail.rightpanel";
        return {
          uniqueID: "sfdesk-demo-" + current,
          location: location,
          extensionID: "sfdesk-demo-extension",
          locale: seed.locale || "en",
          localeResources: {},
          meta: {
            dcType: "US",
            deskDomainUrls: { desk: ORIGIN },
            service: "zohodesk",
            orgId: seed.portal.id,
          },
        };
      }
      case "get": {
        var key = args[0];
        var value = lookup(seed, key);
        if (value === undefined) throw new Error("unsupported key: " + key);
        var result = { status: "success" };
        result[key] = value;
        return result;
      }
      case "invoke":
        if (args[0] === "RESIZE" && args[1] && args[1].height && source === frame()) {
          frame().style.height = String(args[1].height);
        }
        return { status: "success" };
      case "set":
      case "emit":
        return { status: "success" };
      default:
        throw new Error("unsupported SDK call: " + method);
    }
  }

  window.addEventListener("message", function (event) {
    var f = frame();
    if (event.origin !== ORIGIN || !f || event.source !== f.contentWindow) return;
    var msg = event.data;
    if (!msg || msg.sfdeskSdk !== 1 || typeof msg.id !== "number") return;
    var reply = function (body) {
      body.sfdeskSdk = 1;
      body.id = msg.id;
      event.source.postMessage(body, ORIGIN);
    };
    seedReady
      .then(function (seed) {
        reply({ ok: true, result: answer(seed, msg.method, msg.args || [], f) });
      })
      .catch(function (error) {
        reply({ ok: false, error: { message: String((error && error.message) || error) } });
      });
  });

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = value;
  }

  function render(seed) {
    var ticket = ticketOf(seed);
    var contact = seed.contacts[ticket.contactId] || {};
    var account = seed.accounts[ticket.accountId] || {};
    text("ticket-number", "#" + ticket.number);
    text("ticket-status", ticket.status);
    text("ticket-priority", ticket.priority);
    text("ticket-subject", ticket.subject);
    var name = [contact.firstName, contact.lastName].filter(Boolean).join(" ");
    text(
      "ticket-meta",
      (name || ticket.email) + " <" + ticket.email + ">" +
        (account.accountName ? " · " + account.accountName : "") +
        " · via " + ticket.channel
    );
    text("agent", seed.user.fullName.split(" ").map(function (w) { return w[0]; }).join(""));

    var thread = document.getElementById("thread");
    thread.replaceChildren();
    (ticket.thread || []).forEach(function (entry) {
      var card = document.createElement("article");
      card.className = "msg msg-" + entry.direction;
      var head = document.createElement("div");
      head.className = "msg-head";
      var avatar = document.createElement("span");
      avatar.className = "avatar";
      avatar.textContent = entry.from.split(" ").map(function (w) { return w[0]; }).join("");
      var who = document.createElement("strong");
      who.textContent = entry.from;
      var when = document.createElement("span");
      when.className = "muted";
      when.textContent = entry.time;
      head.append(avatar, who, when);
      var body = document.createElement("p");
      body.textContent = entry.body;
      card.append(head, body);
      thread.append(card);
    });
  }

  function notify(event, data) {
    var f = frame();
    if (f && f.contentWindow) {
      f.contentWindow.postMessage({ sfdeskSdk: 1, event: event, data: data }, ORIGIN);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    seedReady
      .then(function (seed) {
        render(seed);
        document.getElementById("next-ticket").addEventListener("click", function () {
          current = (current + 1) % seed.tickets.length;
          render(seed);
          notify("ticket_Shift", { id: ticketOf(seed).id });
        });
      })
      .catch(function (error) {
        text("ticket-subject", "Could not load the demo seed: " + error.message);
      });
  });
})();
