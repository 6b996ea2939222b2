// mailtrail web view: tabs, and reloading the page when a file changes.
// Plain JavaScript, no build step. Without it every panel simply shows.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // Tabs: the open tab lives in the URL fragment, so a reload keeps it.
  var tabs = document.querySelectorAll("[data-tab]");
  var bar = document.querySelector(".tabs");
  function show(name) {
    if (!tabs.length) return;
    if (!name || !document.getElementById(name) || !document.querySelector('[data-tab="' + name + '"]')) {
      name = (bar && bar.getAttribute("data-default")) || tabs[0].getAttribute("data-tab");
    }
    tabs.forEach(function (t) {
      var on = t.getAttribute("data-tab") === name;
      t.classList.toggle("on", on);
      t.setAttribute("aria-selected", on ? "true" : "false");
      var p = document.getElementById(t.getAttribute("data-tab"));
      if (p) p.classList.toggle("on", on);
    });
  }
  tabs.forEach(function (t) {
    t.addEventListener("click", function (ev) {
      ev.preventDefault();
      var name = t.getAttribute("data-tab");
      history.replaceState(null, "", "#" + name);
      show(name);
    });
  });
  show(location.hash.slice(1));
  window.addEventListener("hashchange", function () { show(location.hash.slice(1)); });

  // Choosing a locale or a data file shows it at once.
  document.querySelectorAll("form.pick select").forEach(function (s) {
    s.addEventListener("change", function () {
      var f = s.form, q = new URLSearchParams(new FormData(f));
      location.href = f.getAttribute("action") + "?" + q.toString() + location.hash;
    });
  });

  // Live reload over server-sent events.
  var live = document.getElementById("live");
  var url = document.body.getAttribute("data-events");
  if (!url || !window.EventSource) return;
  var es = new EventSource(url), lost = false;
  es.addEventListener("ready", function () {
    if (lost) { location.reload(); return; } // the server restarted
    if (live) live.className = "live on";
  });
  es.addEventListener("reload", function () {
    if (live) live.className = "live busy";
    location.reload();
  });
  es.onerror = function () {
    lost = true;
    if (live) live.className = "live off";
  };
})();
