/* Quick exit that keeps its word (measured in tests/browser/test_exit.py).
   Lantern keeps one entry in the tab's history: links and forms inside the site replace the
   current entry instead of adding one, and leaving replaces that entry with the neutral site.
   So Back after leaving goes to the page before Lantern, never to Lantern.
   Everything works without this file: the button is a plain link to /exit (and then Back does
   return to the last page here, which the staying-safe page says). */
(function () {
  "use strict";
  var root = document.documentElement;
  var button = document.querySelector("[data-exit]");
  if (!button) { return; }
  var target = button.getAttribute("data-exit-url");
  var endpoint = button.getAttribute("href");
  var gone = false;

  function leave(event) {
    if (event) { event.preventDefault(); }
    if (gone) { return; }
    gone = true;
    root.className += " leaving";
    document.title = "";
    try { window.sessionStorage.clear(); } catch (e) { /* storage may be switched off */ }
    if (navigator.sendBeacon) { navigator.sendBeacon(endpoint); }
    window.location.replace(target);
  }

  // A click is a tap that ended on the button: a swipe or scroll that starts on it is not one.
  button.addEventListener("click", leave);

  // Shift pressed three times within five seconds; any other key starts the count again, so
  // typing capital letters never sends someone away by accident.
  var presses = [];
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") { presses = []; return; }
    showHint();
    if (event.repeat) { return; }
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 5000; });
    presses.push(now);
    if (presses.length >= 3) { leave(); }
  });

  // The Shift hint only where it can work: a mouse suggests a keyboard, a Shift key proves one.
  function showHint() {
    if (root.className.indexOf(" keys") < 0) { root.className += " keys"; }
  }
  if (window.matchMedia && window.matchMedia("(hover: hover) and (pointer: fine)").matches) {
    showHint();
  }

  // Stay one entry in history: move within the site by replacing the current entry.
  function inside(url) {
    return url.origin === window.location.origin;
  }

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey) { return; }
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || link === button || link.target || link.hasAttribute("download")) { return; }
    var url = new URL(link.href, window.location.href);
    if (!inside(url)) { return; }
    event.preventDefault();
    var here = window.location;
    if (url.hash && url.pathname === here.pathname && url.search === here.search) {
      // A link within the page (skip to content): move there without a new history entry.
      history.replaceState(history.state, "", url.href);
      var spot = document.getElementById(decodeURIComponent(url.hash.slice(1)));
      if (spot) { spot.scrollIntoView(); spot.focus(); }
      return;
    }
    window.location.replace(url.href);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.action) { return; }
    var url = new URL(form.action, window.location.href);
    if (!inside(url)) { return; }
    var get = (form.method || "get").toLowerCase() === "get";
    // Only posts that answer with a redirect (data-replace) can be sent in the background.
    if (!get && (!form.hasAttribute("data-replace") || !window.fetch)) { return; }
    var fields = event.submitter ? new FormData(form, event.submitter) : new FormData(form);
    var data = new URLSearchParams(fields);
    event.preventDefault();
    if (get) {
      url.search = data.toString();
      window.location.replace(url.href);
      return;
    }
    // Post in the background, then replace this entry with the page the server sends us to.
    fetch(url.href, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected) { window.location.replace(response.url); } else { form.submit(); }
      })
      .catch(function () { form.submit(); });
  });
})();
