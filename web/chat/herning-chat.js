/*
 * Herning Kommune's chat for parents: one script tag on any page.
 *
 *   <link rel="stylesheet" href="https://.../chat/herning-chat.css">
 *   <script src="https://.../chat/herning-chat.js" defer
 *           data-server="https://chatbot.herning.dk" data-title="Spørg om støtte til dit barn"
 *           data-lang="da"></script>
 *
 * Talks to the bot's REST channel with the browser's own fetch (no library, no build
 * step). The conversation id and the transcript live in sessionStorage only: gone when
 * the tab closes; no cookies, nothing sent anywhere but the bot server. Bot text is
 * always set as text (textContent), never as HTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.HerningChat) { return; }

  var STORE_KEY = "herning-chat:v1";
  var TIMEOUT_MS = 20000;
  var MAX_CHARS = 2000;
  // A reply whose first message starts so is the acute-danger answer: shown at the top.
  var URGENT = /^\s*Ring 112(?!\d)/;
  var server = (script.getAttribute("data-server") || "").replace(/\/+$/, "");
  var title = script.getAttribute("data-title") || "Spørg om støtte til dit barn";
  var lang = script.getAttribute("data-lang") || "da";
  var webhook = server + "/webhooks/rest/webhook";
  var deleteUrl = server + "/webhooks/rest/delete";
  var feedbackUrl = server + "/webhooks/rest/feedback";

  var TEXT = {
    open: "Chat: " + title,
    close: "Luk chatten",
    intro: "Stil et spørgsmål om støtte til børn og unge i Herning Kommune. Skriv ikke " +
      "CPR-nummer eller helbredsoplysninger. Er et barn i akut fare, så ring 112.",
    label: "Skriv dit spørgsmål",
    send: "Send",
    you: "Du skrev: ",
    bot: "Svar: ",
    typing: "Svaret er på vej …",
    source: "Kilde: ",
    phone: "Ring ",
    mail: "Skriv til ",
    choices: "Svarmuligheder",
    log: "Samtale",
    remove: "Slet samtale",
    confirm: "Vil du slette samtalen? Den slettes også hos Herning Kommune.",
    confirmYes: "Ja, slet samtalen",
    confirmNo: "Fortryd",
    deleted: "Samtalen er slettet.",
    deleteFailed: "Samtalen kunne ikke slettes lige nu. Prøv igen om lidt.",
    sendFailed: "Beskeden blev ikke sendt: chatten kan ikke få forbindelse lige nu.",
    slow: "Beskeden blev ikke sendt: chatten svarer ikke lige nu.",
    retry: "Prøv igen",
    empty: "Skriv et spørgsmål først.",
    tooLong: "Beskeden er for lang. Skriv højst " + MAX_CHARS + " tegn.",
    helpful: "Hjalp svaret?",
    helpfulYes: "Ja",
    helpfulYesLabel: "Ja, svaret hjalp",
    helpfulNo: "Nej",
    helpfulNoLabel: "Nej, svaret hjalp ikke",
    thanks: "Tak. Det hjælper kommunen med at gøre svarene bedre.",
    feedbackFailed: "Din vurdering blev ikke sendt. Prøv igen om lidt."
  };

  // State kept for this tab only.
  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function load() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
      if (saved && typeof saved.id === "string" && Array.isArray(saved.items)) { return saved; }
    } catch (e) { /* unreadable: start afresh */ }
    return { id: newId(), items: [], open: false };
  }

  var state = load();

  function save() {
    try { sessionStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* full */ }
  }

  // Small DOM helpers: every text goes in as text.
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function hiddenText(text) { return el("span", "hk-chat__sr", text); }

  function safeUrl(url) {
    try {
      var parsed = new URL(String(url), window.location.href);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) { return null; }
  }

  function phoneDisplay(phone) {
    var digits = String(phone).replace(/\D/g, "");
    if (digits.length === 8) { return digits.replace(/(\d\d)(?=\d)/g, "$1 "); }
    if (digits.length === 6) { return digits.slice(0, 3) + " " + digits.slice(3); }
    return digits;
  }

  function phoneHref(phone) {
    var digits = String(phone).replace(/\D/g, "");
    return "tel:" + (digits.length === 8 ? "+45" + digits : digits);
  }

  // The widget.
  var root = el("div", "hk-chat");
  root.setAttribute("lang", lang);

  var launcher = el("button", "hk-chat__launcher", TEXT.open);
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "hk-chat-panel");

  var panel = el("section", "hk-chat__panel");
  panel.id = "hk-chat-panel";
  panel.setAttribute("aria-labelledby", "hk-chat-title");
  panel.hidden = true;

  var header = el("div", "hk-chat__header");
  var heading = el("h2", "hk-chat__title", title);
  heading.id = "hk-chat-title";
  var removeButton = el("button", "hk-chat__remove", TEXT.remove);
  removeButton.type = "button";
  var closeButton = el("button", "hk-chat__close", "Luk");
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", TEXT.close);
  header.append(heading, removeButton, closeButton);

  var intro = el("p", "hk-chat__intro", TEXT.intro);

  var confirmBox = el("div", "hk-chat__confirm");
  confirmBox.hidden = true;
  var confirmText = el("p", "", TEXT.confirm);
  confirmText.id = "hk-chat-confirm-text";
  confirmBox.setAttribute("role", "group");
  confirmBox.setAttribute("aria-labelledby", "hk-chat-confirm-text");
  var confirmYes = el("button", "hk-chat__danger", TEXT.confirmYes);
  confirmYes.type = "button";
  var confirmNo = el("button", "hk-chat__secondary", TEXT.confirmNo);
  confirmNo.type = "button";
  confirmBox.append(confirmText, confirmYes, confirmNo);

  var log = el("div", "hk-chat__log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", TEXT.log);
  log.tabIndex = 0;  // scrollable by keyboard

  var typing = el("p", "hk-chat__typing", TEXT.typing);
  typing.setAttribute("aria-hidden", "true");
  typing.hidden = true;

  var status = el("p", "hk-chat__status");
  status.setAttribute("role", "status");

  var form = el("form", "hk-chat__form");
  form.noValidate = true;
  var label = el("label", "hk-chat__label", TEXT.label);
  label.htmlFor = "hk-chat-input";
  var input = el("textarea", "hk-chat__input");
  input.id = "hk-chat-input";
  input.rows = 2;
  input.maxLength = MAX_CHARS;
  input.setAttribute("autocomplete", "off");
  var sendButton = el("button", "hk-chat__send", TEXT.send);
  sendButton.type = "submit";
  form.append(label, input, sendButton);

  panel.append(header, intro, confirmBox, log, typing, status, form);
  root.append(launcher, panel);

  // Rendering of one item of the transcript.
  function renderSource(source) {
    var line = el("p", "hk-msg__source");
    line.append(el("span", "hk-msg__source-label", TEXT.source));
    var href = source.url ? safeUrl(source.url) : null;
    var name = source.title || source.document || "";
    if (href) {
      var link = el("a", "", name);
      link.href = href;
      line.append(link);
    } else {
      line.append(document.createTextNode(name));
    }
    if (source.document && source.title) {
      line.append(document.createTextNode(" (" + source.document + ")"));
    }
    return line;
  }

  function renderContact(contact) {
    var card = el("div", "hk-card");
    card.append(el("p", "hk-card__name", contact.name || ""));
    if (contact.role) { card.append(el("p", "hk-card__role", contact.role)); }
    if (contact.phone) {
      var call = el("a", "hk-card__link", TEXT.phone + phoneDisplay(contact.phone));
      call.href = phoneHref(contact.phone);
      var p = el("p");
      p.append(call);
      card.append(p);
    }
    if (contact.email && /^[^\s@<>"]+@[^\s@<>"]+$/.test(contact.email)) {
      var mail = el("a", "hk-card__link", TEXT.mail + contact.email);
      mail.href = "mailto:" + contact.email;
      var q = el("p");
      q.append(mail);
      card.append(q);
    }
    return card;
  }

  function renderButtons(buttons) {
    var group = el("div", "hk-msg__choices");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", TEXT.choices);
    buttons.forEach(function (button) {
      if (!button || typeof button.title !== "string" || typeof button.payload !== "string") {
        return;
      }
      var choice = el("button", "hk-chat__choice", button.title);
      choice.type = "button";
      choice.addEventListener("click", function () {
        // The payload travels in its own field; the server accepts only payloads the
        // bot offered, and typed text is never taken as one.
        send({ payload: button.payload }, button.title);
        input.focus();
      });
      group.append(choice);
    });
    return group;
  }

  // Thumbs up/down under an answer from a policy section; kept with the transcript so
  // that a reload shows the thanks instead of the buttons again.
  function renderFeedback(item, sectionId) {
    var box = el("div", "hk-msg__feedback");
    if (item.feedback) {
      box.append(el("p", "hk-msg__thanks", TEXT.thanks));
      return box;
    }
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", TEXT.helpful);
    box.append(el("span", "hk-msg__feedback-label", TEXT.helpful));
    [["op", "\uD83D\uDC4D " + TEXT.helpfulYes, TEXT.helpfulYesLabel],
     ["ned", "\uD83D\uDC4E " + TEXT.helpfulNo, TEXT.helpfulNoLabel]].forEach(function (choice) {
      var button = el("button", "hk-chat__rate", choice[1]);
      button.type = "button";
      button.setAttribute("aria-label", choice[2]);
      button.addEventListener("click", function () {
        var buttons = box.querySelectorAll("button");
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
        post(feedbackUrl, { sender: state.id, section: sectionId, rating: choice[0] })
          .then(function (response) {
            if (!response.ok) { throw new Error("HTTP " + response.status); }
            item.feedback = choice[0];
            save();
            box.textContent = "";
            box.removeAttribute("role");
            box.removeAttribute("aria-label");
            var thanks = el("p", "hk-msg__thanks", TEXT.thanks);
            box.append(thanks);  // inside the live log: announced once
            status.textContent = "";
            input.focus();
          })
          .catch(function () {
            Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
            status.textContent = TEXT.feedbackFailed;
          });
      });
      box.append(button);
    });
    return box;
  }

  function render(item) {
    var li = el("div", "hk-msg hk-msg--" + item.from);
    if (item.from === "user") {
      li.append(hiddenText(TEXT.you), el("p", "hk-msg__text", item.text));
      return li;
    }
    if (item.from === "error") {
      li.append(el("p", "hk-msg__text", item.text));
      var retry = el("button", "hk-chat__retry", TEXT.retry);
      retry.type = "button";
      retry.addEventListener("click", function () {
        removeItem(item);
        send(item.retry.content, item.retry.shown, true);
        input.focus();
      });
      li.append(retry);
      return li;
    }
    var message = item.message || {};
    if (item.urgent) { li.classList.add("hk-msg--urgent"); }
    if (typeof message.text === "string" && message.text) {
      li.append(hiddenText(TEXT.bot), el("p", "hk-msg__text", message.text));
    }
    var custom = message.custom && typeof message.custom === "object" ? message.custom : {};
    if (custom.source) {
      li.append(renderSource(custom.source));
      if (typeof custom.source.id === "string") { li.append(renderFeedback(item, custom.source.id)); }
    }
    if (custom.contact) { li.append(renderContact(custom.contact)); }
    if (Array.isArray(message.buttons) && message.buttons.length) {
      li.append(renderButtons(message.buttons));
    }
    return li.childNodes.length ? li : null;
  }

  // The log scrolls to its end after each message, except while a reply that starts with
  // the acute-danger message is shown: that message stays at the top of the log.
  var anchor = null;

  function scrollLog() {
    if (!anchor || !anchor.parentNode) {
      anchor = null;
      log.scrollTop = log.scrollHeight;
      return;
    }
    // At once, not smoothly: the first thing seen is what to do now.
    var padding = parseFloat(getComputedStyle(log).paddingTop) || 0;
    var top = log.scrollTop + anchor.getBoundingClientRect().top -
      log.getBoundingClientRect().top - log.clientTop - padding;
    var behavior = log.style.scrollBehavior;
    log.style.scrollBehavior = "auto";
    log.scrollTop = Math.max(0, top);
    log.style.scrollBehavior = behavior;
  }

  // `hold`: part of a reply that opens with the 112 message; the caller scrolls.
  function append(item, persist, hold) {
    var node = render(item);
    if (node) {
      item.node = node;
      log.append(node);
      if (!hold) { scrollLog(); }
    }
    if (persist) {
      state.items.push(item);
      save();
    }
  }

  function removeItem(item) {
    if (item.node && item.node === anchor) { anchor = null; }
    if (item.node && item.node.parentNode) { item.node.parentNode.removeChild(item.node); }
    state.items = state.items.filter(function (other) { return other !== item; });
    save();
  }

  function restore() {
    log.textContent = "";
    state.items.forEach(function (item) { append(item, false); });
  }

  // Talking to the server.
  function post(url, body) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: controller.signal,
      credentials: "omit",
      referrerPolicy: "no-referrer"
    }).finally(function () { clearTimeout(timer); });
  }

  var pending = false;

  function setPending(on) {
    pending = on;
    typing.hidden = !on;
    sendButton.disabled = on;
  }

  // `content`: {message: text} or {payload: "/intent"}; `shown`: what the parent sees;
  // `again`: a retry, the parent's message is on screen already.
  function send(content, shown, again) {
    if (pending) { return; }
    status.textContent = "";
    anchor = null;
    if (!again) { append({ from: "user", text: shown }, true); }
    setPending(true);
    post(webhook, Object.assign({ sender: state.id }, content))
      .then(function (response) {
        if (response.ok) { return response.json(); }
        // The server explains refusals (too many messages, too long) in Danish.
        return response.json().catch(function () { return {}; }).then(function (body) {
          var failure = new Error("HTTP " + response.status);
          failure.serverMessage = typeof body.error === "string" ? body.error : null;
          throw failure;
        });
      })
      .then(function (messages) {
        var list = Array.isArray(messages) ? messages : [];
        var first = list[0];
        var urgent = Boolean(first && typeof first.text === "string" && URGENT.test(first.text));
        list.forEach(function (m, index) {
          var item = { from: "bot", message: m };
          if (urgent && index === 0) { item.urgent = true; }
          append(item, true, urgent);
          // The 112 message is the first node added to the polite log, so it is read
          // first; the rest of the reply follows below it and the log stays at it.
          if (item.urgent && item.node) { anchor = item.node; }
        });
        if (urgent) { scrollLog(); }
      })
      .catch(function (error) {
        var text = error && error.name === "AbortError" ? TEXT.slow
          : (error && error.serverMessage) || TEXT.sendFailed;
        append({ from: "error", text: text, retry: { content: content, shown: shown } }, false);
      })
      .finally(function () { setPending(false); });
  }

  // Opening, closing, deleting.
  function setOpen(open, moveFocus) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    root.classList.toggle("hk-chat--open", open);
    state.open = open;
    save();
    if (open) { scrollLog(); }  // a hidden log cannot scroll: the end, or the 112 message
    if (moveFocus) { (open ? input : launcher).focus(); }
  }

  function forget() {
    state = { id: newId(), items: [], open: true };
    save();
    anchor = null;
    log.textContent = "";
  }

  launcher.addEventListener("click", function () { setOpen(panel.hidden, true); });
  closeButton.addEventListener("click", function () { setOpen(false, true); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      if (!confirmBox.hidden) { confirmBox.hidden = true; removeButton.focus(); return; }
      setOpen(false, true);
    }
  });

  removeButton.addEventListener("click", function () {
    confirmBox.hidden = false;
    confirmNo.focus();
  });
  confirmNo.addEventListener("click", function () {
    confirmBox.hidden = true;
    removeButton.focus();
  });
  confirmYes.addEventListener("click", function () {
    confirmYes.disabled = true;
    post(deleteUrl, { sender: state.id })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        confirmBox.hidden = true;
        forget();
        status.textContent = TEXT.deleted;
        input.focus();
      })
      .catch(function () { status.textContent = TEXT.deleteFailed; })
      .finally(function () { confirmYes.disabled = false; });
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { status.textContent = TEXT.empty; input.focus(); return; }
    if (text.length > MAX_CHARS) { status.textContent = TEXT.tooLong; return; }
    if (pending) { return; }
    input.value = "";
    send({ message: text }, text);
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    // Enter sends; Shift+Enter makes a new line.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : sendButton.click();
    }
  });

  function start() {
    document.body.append(root);
    restore();
    setOpen(Boolean(state.open), false);
  }

  window.HerningChat = { open: function () { setOpen(true, true); } };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
