// digest preview: tabs, iframe heights, and live reload through server-sent events.
"use strict";
(function () {
  const version = document.body.dataset.version;
  const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
  const SCROLL = "digest-preview-scroll";

  // Each email iframe is as tall as its document, so only the page scrolls: a frame's own
  // scroll bar would narrow it and fake a horizontal overflow at 375 px.
  function fit(frame) {
    const doc = frame.contentDocument;
    if (doc && doc.documentElement && frame.offsetParent !== null) {
      frame.style.height = doc.documentElement.scrollHeight + "px";
    }
  }
  const frames = Array.from(document.querySelectorAll("iframe.email"));
  frames.forEach((f) => f.addEventListener("load", () => fit(f)));

  function show(name, remember) {
    if (!tabs.some((t) => t.dataset.tab === name)) name = "desktop";
    for (const tab of tabs) {
      const on = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      document.getElementById("panel-" + tab.dataset.tab).hidden = !on;
    }
    if (remember) history.replaceState(null, "", "#" + name);
    frames.forEach(fit);
  }
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => show(tab.dataset.tab, true));
    tab.addEventListener("keydown", (e) => {
      const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      next.focus();
      show(next.dataset.tab, true);
    });
  });
  if (tabs.length) show(location.hash.slice(1), false);
  window.addEventListener("hashchange", () => show(location.hash.slice(1), false));

  // Keep the reader's place across reloads.
  const saved = sessionStorage.getItem(SCROLL);
  if (saved !== null) {
    sessionStorage.removeItem(SCROLL);
    window.addEventListener("load", () => window.scrollTo(0, Number(saved)));
  }

  // The server sends its current version at once and each new one after a rebuild (good or
  // failed); any other version than ours means this page is stale.
  const live = document.getElementById("live");
  const events = new EventSource("/events");
  events.onmessage = (e) => {
    live.classList.remove("off");
    live.textContent = "live";
    if (e.data !== version) {
      sessionStorage.setItem(SCROLL, String(window.scrollY));
      location.reload();
    }
  };
  events.onerror = () => {
    live.classList.add("off");
    live.textContent = "server stopped? retrying";
  };
})();
