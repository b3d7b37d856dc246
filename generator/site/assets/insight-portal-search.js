/*
 * Insight Portal search, for `search: pagefind` (added to every page by the plugin).
 *
 * - Every page: a labelled search field in the header (Material's own box belongs to its
 *   search plugin, which this backend turns off). It is a plain GET form to the search page,
 *   so it works from the keyboard (Enter) and without this page's JavaScript state; "/"
 *   focuses it when focus is not in a text field.
 * - The search page (#portal-search): a small search app over Pagefind's JavaScript API.
 *   Pagefind fetches only the index chunks a query needs. Its own UI also fetches every
 *   facet's page lists as soon as it starts (0.7 MB at 40,000 insights), whether or not the
 *   reader filters; here the facets are fetched when the reader opens "Filters" (or follows
 *   a link that sets one), so a plain query costs only its own chunks.
 *
 * State lives in the query string (?q=slot&status=New&persona=Maya), so a search or a
 * filtered list can be bookmarked and shared; the facets' URL keys and names come from the
 * plugin (data-facets). Text from the index reaches the page through textContent, except
 * Pagefind's excerpt, whose <mark> highlights are kept and everything else is made text.
 *
 * The site root is found from this script's own URL (<root>/assets/...), so the portal works
 * under a sub-path. __SEARCH_PAGE__ is replaced by the plugin with the search page's URL
 * relative to the root.
 */
