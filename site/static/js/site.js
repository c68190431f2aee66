/* Quick exit, improving on GOV.UK's "Exit this page": the page is hidden at once, the server
   session and chat are ended, and location.replace() keeps Back from returning here.
   Everything works without this file: the button is a plain link to /exit. */
(function () {
  "use strict";
  var button = document.querySelector("[data-exit]");
  if (!button) { return; }
  var target = button.getAttribute("data-exit-url");
  var endpoint = button.getAttribute("href");
  var gone = false;

  function leave(event) {
    if (event) { event.preventDefault(); }
    if (gone) { return; }
    gone = true;
    document.documentElement.className += " leaving";
    document.title = "";
    try { window.sessionStorage.clear(); } catch (e) { /* storage may be switched off */ }
    if (navigator.sendBeacon) { navigator.sendBeacon(endpoint); }
    window.location.replace(target);
  }

  button.addEventListener("click", leave);
  // On touch screens leave as the finger lands, not after it lifts.
  button.addEventListener("pointerdown", function (event) {
    if (event.pointerType !== "mouse") { leave(event); }
  });

  // Shift pressed three times within five seconds; any other key starts the count again, so
  // typing capital letters never sends someone away by accident.
  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") { presses = []; return; }
    if (event.repeat) { return; }
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 5000; });
    presses.push(now);
    if (presses.length >= 3) { leave(); }
  });
})();
