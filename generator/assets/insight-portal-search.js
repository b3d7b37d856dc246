/*
 * Insight Portal search, for `search: pagefind` (added to every page by the plugin).
 *
 * - Every page: a labelled search field in the header (Material's own box belongs to its
 *   search plugin, which this backend turns off). It is a plain GET form to the search page,
 *   so it works from the keyboard (Enter) and without this page's JavaScript state; "/"
 *   focuses it when focus is not in a text field.
 * - The search page (#portal-search): Pagefind's UI with the portal's facets, started with
 *   ?q= from the header form. Pagefind fetches only the index chunks a query needs, from
 *   this site; nothing is requested from another host.
 *
 * The site root is found from this script's own URL (<root>/assets/...), so the portal works
 * under a sub-path. __SEARCH_PAGE__ is replaced by the plugin with the search page's URL
 * relative to the root.
 */
(function () {
  "use strict";

  var SEARCH_PAGE = "__SEARCH_PAGE__";
  var DEBOUNCE_MS = 50; // Pagefind's default is 300 ms; answers take far less
  var script = document.currentScript;
  if (!script || !script.src) return;
  var root = new URL("..", script.src);
  var bundle = new URL("pagefind/", root);

  function headerField() {
    var header = document.querySelector(".md-header__inner");
    if (!header || document.getElementById("ip-search-field")) return null;
    var form = document.createElement("form");
    form.className = "ip-header-search";
    form.setAttribute("role", "search");
    form.method = "get";
    form.action = new URL(SEARCH_PAGE, root).href;
    var label = document.createElement("label");
    label.htmlFor = "ip-search-field";
    label.className = "ip-visually-hidden";
    label.textContent = "Search insights, personas and journeys";
    var input = document.createElement("input");
    input.id = "ip-search-field";
    input.type = "search";
    input.name = "q";
    input.placeholder = "Search";
    input.autocomplete = "off";
    input.setAttribute("aria-keyshortcuts", "/");
    form.appendChild(label);
    form.appendChild(input);
    var source = header.querySelector(".md-header__source");
    header.insertBefore(form, source);
    var style = document.createElement("style");
    style.textContent =
      ".ip-header-search{margin:0 .4rem;align-self:center}" +
      ".ip-header-search input{font:inherit;font-size:.75rem;color:inherit;width:10rem;" +
      "padding:.3rem .6rem;border:0;border-radius:.1rem;background:rgba(0,0,0,.26)}" +
      ".ip-header-search input::placeholder{color:inherit;opacity:.8}" +
      ".ip-header-search input:focus{outline:2px solid currentColor;outline-offset:1px;" +
      "background:rgba(0,0,0,.4)}" +
      "@media screen and (max-width:44.9375em){.ip-header-search input{width:6.5rem}}" +
      // Pagefind's UI in Material's colours (light and dark) and type scale.
      ".ip-pagefind{--pagefind-ui-scale:.8;--pagefind-ui-primary:var(--md-accent-fg-color);" +
      "--pagefind-ui-text:var(--md-default-fg-color);" +
      "--pagefind-ui-background:var(--md-default-bg-color);" +
      "--pagefind-ui-border:var(--md-default-fg-color--lightest);" +
      "--pagefind-ui-tag:var(--md-default-fg-color--lightest);--pagefind-ui-font:inherit;" +
      "padding-top:0}";
    document.head.appendChild(style);
    return input;
  }

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (key) { element.setAttribute(key, attributes[key]); });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function searchPage(container) {
    var query = new URLSearchParams(window.location.search).get("q") || "";
    var open = (container.getAttribute("data-open-filters") || "").split(",").filter(Boolean);
    load("link", { rel: "stylesheet", href: new URL("pagefind-ui.css", bundle).href });
    load("script", { src: new URL("pagefind-ui.js", bundle).href }).then(function () {
      container.textContent = "";
      // Material styles details, summary and lists inside .md-typeset (the article) as
      // admonitions; Pagefind's filters are details. Mount the UI just after the article.
      var mount = container;
      var article = container.closest(".md-typeset");
      if (article) {
        mount = document.createElement("div");
        mount.className = "md-content__inner ip-pagefind";
        article.parentNode.insertBefore(mount, article.nextSibling);
      }
      mount.id = "ip-pagefind";
      var ui = new window.PagefindUI({
        element: "#ip-pagefind",
        bundlePath: bundle.pathname,
        baseUrl: root.pathname,
        showImages: false,
        showSubResults: false,
        openFilters: open,
        debounceTimeoutMs: DEBOUNCE_MS,
        autofocus: !query,
        translations: { placeholder: "Search insights, personas and journeys" }
      });
      var input = mount.querySelector("input.pagefind-ui__search-input");
      if (input) {
        input.setAttribute("aria-label", "Search insights, personas and journeys");
        // Pagefind's UI loads its index entry and WebAssembly on the field's first focus
        // event; on the search page the reader is here to search, so load them now.
        input.dispatchEvent(new FocusEvent("focus"));
      }
      if (query) ui.triggerSearch(query);
    }, function () {
      container.textContent = "The search index could not be loaded. In a preview (portal " +
        "serve) it is still being built: reload the page in a few seconds.";
    });
  }

  // "/" focuses the search page's field, else the header's, unless focus is in a text field.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var input = document.querySelector("input.pagefind-ui__search-input") ||
      document.getElementById("ip-search-field");
    if (!input) return;
    event.preventDefault();
    input.focus();
  });

  function start() {
    headerField();
    var container = document.getElementById("portal-search");
    if (container && !container.hasAttribute("data-mounted")) {
      container.setAttribute("data-mounted", "");
      searchPage(container);
    }
  }

  // With Material's navigation.instant, pages are swapped without a reload and announced
  // on document$; without it, the page's DOMContentLoaded is the one start.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(start);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
