// The web chat client: no framework, no external assets. Text is always inserted with
// textContent, never as HTML, so nothing a resident or staff member types can run.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("chat-config").textContent);
  var api = "/webchat/api/sessions";
  var storageKey = "city311.session";
  var log = document.getElementById("log");
  var typing = document.getElementById("typing");
  var statusLine = document.getElementById("status");
  var quick = document.getElementById("quick-replies");
  var form = document.getElementById("composer");
  var textBox = document.getElementById("text");
  var photoInput = document.getElementById("photo");
  var languageSelect = document.getElementById("language");
  var language = config.language;
  var sessionId = null;
  var lastId = 0;
  var busy = false;

  function ui(key) { return (config.ui[language] || config.ui.en)[key]; }

  function applyLanguage(code) {
    if (!config.ui[code]) return;
    language = code;
    document.documentElement.lang = code;
    document.documentElement.dir = config.rtl.indexOf(code) >= 0 ? "rtl" : "ltr";
    languageSelect.value = code;
    document.querySelectorAll("[data-ui]").forEach(function (el) { el.textContent = ui(el.dataset.ui); });
    textBox.placeholder = ui("placeholder");
  }

  function showStatus(text) {
    statusLine.textContent = text || "";
    statusLine.hidden = !text;
  }

  function addMessage(direction, text, extra) {
    var item = document.createElement("li");
    item.className = "message " + (direction === "in" ? "from-resident" : "from-city");
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = (direction === "in" ? ui("you") : ui("assistant")) + ": ";
    item.appendChild(who);
    var body = document.createElement("span");
    body.className = "text";
    body.dir = "auto";
    body.textContent = text;
    item.appendChild(body);
    if (extra && extra.photo) {
      var img = document.createElement("img");
      img.src = extra.photo;
      img.alt = ui("photo_sent");
      item.appendChild(img);
    }
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  function showQuickReplies(options) {
    quick.textContent = "";
    (options || []).forEach(function (option) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "quick-reply";
      button.textContent = option.label;
      button.addEventListener("click", function () { send({ text: option.value }, option.label); });
      quick.appendChild(button);
    });
  }

  function request(method, url, body, isForm) {
    var options = { method: method, headers: { "Accept": "application/json" } };
    if (body && isForm) {
      options.body = body;
    } else if (body) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    if (method === "POST" && url.indexOf("/messages") > 0) {
      options.headers["Idempotency-Key"] = String(Date.now()) + Math.random().toString(16).slice(2);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  function startSession() {
    return request("POST", api, { language: language }).then(function (result) {
      sessionId = result.data.session_id;
      localStorage.setItem(storageKey, sessionId);
      lastId = 0;
    });
  }

  function handleReplies(result) {
    if (result.status === 404) {
      localStorage.removeItem(storageKey);
      return startSession();
    }
    if (result.status !== 200) {
      showStatus(result.data.error ? result.data.error.message : ui("connection_error"));
      return;
    }
    showStatus("");
    if (result.data.language) applyLanguage(result.data.language);
    var replies = result.data.replies || [];
    replies.forEach(function (reply) {
      addMessage("out", reply.text);
      lastId = Math.max(lastId, Number(reply.id));
    });
    showQuickReplies(replies.length ? replies[replies.length - 1].quick_replies : []);
  }

  function send(payload, shown, isForm, extra) {
    if (busy || !sessionId) return;
    busy = true;
    addMessage("in", shown, extra);
    showQuickReplies([]);
    typing.hidden = false;
    request("POST", api + "/" + encodeURIComponent(sessionId) + "/messages", payload, isForm)
      .then(handleReplies)
      .catch(function () { showStatus(ui("connection_error")); })
      .then(function () { typing.hidden = true; busy = false; textBox.focus(); });
  }

  function restore() {
    return request("GET", api + "/" + encodeURIComponent(sessionId) + "/messages?after=" + lastId).then(function (result) {
      if (result.status === 404) {
        localStorage.removeItem(storageKey);
        return startSession();
      }
      if (result.status !== 200) return;
      var messages = result.data.messages || [];
      messages.forEach(function (message) {
        var photo = message.photos && message.photos[0];
        var text = message.text || (photo ? ui("photo_sent") : message.location ? ui("location_sent") : "");
        addMessage(message.direction, text, photo ? { photo: photo } : null);
        lastId = Math.max(lastId, Number(message.id));
      });
      if (messages.length) {
        var last = messages[messages.length - 1];
        showQuickReplies(last.direction === "out" ? last.quick_replies : []);
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = textBox.value.trim();
    if (!text) return;
    textBox.value = "";
    send({ text: text }, text);
  });
  textBox.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  photoInput.addEventListener("change", function () {
    var file = photoInput.files && photoInput.files[0];
    if (!file) return;
    var data = new FormData();
    data.append("photo", file);
    var caption = textBox.value.trim();
    if (caption) data.append("text", caption);
    textBox.value = "";
    send(data, caption || ui("photo_sent"), true, { photo: URL.createObjectURL(file) });
    photoInput.value = "";
  });
  document.getElementById("locate").addEventListener("click", function () {
    if (!navigator.geolocation) { showStatus(ui("location_unavailable")); return; }
    navigator.geolocation.getCurrentPosition(function (position) {
      send({ location: { lat: position.coords.latitude, lon: position.coords.longitude } }, ui("location_sent"));
    }, function () { showStatus(ui("location_unavailable")); }, { enableHighAccuracy: true, timeout: 15000 });
  });
  languageSelect.addEventListener("change", function () {
    applyLanguage(languageSelect.value);
    send({ text: config.ui[languageSelect.value] ? languageSelect.options[languageSelect.selectedIndex].text : "" },
      languageSelect.options[languageSelect.selectedIndex].text);
  });
  document.getElementById("new-chat").addEventListener("click", function () {
    localStorage.removeItem(storageKey);
    log.textContent = "";
    showQuickReplies([]);
    startSession();
  });

  applyLanguage(language);
  sessionId = localStorage.getItem(storageKey);
  (sessionId ? restore() : startSession()).then(function () {
    // Status updates and staff replies arrive while the page is open.
    setInterval(function () { if (!busy && sessionId) restore(); }, 15000);
  });
})();
