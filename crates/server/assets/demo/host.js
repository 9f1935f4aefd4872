/*
 * The demo's Desk-like host page: lists the Desk simulator's tickets, shows one, and plays
 * Zoho Desk's part of the widget SDK for the iframe, answering the shim (/widget/sdk.js in demo
 * mode, see assets/sdk/demo-sdk.js) with the shapes of docs/zoho-desk-api.md §14:
 *
 *   extension.onload() -> {uniqueID, location, extensionID, locale, localeResources, meta}
 *                         location: desk.{ticket,contact,account}.detail.rightpanel
 *   get("ticket")      -> {ticket: {...}, status: "success"}; also "ticket.<key>", "contact",
 *                         "contact.<key>", "account", "account.<key>", "user" (the agent picked
 *                         in the switcher: {id, fullName, email, …}), "portal.id" …
 *   ticket change      -> in the ticket view the widget gets a `ticket_Shift` event; in the
 *                         contact and account views the page reloads, as in Desk.
 *   agent or language  -> the widget reloads, as after signing in to Desk as someone else.
 *
 * Data comes from /demo/context.json (built from the Desk simulator). The initial ticket, agent,
 * language and view can be chosen with ?ticket=102&agent=<email>&locale=zh_CN&view=contact.
 * Runs in <head>, so the message listener exists before the iframe does.
 */