(function () {
  "use strict";

  var SEARCH_PAGE = "__SEARCH_PAGE__";
  var DEBOUNCE_MS = 80;
  var PAGE_SIZE = 10; // results whose excerpt is fetched at a time (one small file each)
  var FIELD_LABEL = "Search insights, personas and journeys";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var root = new URL("..", script.src);
  var bundle = new URL("pagefind/", root);
  var numberFormat = new Intl.NumberFormat();

  /* ------------------------------------------------------------------ DOM helpers */

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      var value = props[key];
      if (value == null || value === false) return;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key === "hidden" || key === "checked") node[key] = !!value;
      else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child == null || child === "") return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function num(n) { return numberFormat.format(n); }

  function token(label) { return String(label).toLowerCase().replace(/[^a-z0-9]+/g, "-"); }

  /* ------------------------------------------------------------------ header field */

  function headerField() {
    var header = document.querySelector(".md-header__inner");
    if (!header || document.getElementById("ip-search-field")) return null;
    var input = el("input", { id: "ip-search-field", type: "search", name: "q",
      placeholder: "Search", autocomplete: "off", "aria-keyshortcuts": "/" });
    var form = el("form", { class: "ip-header-search", role: "search", method: "get",
      "aria-label": "Quick search",
      action: new URL(SEARCH_PAGE, root).href }, [
      el("label", { for: "ip-search-field", class: "ip-visually-hidden", text: FIELD_LABEL }),
      input]);
    header.insertBefore(form, header.querySelector(".md-header__source"));
    var style = document.createElement("style");
    style.textContent =
      ".ip-header-search{margin:0 .4rem;align-self:center}" +
      ".ip-header-search input{font:inherit;font-size:.75rem;color:inherit;width:10rem;" +
      "padding:.3rem .6rem;border:0;border-radius:.1rem;background:rgba(0,0,0,.26)}" +
      ".ip-header-search input::placeholder{color:inherit;opacity:.8}" +
      ".ip-header-search input:focus{outline:2px solid currentColor;outline-offset:1px;" +
      "background:rgba(0,0,0,.4)}" +
      "@media screen and (max-width:44.9375em){.ip-header-search input{width:6.5rem}}";
    document.head.appendChild(style);
    return input;
  }

  /* ------------------------------------------------------------------ search page */

  // Pagefind's excerpt is HTML: page text (escaped) with <mark> around matched words. Parsed
  // in an inert <template>; only the text and the <mark>s are carried over.
  function excerptNode(excerpt) {
    var template = document.createElement("template");
    template.innerHTML = excerpt || "";
    var out = el("p", { class: "ip-search-excerpt" });
    template.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") out.appendChild(el("mark", { text: node.textContent }));
      else out.appendChild(document.createTextNode(node.textContent));
    });
    return out;
  }

  function badges(filters) {
    var parts = [];
    [["Decision status", "ip-status-"], ["Severity", "ip-severity-"], ["Kind", "ip-kind-"]]
      .forEach(function (pair) {
        (filters[pair[0]] || []).forEach(function (value) {
          var text = pair[0] === "Severity" ? value + " severity" : value;
          parts.push(el("span", { class: "ip-badge " + pair[1] + token(value), text: text }), " ");
        });
      });
    return parts.length ? el("p", { class: "ip-card-meta" }, parts) : null;
  }

  function resultItem(data) {
    var title = (data.meta && data.meta.title) || data.url;
    return el("li", null, [el("article", { class: "ip-card" }, [
      el("h3", { class: "ip-card-title" }, [el("a", { href: data.url, text: title })]),
      badges(data.filters || {}),
      excerptNode(data.excerpt),
    ])]);
  }

  // What matched; with filters, also what the query alone matches (a reader who sees
  // "no page" learns whether a filter or the query is why).
  function resultsLine(n, term, filtered, unfiltered) {
    var matched = n === 1 ? "1 page matches" : num(n) + " pages match";
    if (!term) {
      return n ? matched + " these filters" : "No page matches these filters. Remove a filter to see more.";
    }
    var quoted = "\u201c" + term + "\u201d";
    if (!filtered || !unfiltered) return n ? matched + " " + quoted : "No page matches " + quoted + ".";
    return (n ? matched : "No page matches") + " " + quoted + " with these filters (" +
      num(unfiltered) + " without them)" + (n ? "" : ".");
  }

  function SearchApp(container, pagefind) {
    var facets = JSON.parse(container.getAttribute("data-facets") || "[]"); // [[key, name]]
    // key -> the facet's values in their own order (status, kind, severity)
    var facetOrder = JSON.parse(container.getAttribute("data-facet-order") || "{}");
    var params = new URLSearchParams(window.location.search);
    var selected = {}; // facet name -> array of chosen values
    facets.forEach(function (facet) {
      var values = params.getAll(facet[0]).filter(Boolean);
      if (values.length) selected[facet[1]] = values;
    });
    var totals = null; // every facet value's page count, once fetched
    var facetsLoading = null;
    var current = { term: "", results: [], shown: 0, generation: 0 };
    var options = {}; // facet name -> value -> its list item and count, once drawn
    var timer = 0;

    var input = el("input", { id: "ip-search-q", class: "ip-input", type: "search", name: "q",
      autocomplete: "off" });
    input.value = params.get("q") || "";
    var form = el("form", { class: "ip-toolbar", role: "search", "aria-label": "Search page",
      onsubmit: function (event) { event.preventDefault(); run(); } }, [
      el("div", { class: "ip-field ip-field-q" }, [
        el("label", { for: "ip-search-q", text: FIELD_LABEL }), input])]);
    var chosenCount = el("span", { class: "ip-facets-selected" });
    var toggle = el("button", { type: "button", class: "ip-button ip-facets-toggle",
      "aria-expanded": "false", "aria-controls": "ip-search-facets", onclick: toggleFacets },
      ["Filters", chosenCount]);
    var facetList = el("div", { class: "ip-facet-list", id: "ip-search-facets", hidden: true });
    var line = el("p", { class: "ip-results-line", role: "status", "aria-atomic": "true",
      tabindex: "-1" });
    // Where the facets stack above the results (a phone), a way down to them.
    var toResults = el("button", { type: "button", class: "ip-button ip-facets-results",
      onclick: function () {
        var first = list.querySelector("a");
        (first || line).focus();
        (first || line).scrollIntoView({ block: "center" });
      } }, ["Show the results"]);
    var list = el("ol", { class: "ip-cards ip-search-results" });
    var more = el("button", { type: "button", class: "ip-button ip-search-more", hidden: true,
      onclick: function () { showMore(true); } }, ["Show more results"]);
    var app = el("div", { class: "ip-app ip-view-search" }, [
      form,
      el("div", { class: "ip-facets", role: "group", "aria-label": "Filters" }, [toggle, facetList]),
      el("div", { class: "ip-results" }, [
        el("h2", { class: "ip-visually-hidden", text: "Results" }), line, list, more]),
    ]);
    container.textContent = "";
    container.appendChild(app);

    input.addEventListener("input", function () {
      clearTimeout(timer);
      // The word's index chunks start loading during the pause, not after it.
      if (input.value.trim()) pagefind.preload(input.value.trim()).catch(function () {});
      timer = setTimeout(function () { run(); }, DEBOUNCE_MS);
    });

    function chosen() {
      return Object.keys(selected).reduce(function (n, k) { return n + selected[k].length; }, 0);
    }

    function toggleFacets() {
      var open = facetList.hidden;
      facetList.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
      if (open) loadFacets();
    }

    function loadFacets() {
      if (!facetsLoading) {
        facetList.appendChild(el("p", { class: "ip-search-loading", text: "Loading filters\u2026" }));
        facetsLoading = pagefind.filters().then(function (all) {
          totals = all;
          resolveChosen();
          drawFacets();
          showCounts(null);
          // A search that ran before the filters were loaded came without counts.
          if (current.generation && (current.term || chosen())) recount(current.generation);
        }, function () {
          facetList.textContent = "The filters could not be loaded. Reload the page to try again.";
        });
      }
      return facetsLoading;
    }

    // Drawn once: the options stay put (and keep the focus) while their counts change.
    function drawFacets() {
      facetList.textContent = "";
      facets.forEach(function (facet) {
        var name = facet[1];
        var values = Object.keys(totals[name] || {});
        (selected[name] || []).forEach(function (v) { if (values.indexOf(v) < 0) values.push(v); });
        if (!values.length) return;
        var order = facetOrder[facet[0]] || [];
        var rank = function (value) {
          var at = order.indexOf(value);
          return at < 0 ? order.length : at;
        };
        values.sort(function (a, b) {
          return rank(a) - rank(b) || (totals[name][b] || 0) - (totals[name][a] || 0) ||
            a.localeCompare(b);
        });
        options[name] = {};
        var items = values.map(function (value) {
          var box = el("input", { type: "checkbox", checked: isChosen(name, value),
            onchange: function () { choose(name, value, box.checked); } });
          var count = el("span", { class: "ip-count" });
          var item = el("li", null, [el("label", { class: "ip-option" }, [box,
            el("span", { class: "ip-option-label", text: value }), count])]);
          options[name][value] = { item: item, box: box, count: count };
          return item;
        });
        facetList.appendChild(el("fieldset", { "data-facet": facet[0] }, [
          el("legend", { text: name }), el("ul", { class: "ip-options" }, items)]));
      });
      facetList.appendChild(toResults);
    }

    // A shared address may name a value in other letters, or as the insight index does
    // (status=under-review, persona=busy-parent, tag=fees,refunds): each is read as the
    // value it names. A value no page has stays chosen, shown with (0), to be removed.
    function resolveChosen() {
      Object.keys(selected).forEach(function (name) {
        var known = {};
        Object.keys(totals[name] || {}).forEach(function (value) { known[token(value)] = value; });
        var resolved = [];
        selected[name].forEach(function (value) {
          var parts = known[token(value)] || value.indexOf(",") < 0 ? [value] : value.split(",");
          parts.forEach(function (part) {
            var found = known[token(part.trim())] || part.trim();
            if (found && resolved.indexOf(found) < 0) resolved.push(found);
          });
        });
        selected[name] = resolved;
      });
    }

    function isChosen(name, value) {
      return (selected[name] || []).indexOf(value) >= 0;
    }

    // counts: facet name -> value -> pages; null: every page's (no query, no choice)
    function showCounts(counts) {
      var shown = counts || totals || {};
      Object.keys(options).forEach(function (name) {
        Object.keys(options[name]).forEach(function (value) {
          var n = (shown[name] || {})[value] || 0;
          var option = options[name][value];
          var open = n || isChosen(name, value);
          option.count.textContent = "(" + num(n) + ")";
          option.item.className = open ? "" : "ip-zero";
          option.box.disabled = !open; // choosing it would list nothing
        });
      });
    }

    // The counts that come with a search's results, then (for a facet with a choice)
    // its alternatives': the facet list is busy until they are all shown.
    function settleCounts(term, filters, counts, generation) {
      var names = Object.keys(filters);
      if (!totals || !names.length) {
        showCounts(counts);
        facetList.removeAttribute("aria-busy");
        return;
      }
      countAlternatives(term, filters, names).then(function (lists) {
        if (generation !== current.generation) return;
        var merged = Object.assign({}, counts);
        names.forEach(function (name, i) { merged[name] = lists[i]; });
        showCounts(merged);
        facetList.removeAttribute("aria-busy");
      }, function () { facetList.removeAttribute("aria-busy"); });
    }

    // The values of one facet are alternatives, so a facet with a choice counts what
    // each of its values would match without that choice: the search again, with the
    // other facets' choices only.
    function countAlternatives(term, filters, names) {
      return Promise.all(names.map(function (name) {
        var others = {};
        names.forEach(function (k) { if (k !== name) others[k] = filters[k]; });
        if (!term && !Object.keys(others).length) return totals[name] || {};
        return pagefind.search(term || null, { filters: others }).then(function (search) {
          return (search.filters || {})[name] || {};
        });
      }));
    }

    function recount(generation) {
      var filters = chosenFilters();
      facetList.setAttribute("aria-busy", "true");
      pagefind.search(current.term || null, { filters: filters }).then(function (search) {
        if (generation === current.generation) {
          settleCounts(current.term, filters, search.filters || {}, generation);
        }
      }, function () { facetList.removeAttribute("aria-busy"); });
    }

    function choose(name, value, on) {
      var values = (selected[name] || []).filter(function (v) { return v !== value; });
      if (on) values.push(value);
      if (values.length) selected[name] = values; else delete selected[name];
      run();
    }

    function writeUrl(term) {
      var out = new URLSearchParams();
      if (term) out.set("q", term);
      facets.forEach(function (facet) {
        (selected[facet[1]] || []).forEach(function (v) { out.append(facet[0], v); });
      });
      var query = out.toString();
      history.replaceState(history.state, "", query ? "?" + query : window.location.pathname);
    }

    function chosenFilters() {
      var filters = {};
      Object.keys(selected).forEach(function (k) { filters[k] = { any: selected[k] }; });
      return filters;
    }

    // One search; an answer that arrives after a newer search has started is dropped.
    function run() {
      var term = input.value.trim();
      var filters = chosenFilters();
      var generation = ++current.generation;
      current.term = term;
      chosenCount.textContent = chosen() ? " (" + num(chosen()) + " selected)" : "";
      writeUrl(term);
      if (!term && !chosen()) {
        current.results = [];
        list.textContent = "";
        more.hidden = true;
        line.textContent = "";
        showCounts(null);
        facetList.removeAttribute("aria-busy");
        return;
      }
      app.setAttribute("aria-busy", "true");
      if (totals) facetList.setAttribute("aria-busy", "true");
      pagefind.search(term || null, { filters: filters }).then(function (search) {
        if (generation !== current.generation) return;
        current.results = search.results;
        current.shown = 0;
        list.textContent = "";
        var n = search.results.length;
        line.textContent = resultsLine(n, term, chosen() > 0, search.unfilteredResultCount);
        toResults.textContent = n === 1 ? "Show the result" :
          n ? "Show the " + num(n) + " results" : "Show the results";
        settleCounts(term, filters, search.filters || {}, generation);
        return showMore(false);
      }).then(function () {
        if (generation === current.generation) app.removeAttribute("aria-busy");
      }, function (error) {
        app.removeAttribute("aria-busy");
        facetList.removeAttribute("aria-busy");
        line.textContent = "Search failed: " + error;
      });
    }

    function showMore(moveFocus) {
      var generation = current.generation;
      var batch = current.results.slice(current.shown, current.shown + PAGE_SIZE);
      current.shown += batch.length;
      more.hidden = current.shown >= current.results.length;
      return Promise.all(batch.map(function (r) { return r.data(); })).then(function (pages) {
        if (generation !== current.generation) return;
        var items = pages.map(resultItem);
        items.forEach(function (item) { list.appendChild(item); });
        if (moveFocus && items.length) items[0].querySelector("a").focus();
      });
    }

    this.start = function () {
      if (chosen()) {
        toggleFacets();
        facetsLoading.then(function () { run(); });
      } else {
        run();
      }
      if (!input.value) input.focus();
    };
  }

  // The index is written in parts of a few thousand pages (pagefind_parts.py): the
  // first at pagefind/, the others listed in pagefind/portal-parts.json. Pagefind
  // searches them side by side and merges their results.
  function otherParts() {
    return fetch(new URL("portal-parts.json", bundle).href).then(function (response) {
      return response.ok ? response.json() : { parts: [] };
    }).then(function (manifest) {
      return Array.isArray(manifest.parts) ? manifest.parts : [];
    }, function () { return []; });
  }

  function searchPage(container) {
    var options = { baseUrl: root.pathname, excerptLength: 24 };
    Promise.all([import(new URL("pagefind.js", bundle).href), otherParts()]).then(function (loaded) {
      var pagefind = loaded[0];
      return pagefind.options(options).then(function () {
        pagefind.init(); // the index entry and WebAssembly start loading before a key is pressed
        return Promise.all(loaded[1].map(function (part) {
          return pagefind.mergeIndex(new URL(part, bundle).pathname, options);
        }));
      }).then(function () {
        new SearchApp(container, pagefind).start();
      });
    }).catch(function () {
      container.textContent = "The search index could not be loaded. Under portal serve, " +
        "search uses the index of your last portal build: run it once. Under portal serve " +
        "--full it is still being built: reload the page in a few seconds.";
    });
  }

  // "/" focuses the search page's field, else the header's, unless focus is in a text field.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var input = document.getElementById("ip-search-q") || document.getElementById("ip-search-field");
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
