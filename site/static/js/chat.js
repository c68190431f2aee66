/* Web chat without reloading. The page works without this file: the form posts and the server
   answers with the whole page. Here the same form posts in the background and the reply is
   added to the conversation; nothing is kept in the browser's storage. */
(function () {
  "use strict";
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  if (!log || !form || !window.fetch || !window.FormData) { return; }
  var box = form.querySelector("textarea");
  var busy = false;

  function refreshTokens(holder) {
    var fresh = holder.querySelector("[data-csrf]");
    if (!fresh) { return; }
    var inputs = document.querySelectorAll("input[name=csrf_token]");
    for (var i = 0; i < inputs.length; i++) { inputs[i].value = fresh.getAttribute("data-csrf"); }
  }

  function send(data, fallback) {
    if (busy) { return; }
    busy = true;
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Lantern-Partial": "1" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html; // the server's own template, autoescaped
      refreshTokens(holder);
      var reply = holder.querySelector(".chat-reply");
      while (holder.firstChild) { log.appendChild(holder.firstChild); }
      box.value = "";
      busy = false;
      // After a danger reply the 999 line is what matters: show it and read it out first.
      if (reply && reply.classList.contains("chat-reply-danger")) {
        reply.scrollIntoView({ block: "start" });
        reply.focus();
      } else {
        box.focus();
      }
    }).catch(function () {
      busy = false;
      fallback(); // let the plain form do it
    });
  }

  form.addEventListener("submit", function (event) {
    if (!box.value.trim()) { return; }
    event.preventDefault();
    send(new FormData(form), function () { form.submit(); });
  });

  // Option buttons in any reply: send the button's number the same way.
  log.addEventListener("submit", function (event) {
    var options = event.target;
    var button = event.submitter;
    if (!options.classList.contains("chat-options") || !button) { return; }
    event.preventDefault();
    var data = new FormData(options);
    data.set("message", button.value);
    send(data, function () { box.value = button.value; form.submit(); });
  });
})();