(function () {
  "use strict";

  var ORIGIN = window.location.origin;
  var VIEWS = {
    ticket: { path: "/widget/ticket", location: "desk.ticket.detail.rightpanel" },
    contact: { path: "/widget/contact", location: "desk.contact.detail.rightpanel" },
    account: { path: "/widget/account", location: "desk.account.detail.rightpanel" },
  };
  var LOCALES = ["en", "zh_CN"];

  var state = { current: 0, agent: null, locale: "en", view: "ticket", loads: 0 };

  var contextReady = fetch("/demo/context.json", { cache: "no-store" })
    .then(function (r) {
      if (!r.ok) throw new Error("context.json: HTTP " + r.status);
      return r.json();
    })
    .then(function (ctx) {
      initialState(ctx);
      return ctx;
    });

  /** Picks the initial ticket, agent, language and view (query string, else defaults). */
  function initialState(ctx) {
    var params = new URLSearchParams(window.location.search);
    var number = params.get("ticket");
    ctx.tickets.forEach(function (t, i) {
      if (t.number === number) state.current = i;
    });
    var email = params.get("agent");
    state.agent =
      ctx.agents.filter(function (a) { return a.email === email; })[0] || ctx.agents[0] || null;
    if (LOCALES.indexOf(params.get("locale")) >= 0) state.locale = params.get("locale");
    else if (ctx.locale) state.locale = ctx.locale;
    if (VIEWS[params.get("view")]) state.view = params.get("view");
  }

  function frame() {
    return document.querySelector('[data-testid="sfdesk-frame"]');
  }

  function ticketOf(ctx) {
    return ctx.tickets[state.current % ctx.tickets.length];
  }

  function userOf(agent) {
    if (!agent) return null;
    return {
      id: agent.id,
      fullName: agent.fullName,
      email: agent.email,
      roleName: agent.roleName,
      tzoffset: "0",
      timeZone: "Etc/UTC",
    };
  }

  /** Everything `ZOHODESK.get` can read on this page, by top-level key. */
  function context(ctx) {
    var ticket = ticketOf(ctx);
    var publicTicket = Object.assign({}, ticket);
    delete publicTicket.thread;
    return {
      ticket: publicTicket,
      contact: ctx.contacts[ticket.contactId] || null,
      account: ctx.accounts[ticket.accountId] || null,
      user: userOf(state.agent),
      portal: ctx.portal,
      "extension.config": [],
    };
  }

  function lookup(ctx, key) {
    var values = context(ctx);
    if (Object.prototype.hasOwnProperty.call(values, key)) return values[key];
    var value = values;
    var parts = String(key).split(".");
    for (var i = 0; i < parts.length; i++) {
      if (value === null || typeof value !== "object" || !(parts[i] in value)) return undefined;
      value = value[parts[i]];
    }
    return value;
  }

  function answer(ctx, method, args, source) {
    switch (method) {
      case "onload":
        return {
          uniqueID: "sfdesk-demo-" + state.loads,
          location: VIEWS[state.view].location,
          extensionID: "sfdesk-demo-extension",
          locale: state.locale,
          localeResources: {},
          meta: {
            dcType: "US",
            deskDomainUrls: { desk: ORIGIN },
            service: "zohodesk",
            orgId: ctx.portal.id,
          },
        };
      case "get": {
        var key = args[0];
        var value = lookup(ctx, key);
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
    contextReady
      .then(function (ctx) {
        reply({ ok: true, result: answer(ctx, msg.method, msg.args || [], f) });
      })
      .catch(function (error) {
        reply({ ok: false, error: { message: String((error && error.message) || error) } });
      });
  });

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) el.textContent = value;
  }

  function initials(name) {
    return String(name || "")
      .split(" ")
      .filter(Boolean)
      .map(function (w) { return w[0]; })
      .join("");
  }

  function nameOf(contact) {
    return [contact.firstName, contact.lastName].filter(Boolean).join(" ");
  }

  /** Points the iframe at the current view's page and (re)loads it. */
  function loadFrame() {
    var f = frame();
    if (!f) return;
    var view = VIEWS[state.view];
    state.loads += 1;
    f.dataset.location = view.location;
    if (f.getAttribute("src") === view.path && f.contentWindow) {
      f.contentWindow.location.reload();
    } else {
      f.setAttribute("src", view.path);
    }
  }

  function notify(event, data) {
    var f = frame();
    if (f && f.contentWindow) {
      f.contentWindow.postMessage({ sfdeskSdk: 1, event: event, data: data }, ORIGIN);
    }
  }

  function renderSwitchers(ctx) {
    var agents = document.getElementById("agent-switcher");
    agents.replaceChildren();
    ctx.agents.forEach(function (agent) {
      var option = document.createElement("option");
      option.value = agent.email;
      option.textContent = agent.fullName + " (" + agent.roleName + ")";
      option.selected = state.agent !== null && agent.email === state.agent.email;
      agents.append(option);
    });
    document.getElementById("locale-switcher").value = state.locale;
  }

  function renderList(ctx) {
    var list = document.getElementById("ticket-list");
    list.replaceChildren();
    ctx.tickets.forEach(function (ticket, i) {
      var contact = ctx.contacts[ticket.contactId] || {};
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ticket-item" + (i === state.current ? " active" : "");
      button.dataset.testid = "desk-ticket-" + ticket.number;
      button.dataset.index = String(i);
      var head = document.createElement("span");
      head.className = "ticket-item-head";
      head.textContent = "#" + ticket.number + " · " + ticket.status;
      var subject = document.createElement("strong");
      subject.textContent = ticket.subject;
      var who = document.createElement("span");
      who.className = "muted";
      who.textContent = nameOf(contact) || ticket.email || "";
      button.append(head, subject, who);
      item.append(button);
      list.append(item);
    });
  }

  function renderViews() {
    document.querySelectorAll(".panel-views .view").forEach(function (button) {
      button.classList.toggle("active", button.dataset.view === state.view);
    });
  }

  function render(ctx) {
    var ticket = ticketOf(ctx);
    var contact = ctx.contacts[ticket.contactId] || {};
    var account = ctx.accounts[ticket.accountId] || {};
    text("ticket-number", "#" + ticket.number);
    text("ticket-status", ticket.status);
    text("ticket-priority", ticket.priority);
    text("ticket-subject", ticket.subject);
    var name = nameOf(contact);
    text(
      "ticket-meta",
      (name || ticket.email) + " <" + ticket.email + ">" +
        (account.accountName ? " · " + account.accountName : "") +
        " · via " + ticket.channel
    );
    text("agent", initials(state.agent && state.agent.fullName));
    renderList(ctx);
    renderViews();

    var thread = document.getElementById("thread");
    thread.replaceChildren();
    (ticket.thread || []).forEach(function (entry) {
      var card = document.createElement("article");
      card.className = "msg msg-" + entry.direction;
      var head = document.createElement("div");
      head.className = "msg-head";
      var avatar = document.createElement("span");
      avatar.className = "avatar";
      avatar.textContent = initials(entry.from);
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

  /** Shows ticket `index`; the widget follows as it would in Desk. */
  function selectTicket(ctx, index) {
    if (index === state.current) return;
    state.current = index;
    render(ctx);
    if (state.view === "ticket") notify("ticket_Shift", { id: ticketOf(ctx).id });
    else loadFrame();
  }

  document.addEventListener("DOMContentLoaded", function () {
    contextReady
      .then(function (ctx) {
        renderSwitchers(ctx);
        render(ctx);
        if (state.view !== "ticket") loadFrame();
        document.getElementById("next-ticket").addEventListener("click", function () {
          selectTicket(ctx, (state.current + 1) % ctx.tickets.length);
        });
        document.getElementById("ticket-list").addEventListener("click", function (event) {
          var button = event.target.closest(".ticket-item");
          if (button) selectTicket(ctx, Number(button.dataset.index));
        });
        document.querySelectorAll(".panel-views .view").forEach(function (button) {
          button.addEventListener("click", function () {
            if (button.dataset.view === state.view) return;
            state.view = button.dataset.view;
            renderViews();
            loadFrame();
          });
        });
        document.getElementById("agent-switcher").addEventListener("change", function (event) {
          state.agent =
            ctx.agents.filter(function (a) { return a.email === event.target.value; })[0] ||
            state.agent;
          text("agent", initials(state.agent && state.agent.fullName));
          loadFrame();
        });
        document.getElementById("locale-switcher").addEventListener("change", function (event) {
          if (LOCALES.indexOf(event.target.value) < 0) return;
          state.locale = event.target.value;
          loadFrame();
        });
      })
      .catch(function (error) {
        text("ticket-subject", "Could not load the demo context: " + error.message);
      });
  });
})();
