/*
 * Insight Portal: the client-side insight index and decision log.
 *
 * Mount point (written by the page templates):
 *   <div class="ip-app" data-view="index|decisions"
 *        data-src="../assets/insight-index.json" data-root="../"> static fallback </div>
 * The data is fetched, then the container's content is replaced by the app; if the fetch
 * fails the fallback stays and a short message is added. Filter, sort and page state live in
 * the URL hash (#status=new,under-review&persona=busy-parent&sort=severity&page=2&q=slot),
 * read on load and on hashchange, written with history.replaceState.
 *
 * No dependencies, no network requests other than data-src. Everything taken from the data
 * reaches the page through textContent or attribute setters, never as HTML.
 */
(function () {
  "use strict";

  var UNDECIDED = { "new": true, "under-review": true };
  var INDEX_PAGE_SIZE = 50;
  var LOG_PAGE_SIZE = 100;
  var DEBOUNCE_MS = 150;
  var HASH_WRITE_MS = 250;
  var NO_OWNER_TOKEN = "-"; // how "no owner yet" is written in the hash
  var uid = 0;

  /* ------------------------------------------------------------------ DOM helpers */

  function h(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      for (var key in props) {
        if (!Object.prototype.hasOwnProperty.call(props, key)) continue;
        var v = props[key];
        if (v == null || v === false) continue;
        if (key === "class") node.className = v;
        else if (key === "text") node.textContent = v;
        else if (key === "checked" || key === "disabled" || key === "hidden") node[key] = !!v;
        else if (key === "value") node.value = v;
        else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), v);
        else node.setAttribute(key, v === true ? "" : String(v));
      }
    }
    if (children) add(node, children);
    return node;
  }

  function add(node, children) {
    for (var i = 0; i < children.length; i++) {
      var c = children[i];
      if (c == null || c === false || c === "") continue;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  /* ------------------------------------------------------------------ text helpers */

  var numberFormat = new Intl.NumberFormat("en-US");
  function num(n) { return numberFormat.format(n); }

  function str(v) { return v == null ? "" : String(v); }

  function strList(v) {
    if (!Array.isArray(v)) return [];
    var out = [];
    for (var i = 0; i < v.length; i++) {
      var s = str(v[i]);
      if (s && out.indexOf(s) < 0) out.push(s);
    }
    return out;
  }

  function humanise(s) {
    s = str(s).replace(/[-_]+/g, " ");
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function cssToken(s) { return str(s).toLowerCase().replace(/[^a-z0-9-]/g, "") || "none"; }

  function dayNumber(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(str(iso));
    return m ? Math.round(Date.UTC(+m[1], +m[2] - 1, +m[3]) / 864e5) : NaN;
  }

  var collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
  function byText(a, b) {
    return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
  }

  function terms(q) {
    return str(q).toLowerCase().split(/\s+/).filter(Boolean);
  }

  /* ------------------------------------------------------------------ URL hash */

  function decode(s) {
    try { return decodeURIComponent(s); } catch (e) { return s; }
  }

  function encode(s) {
    return encodeURIComponent(s).replace(/%2F/gi, "/");
  }

  function rawHash() { return location.hash.replace(/^#/, ""); }

  /* A hash that is not ours (a heading anchor such as #stage-checkout) is left alone. */
  function isStateHash(raw) { return raw === "" || raw.indexOf("=") >= 0; }

  function parseParams(raw) {
    var params = new Map();
    raw.split("&").forEach(function (part) {
      var i = part.indexOf("=");
      if (i <= 0) return;
      params.set(decode(part.slice(0, i)).trim().toLowerCase(), part.slice(i + 1));
    });
    return params;
  }

  function splitList(raw) {
    if (!raw) return [];
    return raw.split(",").map(function (s) { return decode(s).trim(); }).filter(Boolean);
  }

  function writeHash(pairs) {
    var hash = pairs.map(function (p) { return p[0] + "=" + p[1]; }).join("&");
    var base = location.pathname + location.search;
    var url = base + (hash ? "#" + hash : "");
    if (url !== base + location.hash) {
      try { history.replaceState(history.state, "", url); } catch (e) { /* sandboxed: keep going */ }
    }
  }

  /* ------------------------------------------------------------------ data model */

  /* The facets of the index data: [{key, legend, views, options: [[value, label]]}]. */
  function facetList(v) {
    if (!Array.isArray(v)) return [];
    return v.map(function (fd, at) {
      fd = fd || {};
      var options = Array.isArray(fd.options) ? fd.options.filter(Array.isArray).map(function (o) {
        return [str(o[0]), str(o[1]) || str(o[0])];
      }) : [];
      return { key: str(fd.key), legend: str(fd.legend), views: strList(fd.views), options: options, at: at };
    }).filter(function (fd) { return fd.key; });
  }

  /* A row's facet options: per facet, positions in that facet's options. */
  function facetRow(v) {
    if (!Array.isArray(v)) return [];
    return v.map(function (positions) {
      return Array.isArray(positions) ? positions.filter(function (k) { return k === (k | 0) && k >= 0; }) : [];
    });
  }

  function buildModel(data) {
    var names = data.names || {};
    var nameMaps = {
      persona: names.persona || {},
      journey: names.journey || {},
      stage: names.stage || {},
      status: names.status || {},
    };
    var rows = data.insights;
    var n = rows.length;
    var today = dayNumber(data.today);
    var recs = new Array(n);
    for (var i = 0; i < n; i++) {
      var r = rows[i] || {};
      var severity = str(r.severity);
      var rank = typeof r.rank === "number" && r.rank >= 0 ? r.rank : -1;
      var rec = {
        id: str(r.id),
        title: str(r.title) || str(r.id),
        summary: str(r.summary),
        kind: str(r.kind),
        status: str(r.status),
        severity: severity,
        rank: rank,
        personas: strList(r.personas),
        journey: str(r.journey),
        stages: strList(r.stages),
        f: facetRow(r.f),
        tags: strList(r.tags),
        created: str(r.created),
        owner: str(r.owner),
        decided: str(r.decided),
        strength: str(r.strength),
        strengthRank: typeof r.strengthRank === "number" ? r.strengthRank : NaN,
      };
      rec.createdDay = dayNumber(rec.created);
      rec.decidedDay = dayNumber(rec.decided);
      var since = rec.decided ? rec.decidedDay : rec.createdDay;
      rec.age = today === today && since === since ? today - since : NaN;
      rec.hay = (rec.title + "\n" + rec.summary + "\n" + rec.tags.join(" ")).toLowerCase();
      recs[i] = rec;
    }
    // One stable order by title then id: every other order falls back on it.
    var titleKeys = recs.map(function (r) { return r.title.toLowerCase(); });
    var base = sortIndices(n, function (a, b) {
      var x = titleKeys[a], y = titleKeys[b];
      if (x !== y) return x < y ? -1 : 1;
      x = recs[a].title; y = recs[b].title;
      if (x !== y) return x < y ? -1 : 1;
      x = recs[a].id; y = recs[b].id;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
    var facets = facetList(data.facets);
    var status = facets.filter(function (fd) { return fd.key === "status"; })[0];
    return {
      n: n, recs: recs, names: nameMaps, today: str(data.today), baseOrder: base,
      facets: facets, statusOrder: status ? status.options.map(function (o) { return o[0]; }) : [],
      orders: new Map(), keys: new Map(), textQuery: null, textPass: null,
      fails: new Uint8Array(n), failedFacet: new Uint8Array(n),
    };
  }

  function sortIndices(n, cmp) {
    var idx = new Array(n);
    for (var i = 0; i < n; i++) idx[i] = i;
    idx.sort(cmp);
    return Int32Array.from(idx);
  }

  function cachedOrder(model, name, make) {
    var order = model.orders.get(name);
    if (!order) {
      order = make();
      model.orders.set(name, order);
    }
    return order;
  }

  /* A per-insight integer key (NaN when missing), computed once. */
  function numericKey(model, name, fn) {
    var key = model.keys.get(name);
    if (!key) {
      key = new Float64Array(model.n);
      for (var i = 0; i < model.n; i++) key[i] = fn(model.recs[i]);
      model.keys.set(name, key);
    }
    return key;
  }

  /*
   * Order by an integer key (dir 1 ascending, -1 descending; missing last either way), ties
   * kept in the order `tieOrder`. Packs key and tie position into one number and uses the
   * native typed-array sort: about a millisecond for 10,000 insights.
   */
  function orderByKey(key, dir, tieOrder) {
    var n = tieOrder.length, i, v;
    var min = Infinity, max = -Infinity;
    for (i = 0; i < n; i++) {
      v = key[i];
      if (v === v) { if (v < min) min = v; if (v > max) max = v; }
    }
    var missing = min === Infinity ? 0 : max - min + 1;
    var packed = new Float64Array(n);
    for (i = 0; i < n; i++) {
      var row = tieOrder[i];
      v = key[row];
      var k = v !== v ? missing : (dir > 0 ? v - min : max - v);
      packed[i] = k * n + i;
    }
    packed.sort();
    var out = new Int32Array(n);
    for (i = 0; i < n; i++) out[i] = tieOrder[packed[i] % n];
    return out;
  }

  function reversed(order) {
    var out = new Int32Array(order.length);
    for (var i = 0, n = order.length; i < n; i++) out[i] = order[n - 1 - i];
    return out;
  }

  function createdKey(model) {
    return numericKey(model, "created", function (r) { return r.createdDay; });
  }

  function strengthKey(model) {
    return numericKey(model, "strength", function (r) { return r.strengthRank; });
  }

  function rankKey(model) {
    return numericKey(model, "rank", function (r) { return r.rank >= 0 ? r.rank : NaN; });
  }

  /* ------------------------------------------------------------------ facets */

  /* A facet: its option values, and per insight the option indices it has (CSR arrays). */
  function Facet(model, def) {
    this.name = def.name;
    this.legend = def.legend;
    this.labelOf = def.label;
    this.compare = def.compare;
    this.values = [];
    this.labels = [];
    this.index = new Map();
    this.selected = new Set();
    this.order = [];
    (def.always || []).forEach(this.ensure, this);
    var n = model.n;
    var offsets = new Int32Array(n + 1);
    var vals = [];
    for (var i = 0; i < n; i++) {
      var keys = def.keys(model.recs[i]);
      for (var j = 0; j < keys.length; j++) {
        var k = this.ensure(keys[j]);
        var seen = false;
        for (var m = offsets[i]; m < vals.length; m++) if (vals[m] === k) { seen = true; break; }
        if (!seen) vals.push(k);
      }
      offsets[i + 1] = vals.length;
    }
    this.offsets = offsets;
    this.vals = Int32Array.from(vals);
    this.known = this.values.length; // options past this come from the hash, not the data
    this.sortOptions();
  }

  Facet.prototype.ensure = function (value) {
    var k = this.index.get(value);
    if (k === undefined) {
      k = this.values.length;
      this.index.set(value, k);
      this.values.push(value);
      this.labels.push(this.labelOf(value));
      this.order.push(k);
      this.dirty = true;
    }
    return k;
  };

  /* Select these values, dropping options that only an earlier hash had added. */
  Facet.prototype.select = function (values) {
    if (this.values.length > this.known) {
      for (var k = this.known; k < this.values.length; k++) this.index.delete(this.values[k]);
      this.values.length = this.labels.length = this.known;
      var known = this.known;
      this.order = this.order.filter(function (k) { return k < known; });
      this.dirty = true;
    }
    this.selected = new Set(values);
    var added = false;
    values.forEach(function (v) {
      if (!this.index.has(v)) { this.ensure(v); added = true; }
    }, this);
    if (added) this.sortOptions();
  };

  Facet.prototype.sortOptions = function () {
    var self = this;
    this.order.sort(function (a, b) {
      return self.compare(self.values[a], self.values[b], self.labels[a], self.labels[b]) || a - b;
    });
  };

  Facet.prototype.selectedInOrder = function () {
    var self = this;
    return this.order.filter(function (k) { return self.selected.has(self.values[k]); })
      .map(function (k) { return self.values[k]; });
  };

  function fixedOrder(list) {
    return function (a, b, la, lb) {
      var x = list.indexOf(a), y = list.indexOf(b);
      if (x < 0) x = list.length;
      if (y < 0) y = list.length;
      return x - y || byText(la, lb);
    };
  }

  function statusLabel(model, status) {
    return status ? (model.names.status[status] || humanise(status)) : "No status";
  }

  /* The facets a view offers, as the index data declares them (generator/site/facets.py):
   * each with its options in order ([value, label] pairs), and each row's options as
   * positions in that list. An option a URL names that no insight has follows, by label. */
  function facetDefs(model, view) {
    return model.facets.filter(function (fd) { return fd.views.indexOf(view) >= 0; })
      .map(function (fd) {
        var values = fd.options.map(function (o) { return o[0]; });
        var labels = new Map(fd.options);
        return {
          name: fd.key, legend: fd.legend, always: values,
          keys: function (r) {
            return (r.f[fd.at] || []).map(function (k) { return values[k]; })
              .filter(function (v) { return v !== undefined; });
          },
          label: function (v) { return labels.has(v) ? labels.get(v) : humanise(v); },
          compare: fixedOrder(values),
        };
      });
  }

  /*
   * Filter and count in O(facets x n): a row fails a facet when that facet has a selection
   * and none of the row's values is selected. Rows failing nothing are results and count for
   * every facet; rows failing exactly one facet count for that facet only (its counts ignore
   * its own selection). A row not matching the words counts nowhere.
   */
  function evaluate(model, facets, q, order) {
    var n = model.n, F = facets.length;
    var fails = model.fails, failed = model.failedFacet;
    var i, j, f, e;
    fails.fill(0);

    var words = terms(q);
    if (words.length) {
      var key = words.join(" ");
      if (model.textQuery !== key) {
        var pass = model.textPass || (model.textPass = new Uint8Array(n));
        for (i = 0; i < n; i++) {
          var hay = model.recs[i].hay, ok = 1;
          for (j = 0; j < words.length; j++) {
            if (hay.indexOf(words[j]) < 0) { ok = 0; break; }
          }
          pass[i] = ok;
        }
        model.textQuery = key;
      }
      var tp = model.textPass;
      for (i = 0; i < n; i++) if (!tp[i]) fails[i] = 2;
    }

    for (f = 0; f < F; f++) {
      var facet = facets[f];
      if (!facet.selected.size) continue;
      var sel = new Uint8Array(facet.values.length);
      facet.selected.forEach(function (v) {
        var k = facet.index.get(v);
        if (k !== undefined) sel[k] = 1;
      });
      var off = facet.offsets, vals = facet.vals;
      for (i = 0; i < n; i++) {
        if (fails[i] >= 2) continue;
        var hit = false;
        for (j = off[i], e = off[i + 1]; j < e; j++) {
          if (sel[vals[j]]) { hit = true; break; }
        }
        if (!hit) { fails[i]++; failed[i] = f; }
      }
    }

    var counts = facets.map(function (fc) { return new Int32Array(fc.values.length); });
    var totals = new Int32Array(F);
    for (i = 0; i < n; i++) {
      var fl = fails[i];
      if (fl === 0) {
        for (f = 0; f < F; f++) {
          var c = counts[f], o = facets[f].offsets, v = facets[f].vals;
          for (j = o[i], e = o[i + 1]; j < e; j++) c[v[j]]++;
          totals[f]++;
        }
      } else if (fl === 1) {
        f = failed[i];
        var c1 = counts[f], o1 = facets[f].offsets, v1 = facets[f].vals;
        for (j = o1[i], e = o1[i + 1]; j < e; j++) c1[v1[j]]++;
        totals[f]++;
      }
    }

    var result = [];
    for (i = 0; i < order.length; i++) {
      if (fails[order[i]] === 0) result.push(order[i]);
    }
    return { result: result, counts: counts, totals: totals };
  }

  /* ------------------------------------------------------------------ shared view parts */

  function makeLinks(root) {
    root = str(root) || "../";
    var html = /\.html?$/i.test(root);
    if (html) root = root.replace(/[^/]*$/, ""); // "../index.html" -> "../"
    else if (root.slice(-1) !== "/") root += "/";
    function page(section, id) {
      return root + section + "/" + encodeURIComponent(id) + (html ? ".html" : "/");
    }
    return {
      insight: function (id) { return page("insights", id); },
      persona: function (id) { return page("personas", id); },
      journey: function (id) { return page("journeys", id); },
    };
  }

  function statusBadge(model, status) {
    return h("span", { class: "ip-badge ip-status-" + cssToken(status), text: statusLabel(model, status) });
  }

  function severityBadge(severity, suffix) {
    if (!severity) return null;
    return h("span", { class: "ip-badge ip-severity-" + cssToken(severity), text: humanise(severity) + (suffix || "") });
  }

  function strengthBadge(strength) {
    if (!strength) return null;
    return h("span", { class: "ip-badge ip-strength ip-strength-" + cssToken(strength),
      text: strength === "single-method" ? "Single method" : humanise(strength) });
  }

  function kindBadge(kind) {
    if (!kind) return null;
    return h("span", { class: "ip-badge ip-kind-" + cssToken(kind), text: humanise(kind) });
  }

  function dateNode(iso) {
    return h("time", { datetime: iso, text: iso });
  }

  function resultsText(total, start, end) {
    if (!total) return "No insights match these filters";
    if (total === 1) return "Showing 1 of 1 insight";
    return "Showing " + num(start + 1) + "\u2013" + num(end) + " of " + num(total) + " insights";
  }

  /* A pager: Previous, "Page x of y", Next. */
  function makePager(id, onPage) {
    var prev = h("button", { type: "button", class: "ip-button ip-prev", text: "Previous",
      onclick: function () { onPage(-1); } });
    var next = h("button", { type: "button", class: "ip-button ip-next", text: "Next",
      onclick: function () { onPage(1); } });
    var where = h("span", { class: "ip-page", id: id });
    var nav = h("nav", { class: "ip-pager", "aria-label": "Pages" }, [prev, " ", where, " ", next]);
    return {
      node: nav,
      update: function (page, pages) {
        where.textContent = "Page " + num(page) + " of " + num(pages);
        prev.disabled = page <= 1;
        next.disabled = page >= pages;
        nav.hidden = pages <= 1;
      },
    };
  }

  /* A fieldset of checkboxes for one facet, updated in place on every render. */
  function makeCheckboxFacet(facet, onToggle) {
    var list = h("ul", { class: "ip-options" });
    var fieldset = h("fieldset", { class: "ip-facet", "data-facet": facet.name },
      [h("legend", { text: facet.legend }), list]);
    var items = [];

    function build() {
      clear(list);
      items = [];
      facet.order.forEach(function (k) {
        // autocomplete=off: the state lives in the hash; the browser must not restore
        // checkbox states of its own on back/forward.
        var input = h("input", { type: "checkbox", name: "ip-" + facet.name, value: facet.values[k], autocomplete: "off",
          onchange: function () { onToggle(facet, facet.values[k], input.checked); } });
        var count = h("span", { class: "ip-count" });
        var li = h("li", null, [h("label", { class: "ip-option" },
          [input, " ", h("span", { class: "ip-option-label", text: facet.labels[k] }), " ", count])]);
        items[k] = { li: li, input: input, count: count, last: -1, checked: null };
        list.appendChild(li);
      });
      facet.dirty = false;
    }

    build();
    return {
      node: fieldset,
      update: function (counts) {
        if (facet.dirty) build();
        fieldset.hidden = facet.values.length === 0;
        for (var k = 0; k < items.length; k++) {
          var it = items[k];
          var c = counts[k], checked = facet.selected.has(facet.values[k]);
          if (c === it.last && checked === it.checked) continue;
          it.count.textContent = num(c);
          it.input.checked = checked;
          // An option no result has is disabled, unless selected or focused (unchecking a
          // selected option must not throw the focus away).
          it.input.disabled = c === 0 && !checked && document.activeElement !== it.input;
          it.li.className = c === 0 ? "ip-zero" : "";
          it.last = c;
          it.checked = checked;
        }
      },
    };
  }

  /* Resolve the hash's `stage` values: journeyId/stageId, or a bare stage id within the
     selected journeys (or, with no journey selected, in any journey). */
  function resolveStages(model, stageFacet, values, journeys) {
    var out = [];
    values.forEach(function (v) {
      if (v.indexOf("/") >= 0) { out.push(v); return; }
      if (journeys.length) {
        journeys.forEach(function (j) { out.push(j + "/" + v); });
        return;
      }
      var found = false;
      var known = stageFacet.values.concat(Object.keys(model.names.stage));
      known.forEach(function (k) {
        if (k.slice(k.indexOf("/") + 1) === v && out.indexOf(k) < 0) { out.push(k); found = true; }
      });
      if (!found) out.push(v);
    });
    return out;
  }

  function readFacetSelections(model, facets, params) {
    var byName = {};
    facets.forEach(function (f) { byName[f.name] = f; });
    facets.forEach(function (f) {
      var values = splitList(params.get(f.name));
      if (f.name === "stage") {
        values = resolveStages(model, f, values, byName.journey ? splitList(params.get("journey")) : []);
      } else if (f.name === "owner") {
        values = values.map(function (v) { return v === NO_OWNER_TOKEN ? "" : v; });
      }
      f.select(values);
    });
  }

  function facetPairs(facets) {
    var pairs = [];
    facets.forEach(function (f) {
      if (!f.selected.size) return;
      var vals = f.selectedInOrder().map(function (v) {
        return f.name === "owner" && v === "" ? NO_OWNER_TOKEN : encode(v);
      });
      pairs.push([f.name, vals.join(",")]);
    });
    return pairs;
  }

  /*
   * Keeps the hash in step with the state. A foreign anchor on load (#some-heading) is left
   * alone until the reader changes something. Writes are deferred and coalesced: the browser
   * lays the page out to save the scroll position on every history.replaceState, which would
   * otherwise double the cost of each click. A pending write is flushed before a link is
   * followed and when the page is left.
   */
  function hashKeeper(container, readState, apply) {
    var owns = isStateHash(rawHash());
    var pending = null, timer = 0;
    function flush() {
      clearTimeout(timer);
      timer = 0;
      if (pending && container.isConnected) writeHash(pending);
      pending = null;
    }
    function onHashChange() {
      if (!container.isConnected) {
        window.removeEventListener("hashchange", onHashChange);
        window.removeEventListener("pagehide", flush);
        return;
      }
      var raw = rawHash();
      if (!isStateHash(raw)) return;
      owns = true;
      pending = null;
      clearTimeout(timer);
      readState(parseParams(raw));
      apply();
    }
    window.addEventListener("hashchange", onHashChange);
    window.addEventListener("pagehide", flush);
    container.addEventListener("click", function (ev) {
      if (ev.target.closest && ev.target.closest("a[href]")) flush();
    }, true);
    return {
      initial: function () { readState(parseParams(owns ? rawHash() : "")); },
      write: function (pairs, user) {
        if (user) owns = true;
        if (!owns) return;
        pending = pairs;
        clearTimeout(timer);
        timer = setTimeout(flush, HASH_WRITE_MS);
      },
    };
  }

  /* ------------------------------------------------------------------ index view */

  var INDEX_SORTS = [
    ["newest", "Newest first"],
    ["oldest", "Oldest first"],
    ["severity", "Severity, highest first"],
    ["strength", "Evidence, strongest first"],
  ];

  function indexOrder(model, sort) {
    return cachedOrder(model, "index:" + sort, function () {
      if (sort === "oldest") return orderByKey(createdKey(model), 1, model.baseOrder);
      var newest = cachedOrder(model, "index:newest", function () {
        return orderByKey(createdKey(model), -1, model.baseOrder);
      });
      if (sort === "strength") return orderByKey(strengthKey(model), -1, newest);
      return sort === "severity" ? orderByKey(rankKey(model), -1, newest) : newest;
    });
  }

  function startIndex(container, model, links) {
    var id = "ip" + (++uid);
    var facets = facetDefs(model, "index").map(function (def) { return new Facet(model, def); });
    var state = { q: "", sort: "newest", page: 1 };
    var timer = 0;

    function readState(params) {
      readFacetSelections(model, facets, params);
      state.q = decode(params.get("q") || "");
      var sort = params.get("sort");
      state.sort = INDEX_SORTS.some(function (s) { return s[0] === sort; }) ? sort : "newest";
      state.page = Math.max(1, parseInt(params.get("page"), 10) || 1);
      qInput.value = state.q;
      sortSelect.value = state.sort;
    }

    function statePairs() {
      var pairs = facetPairs(facets);
      if (state.q.trim()) pairs.push(["q", encode(state.q.trim())]);
      if (state.sort !== "newest") pairs.push(["sort", state.sort]);
      if (state.page > 1) pairs.push(["page", String(state.page)]);
      return pairs;
    }

    function changed(resetPage) {
      if (resetPage) state.page = 1;
      render(true);
    }

    // Toolbar: words, sort, clear, skip.
    var qInput = h("input", { type: "search", id: id + "-q", class: "ip-input", autocomplete: "off",
      spellcheck: "false" });
    qInput.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.q = qInput.value; changed(true); }, DEBOUNCE_MS);
    });
    qInput.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        clearTimeout(timer);
        state.q = qInput.value;
        changed(true);
      }
    });
    var sortSelect = h("select", { id: id + "-sort", class: "ip-select", autocomplete: "off",
      onchange: function () { state.sort = sortSelect.value; changed(true); } },
      INDEX_SORTS.map(function (s) { return h("option", { value: s[0], text: s[1] }); }));
    var clearButton = h("button", { type: "button", class: "ip-button ip-clear", text: "Clear filters",
      onclick: function () {
        clearTimeout(timer);
        facets.forEach(function (f) { f.select([]); });
        state.q = "";
        qInput.value = "";
        changed(true);
      } });
    var heading = h("h2", { class: "ip-results-heading ip-visually-hidden", id: id + "-results",
      tabindex: "-1", text: "Matching insights" });
    var skipButton = h("button", { type: "button", class: "ip-button ip-skip", text: "Skip to results",
      onclick: function () { heading.focus(); } });
    var toolbar = h("div", { class: "ip-toolbar" }, [
      h("div", { class: "ip-field ip-field-q" }, [h("label", { for: id + "-q", text: "Filter by words" }), qInput]),
      h("div", { class: "ip-field ip-field-sort" }, [h("label", { for: id + "-sort", text: "Sort" }), sortSelect]),
      h("div", { class: "ip-actions" }, [clearButton, skipButton]),
    ]);

    // Facets.
    var facetViews = facets.map(function (f) {
      return makeCheckboxFacet(f, function (facet, value, on) {
        if (on) facet.selected.add(value); else facet.selected.delete(value);
        changed(true);
      });
    });
    // On narrow screens the filters fold away behind a toggle (CSS shows them always when
    // there is room for two columns, and hides the toggle).
    var facetList = h("div", { class: "ip-facet-list", id: id + "-facets", hidden: true },
      facetViews.map(function (v) { return v.node; }));
    var toggleCount = h("span", { class: "ip-facets-selected" });
    var toggle = h("button", { type: "button", class: "ip-button ip-facets-toggle", "aria-expanded": "false",
      "aria-controls": id + "-facets",
      onclick: function () {
        facetList.hidden = !facetList.hidden;
        toggle.setAttribute("aria-expanded", String(!facetList.hidden));
      } }, ["Filters", toggleCount]);
    var facetPanel = h("div", { class: "ip-facets", role: "group", "aria-label": "Filters" }, [toggle, facetList]);

    // Results.
    var line = h("p", { class: "ip-results-line", "aria-live": "polite", "aria-atomic": "true" });
    var list = h("ul", { class: "ip-cards" });
    var empty = h("p", { class: "ip-empty", hidden: true,
      text: "No insights match these filters. Remove a filter, or clear them all." });
    var pager = makePager(id + "-page", function (step) {
      state.page += step;
      render(true);
      heading.focus();
    });
    var results = h("div", { class: "ip-results" }, [heading, line, list, empty, pager.node]);

    function card(rec) {
      var meta = h("p", { class: "ip-card-meta" }, [
        statusBadge(model, rec.status), " ", severityBadge(rec.severity, " severity"), " ", kindBadge(rec.kind), " ", strengthBadge(rec.strength),
        rec.created ? " " : null, rec.created ? h("span", null, ["Created ", dateNode(rec.created)]) : null,
      ]);
      var where = [];
      if (rec.personas.length) {
        var people = [rec.personas.length > 1 ? "Personas: " : "Persona: "];
        rec.personas.forEach(function (p, i) {
          if (i) people.push(", ");
          people.push(h("a", { href: links.persona(p), text: model.names.persona[p] || p }));
        });
        where.push(h("span", { class: "ip-card-personas" }, people));
      }
      if (rec.journey) {
        var stages = rec.stages.map(function (s) {
          return model.names.stage[rec.journey + "/" + s] || s;
        });
        where.push(" ", h("span", { class: "ip-card-journey" }, [
          "Journey: ", h("a", { href: links.journey(rec.journey), text: model.names.journey[rec.journey] || rec.journey }),
          stages.length ? " \u203a " + stages.join(", ") : "",
        ]));
      }
      return h("li", null, [h("article", { class: "ip-card" }, [
        h("h3", { class: "ip-card-title" }, [h("a", { href: links.insight(rec.id), text: rec.title })]),
        meta,
        rec.summary ? h("p", { class: "ip-card-summary", text: rec.summary }) : null,
        where.length ? h("p", { class: "ip-card-where" }, where) : null,
      ])]);
    }

    var keeper = hashKeeper(container, readState, function () { render(false); });

    function render(user) {
      var t0 = performance.now();
      var ev = evaluate(model, facets, state.q, indexOrder(model, state.sort));
      var total = ev.result.length;
      var pages = Math.max(1, Math.ceil(total / INDEX_PAGE_SIZE));
      state.page = Math.min(Math.max(1, state.page), pages);
      var start = (state.page - 1) * INDEX_PAGE_SIZE;
      var end = Math.min(total, start + INDEX_PAGE_SIZE);

      facetViews.forEach(function (v, f) { v.update(ev.counts[f]); });
      var chosen = facets.reduce(function (sum, f) { return sum + f.selected.size; }, 0);
      toggleCount.textContent = chosen ? " (" + num(chosen) + " selected)" : "";
      var frag = document.createDocumentFragment();
      for (var i = start; i < end; i++) frag.appendChild(card(model.recs[ev.result[i]]));
      clear(list);
      list.appendChild(frag);
      list.hidden = total === 0;
      empty.hidden = total !== 0;
      line.textContent = resultsText(total, start, end);
      pager.update(state.page, pages);
      keeper.write(statePairs(), user);
      container.setAttribute("data-render-ms", (performance.now() - t0).toFixed(1));
    }

    var layout = h("div", { class: "ip-layout" }, [toolbar, facetPanel, results]);
    keeper.initial();
    render(false);
    return layout;
  }

  /* ------------------------------------------------------------------ decision log view */

  var LOG_COLUMNS = [
    { key: "insight", label: "Insight", dir: "asc", asc: "A to Z", desc: "Z to A" },
    { key: "status", label: "Status", dir: "asc", asc: "new to superseded", desc: "superseded to new" },
    { key: "owner", label: "Owner", dir: "asc", asc: "A to Z", desc: "Z to A" },
    { key: "decided", label: "Decided", dir: "desc", asc: "oldest first", desc: "newest first" },
    { key: "age", label: "Age (days)", dir: "desc", asc: "shortest first", desc: "longest first", num: true },
    { key: "severity", label: "Severity", dir: "desc", asc: "lowest first", desc: "highest first" },
    { key: "strength", label: "Evidence", dir: "desc", asc: "weakest first", desc: "strongest first" },
  ];

  /* Undecided (new, under review) first, oldest first; then the rest by decision date,
     newest first (undated last, newest created first). */
  function defaultLogOrder(model) {
    return cachedOrder(model, "log:default", function () {
      var recs = model.recs;
      var created = createdKey(model);
      var decided = numericKey(model, "decided", function (r) { return r.decidedDay; });
      // Three bands, each already in its own order: undecided by created (oldest first);
      // decided with a date by that date (newest first); decided without one by created.
      var undecided = orderByKey(created, 1, model.baseOrder);
      var byDecision = orderByKey(decided, -1, orderByKey(created, -1, model.baseOrder));
      var out = new Int32Array(model.n), j = 0, i;
      for (i = 0; i < undecided.length; i++) if (UNDECIDED[recs[undecided[i]].status]) out[j++] = undecided[i];
      for (i = 0; i < byDecision.length; i++) if (!UNDECIDED[recs[byDecision[i]].status]) out[j++] = byDecision[i];
      return out;
    });
  }

  function logOrder(model, sort, dir) {
    var base = defaultLogOrder(model);
    if (!sort) return base;
    return cachedOrder(model, "log:" + sort + ":" + dir, function () {
      if (sort === "insight") return dir === "asc" ? model.baseOrder : reversed(model.baseOrder);
      var key;
      if (sort === "status") {
        key = numericKey(model, "status", function (r) {
          var p = model.statusOrder.indexOf(r.status);
          return p < 0 ? NaN : p;
        });
      } else if (sort === "owner") {
        var owners = Array.from(new Set(model.recs.map(function (r) { return r.owner; }).filter(Boolean))).sort(byText);
        var pos = new Map(owners.map(function (o, i) { return [o, i]; }));
        key = numericKey(model, "owner", function (r) { return r.owner ? pos.get(r.owner) : NaN; });
      } else if (sort === "decided") key = numericKey(model, "decided", function (r) { return r.decidedDay; });
      else if (sort === "age") key = numericKey(model, "age", function (r) { return r.age; });
      else if (sort === "strength") key = strengthKey(model);
      else key = rankKey(model);
      return orderByKey(key, dir === "asc" ? 1 : -1, base); // ties keep the default order
    });
  }

  function makeSelectFacet(facet, id, allLabel, onSelect) {
    var select = h("select", { id: id, class: "ip-select", autocomplete: "off" });
    var all = h("option", { value: "-1" });
    var options = [];
    function build() {
      clear(select);
      select.appendChild(all);
      options = [];
      facet.order.forEach(function (k) {
        var option = h("option", { value: String(k) });
        options[k] = option;
        select.appendChild(option);
      });
      facet.dirty = false;
    }
    build();
    select.addEventListener("change", function () {
      var k = parseInt(select.value, 10);
      onSelect(facet, k >= 0 ? facet.values[k] : null);
    });
    var node = h("div", { class: "ip-field", "data-facet": facet.name },
      [h("label", { for: id, text: facet.legend }), select]);
    return {
      node: node,
      update: function (counts, total) {
        if (facet.dirty) build();
        all.textContent = allLabel + " (" + num(total) + ")";
        var chosen = -1;
        for (var k = 0; k < options.length; k++) {
          var on = facet.selected.has(facet.values[k]);
          if (on && chosen < 0) chosen = k;
          options[k].textContent = facet.labels[k] + " (" + num(counts[k]) + ")";
          options[k].disabled = counts[k] === 0 && !on;
        }
        select.value = String(chosen);
      },
    };
  }

  function startDecisions(container, model, links) {
    var id = "ip" + (++uid);
    var facets = facetDefs(model, "decisions").map(function (def) { return new Facet(model, def); });
    var state = { sort: "", dir: "asc", page: 1 };

    function column(key) {
      for (var i = 0; i < LOG_COLUMNS.length; i++) if (LOG_COLUMNS[i].key === key) return LOG_COLUMNS[i];
      return null;
    }

    function readState(params) {
      readFacetSelections(model, facets, params);
      facets.forEach(function (f) { // the selects hold one value each
        if (f.name !== "status" && f.selected.size > 1) f.select([f.selectedInOrder()[0]]);
      });
      var col = column(params.get("sort"));
      state.sort = col ? col.key : "";
      var dir = params.get("dir");
      state.dir = col ? (dir === "asc" || dir === "desc" ? dir : col.dir) : "asc";
      state.page = Math.max(1, parseInt(params.get("page"), 10) || 1);
    }

    function statePairs() {
      var pairs = facetPairs(facets);
      if (state.sort) pairs.push(["sort", state.sort], ["dir", state.dir]);
      if (state.page > 1) pairs.push(["page", String(state.page)]);
      return pairs;
    }

    function changed() {
      state.page = 1;
      render(true);
    }

    var statusView = makeCheckboxFacet(facets[0], function (facet, value, on) {
      if (on) facet.selected.add(value); else facet.selected.delete(value);
      changed();
    });
    var selectViews = [
      makeSelectFacet(facets[1], id + "-owner", "All owners", onSelect),
      makeSelectFacet(facets[2], id + "-persona", "All personas", onSelect),
      makeSelectFacet(facets[3], id + "-journey", "All journeys", onSelect),
    ];
    function onSelect(facet, value) {
      facet.selected = value === null ? new Set() : new Set([value]);
      changed();
    }
    var clearButton = h("button", { type: "button", class: "ip-button ip-clear", text: "Clear filters",
      onclick: function () {
        facets.forEach(function (f) { f.select([]); });
        changed();
      } });
    var defaultButton = h("button", { type: "button", class: "ip-button ip-default-order", text: "Default order",
      onclick: function () { state.sort = ""; changed(); } });
    var toolbar = h("div", { class: "ip-toolbar" }, selectViews.map(function (v) { return v.node; })
      .concat([h("div", { class: "ip-actions" }, [clearButton, defaultButton])]));
    var facetPanel = h("div", { class: "ip-facets", role: "group", "aria-label": "Filters" }, [statusView.node]);

    // Table.
    var caption = h("caption");
    var headerCells = LOG_COLUMNS.map(function (col) {
      var icon = h("span", { class: "ip-sort-icon", "aria-hidden": "true" });
      var button = h("button", { type: "button", class: "ip-sort", "data-sort": col.key,
        onclick: function () {
          if (state.sort === col.key) state.dir = state.dir === "asc" ? "desc" : "asc";
          else { state.sort = col.key; state.dir = col.dir; }
          changed();
        } }, [col.label, " ", icon]);
      var th = h("th", { scope: "col", class: col.num ? "ip-num" : null }, [button]);
      return { col: col, th: th, icon: icon };
    });
    var tbody = h("tbody");
    var table = h("table", { class: "ip-log" }, [caption,
      h("thead", null, [h("tr", null, headerCells.map(function (c) { return c.th; }))]), tbody]);
    var line = h("p", { class: "ip-results-line", "aria-live": "polite", "aria-atomic": "true" });
    var empty = h("p", { class: "ip-empty", hidden: true,
      text: "No insights match these filters. Remove a filter, or clear them all." });
    var scroll = h("div", { class: "ip-scroll" }, [table]);
    var pager = makePager(id + "-page", function (step) {
      state.page += step;
      render(true);
      table.scrollIntoView({ block: "start" });
      caption.setAttribute("tabindex", "-1");
      caption.focus({ preventScroll: true });
    });
    var results = h("div", { class: "ip-results" }, [line, scroll, empty, pager.node]);

    function dash() { return h("span", { class: "ip-none", text: "\u2014" }); }

    function row(rec) {
      return h("tr", null, [
        h("td", null, [h("a", { href: links.insight(rec.id), text: rec.title })]),
        h("td", null, [statusBadge(model, rec.status)]),
        h("td", { class: "ip-owner" }, [rec.owner ? rec.owner : h("span", { class: "ip-none", text: "No owner yet" })]),
        h("td", { class: "ip-date" }, [rec.decided ? dateNode(rec.decided) : dash()]),
        h("td", { class: "ip-num" }, [rec.age === rec.age ? num(rec.age) : dash()]),
        h("td", null, [severityBadge(rec.severity) || dash()]),
        h("td", null, [strengthBadge(rec.strength) || dash()]),
      ]);
    }

    function captionText() {
      var text = "Decision log, ";
      if (!state.sort) {
        text += "undecided insights first (oldest first), then the rest by decision date (newest first).";
      } else {
        var col = column(state.sort);
        text += "sorted by " + col.label.replace(/ \(days\)$/, "").toLowerCase() + ", " + col[state.dir] + ".";
      }
      return text + " Age counts the days to " + model.today +
        " since the decision, or since the insight was written while it is undecided.";
    }

    var keeper = hashKeeper(container, readState, function () { render(false); });

    function render(user) {
      var t0 = performance.now();
      var ev = evaluate(model, facets, "", logOrder(model, state.sort, state.dir));
      var total = ev.result.length;
      var pages = Math.max(1, Math.ceil(total / LOG_PAGE_SIZE));
      state.page = Math.min(Math.max(1, state.page), pages);
      var start = (state.page - 1) * LOG_PAGE_SIZE;
      var end = Math.min(total, start + LOG_PAGE_SIZE);

      statusView.update(ev.counts[0]);
      selectViews.forEach(function (v, i) { v.update(ev.counts[i + 1], ev.totals[i + 1]); });
      headerCells.forEach(function (c) {
        var on = state.sort === c.col.key;
        if (on) c.th.setAttribute("aria-sort", state.dir === "asc" ? "ascending" : "descending");
        else c.th.removeAttribute("aria-sort");
        c.icon.textContent = on ? (state.dir === "asc" ? "\u25b2" : "\u25bc") : "\u2195";
      });
      caption.textContent = captionText();
      var frag = document.createDocumentFragment();
      for (var i = start; i < end; i++) frag.appendChild(row(model.recs[ev.result[i]]));
      clear(tbody);
      tbody.appendChild(frag);
      scroll.hidden = total === 0;
      empty.hidden = total !== 0;
      line.textContent = resultsText(total, start, end);
      pager.update(state.page, pages);
      keeper.write(statePairs(), user);
      container.setAttribute("data-render-ms", (performance.now() - t0).toFixed(1));
    }

    var layout = h("div", { class: "ip-layout" }, [facetPanel, toolbar, results]);
    keeper.initial();
    render(false);
    return layout;
  }

  /* ------------------------------------------------------------------ mounting */

  function fail(container, err) {
    if (container.querySelector(".ip-error")) return;
    var message = h("p", { class: "ip-error", role: "status",
      text: "The interactive filters could not be loaded, so this is the plain list." });
    container.insertBefore(message, container.firstChild);
    if (window.console && console.warn) console.warn("Insight Portal:", err);
  }

  function mount(container) {
    if (container.getAttribute("data-ip-mounted")) return;
    container.setAttribute("data-ip-mounted", "true");
    var view = container.getAttribute("data-view") === "decisions" ? "decisions" : "index";
    var src = container.getAttribute("data-src");
    var links = makeLinks(container.getAttribute("data-root"));
    if (!src || typeof fetch !== "function") { fail(container, new Error("no data source")); return; }
    container.setAttribute("aria-busy", "true");
    fetch(src, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status + " for " + src);
        return response.json();
      })
      .then(function (data) {
        if (!data || !Array.isArray(data.insights)) throw new Error("unexpected data in " + src);
        var model = buildModel(data);
        var app = view === "decisions" ? startDecisions(container, model, links) : startIndex(container, model, links);
        clear(container);
        container.appendChild(app);
        container.classList.add("ip-ready", "ip-view-" + view);
      })
      .catch(function (err) { fail(container, err); })
      .then(function () { container.removeAttribute("aria-busy"); });
  }

  function init() {
    var apps = document.querySelectorAll(".ip-app[data-src]");
    for (var i = 0; i < apps.length; i++) mount(apps[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  // With Material's instant navigation turned on, pages arrive without a reload.
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(init);
})();
