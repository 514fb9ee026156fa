// The interactive dependency graph: Cytoscape.js with a layered (dagre) layout, left to right
// toward the external customers. Data: /dashboard/graph.json (the same analysis as the tables;
// every colour is the band computed on the server). No inline script or style: the words come
// from the JSON block #graph-words, the colours from the data.
(function () {
  "use strict";
  var root = document.getElementById("graph-explorer");
  if (!root || typeof window.cytoscape !== "function") { return; }
  var words = JSON.parse(document.getElementById("graph-words").textContent);
  var $ = function (id) { return document.getElementById(id); };

  var data = null;          // the JSON of the period
  var cy = null;
  var byCode = {};          // department code -> node record
  var byContract = {};      // contract id -> edge record
  var state = { grouped: false, open: {}, weakOnly: false, blind: true, cutOff: true, depth: 2, selected: null };

  function fmt(value) {
    if (value === null || value === undefined) { return "—"; }
    var rounded = Math.round(value * 10) / 10;
    return String(rounded);
  }
  function sub(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }
  function bandColour(band, which) { return data.bands[band || "none"][which || "line"]; }

  // ---- building the elements at the current level of grouping ------------------------------
  function divisionId(code) { return "div:" + code; }
  function representative(code) {
    var node = byCode[code];
    if (state.grouped && node && node.division && !state.open[node.division]) { return divisionId(node.division); }
    return code;
  }
  function edgeShown(e) {
    if (state.weakOnly && e.rank === null) { return false; }
    if (!state.blind && e.health === null) { return false; }
    if (!state.cutOff && (byCode[e.source].cut_off || byCode[e.target].cut_off)) { return false; }
    return true;
  }
  var ORDER = { bad: 0, warn: 1, good: 2, none: 3 };
  function worst(bands) {
    var best = "none";
    bands.forEach(function (b) { if (ORDER[b] < ORDER[best]) { best = b; } });
    return best;
  }

  // Period compare (data.compare): a link is drawn in the band of its change, labelled with the amount.
  function changeLabel(e) {
    if (e.change === null || e.change === undefined) { return e.change_kind === "unchanged" ? "" : words.changes[e.change_kind]; }
    var sign = e.change > 0 ? "+" : (e.change < 0 ? "−" : "±");
    var amount = sign + fmt(Math.abs(e.change));
    return e.change_kind === "new_weak" || e.change_kind === "fixed" ? words.changes[e.change_kind] + " " + amount : amount;
  }
  function edgeLabel(e) {
    if (data.compare) { return changeLabel(e); }
    if (e.rank !== null) { return "#" + e.rank + " · " + fmt(e.health); }
    if (e.state === "silent") { return "⌀ " + fmt(e.last_health) + " (" + e.last_period + ")"; }
    return "";
  }

  function buildElements() {
    var elements = [];
    var present = {};
    var maxRisk = 0;
    data.edges.forEach(function (e) { if (e.risk && e.rank !== null) { maxRisk = Math.max(maxRisk, e.risk); } });
    var shownEdges = data.edges.filter(edgeShown);
    var used = {};
    var aggregates = {};
    shownEdges.forEach(function (e) {
      var s = representative(e.source), t = representative(e.target);
      if (s === t) { return; }
      used[s] = used[t] = true;
      if (s === e.source && t === e.target) {
        var width = e.rank !== null ? 3 + 7 * Math.sqrt((e.risk || 0) / (maxRisk || 1)) : 1 + 0.5 * e.criticality;
        var classes = ["band-" + e.band, "state-" + e.state];
        if (e.rank !== null) { classes.push("weak"); } else if (e.band === "good") { classes.push("healthy"); }
        if (e.blind) { classes.push("blind"); }
        var colour = bandColour(e.state === "silent" ? "none" : e.band);
        if (data.compare) {
          classes = ["change-" + e.change_kind, "state-" + e.state];
          if (e.change_kind === "unchanged") { classes.push("healthy"); }
          colour = bandColour(e.change_band);
          width = e.change_kind === "unchanged" ? 1 : 2 + Math.min(8, Math.abs(e.change || 20) / 5);
        }
        elements.push({ group: "edges", classes: classes.join(" "), data: {
          id: e.id, source: s, target: t, kind: "agreement", contract: e.contract, change_kind: e.change_kind,
          colour: colour, width: width, label: edgeLabel(e),
          z: e.rank !== null ? 1000 - e.rank : (e.band === "good" ? 1 : 10) } });
      } else {
        var key = s + ">" + t;
        var agg = aggregates[key] || (aggregates[key] = { source: s, target: t, bands: [], healths: [], count: 0, weak: 0 });
        agg.count += 1;
        agg.bands.push(e.band);
        if (e.health !== null) { agg.healths.push(e.health); }
        if (e.rank !== null) { agg.weak += 1; }
      }
    });
    Object.keys(aggregates).forEach(function (key) {
      var a = aggregates[key];
      var band = worst(a.bands);
      var lo = a.healths.length ? Math.min.apply(null, a.healths) : null;
      var mean = a.healths.length ? a.healths.reduce(function (x, y) { return x + y; }, 0) / a.healths.length : null;
      elements.push({ group: "edges", classes: "aggregate band-" + band + (a.weak ? " weak" : " healthy"), data: {
        id: "agg:" + key, source: a.source, target: a.target, kind: "aggregate", band: band, count: a.count,
        worstHealth: lo, meanHealth: mean, weakCount: a.weak, colour: bandColour(band),
        width: Math.min(12, 1.5 + Math.sqrt(a.count)), z: a.weak ? 500 : 5,
        label: fmt(lo) + " / " + fmt(mean) + " (" + a.count + ")" } });
    });
    // departments and divisions
    data.nodes.forEach(function (n) {
      var rep = representative(n.id);
      if (!state.cutOff && n.cut_off) { return; }
      if (state.weakOnly && !used[rep]) { return; }
      if (rep !== n.id) { present[rep] = true; return; }
      var classes = [n.kind === "external" ? "external" : "department"];
      if (n.cut_off) { classes.push("cut-off"); }
      if (n.kind !== "external" && n.own_band !== "bad" && n.strength_band === "bad") { classes.push("weak-chain"); }
      if (data.compare && n.moved) { classes.push("moved"); }
      var d = { id: n.id, kind: "department", label: n.id, fill: bandColour(n.own_band, "fill"),
                border: bandColour(n.strength_band), dominates: n.dominates };
      if (state.grouped && n.division && state.open[n.division]) { d.parent = divisionId(n.division); present[d.parent] = true; }
      elements.push({ group: "nodes", classes: classes.join(" "), data: d });
    });
    data.divisions.forEach(function (div) {
      var id = divisionId(div.id);
      if (!state.grouped || !present[id]) { return; }
      var open = !!state.open[div.id];
      var members = data.nodes.filter(function (n) { return n.division === div.id; }).length;
      elements.unshift({ group: "nodes", classes: "division " + (open ? "open" : "closed"), data: {
        id: id, kind: "division", division: div.id, name: div.name, members: members,
        label: open ? div.id + " — " + div.name : div.id + " (" + members + ")" } });
    });
    return elements;
  }

  var STYLE = [
    { selector: "node", style: { "label": "data(label)", "text-valign": "center", "text-halign": "center",
      "font-size": 15, "font-weight": "bold", "color": "#263238", "shape": "round-rectangle", "width": "label",
      "height": 26, "padding": "8px", "background-color": "data(fill)", "border-color": "data(border)",
      "border-width": 3, "z-index": 10 } },
    { selector: "node.external", style: { "background-color": "#1f3a68", "border-color": "#1f3a68", "color": "#fff",
      "shape": "rectangle" } },
    { selector: "node.cut-off", style: { "border-style": "dashed" } },
    { selector: "node.division", style: { "background-color": "#f1f3f5", "border-color": "#607d8b", "border-width": 2,
      "font-size": 14, "color": "#37474f" } },
    { selector: "node.division.open", style: { "text-valign": "top", "text-halign": "center", "padding": "14px",
      "background-opacity": 0.5 } },
    { selector: "edge", style: { "curve-style": "bezier", "target-arrow-shape": "triangle", "line-color": "data(colour)",
      "target-arrow-color": "data(colour)", "width": "data(width)", "z-index": "data(z)", "arrow-scale": 1.1,
      "label": "data(label)", "font-size": 13, "text-background-color": "#fff", "text-background-opacity": 0.9,
      "text-background-padding": "2px", "color": "#263238", "text-rotation": "none" } },
    { selector: "edge.healthy", style: { "opacity": 0.45 } },
    { selector: "edge.change-new_weak", style: { "font-weight": "bold", "font-size": 14, "z-index": 900 } },
    { selector: "edge.change-worse", style: { "font-weight": "bold", "z-index": 800 } },
    { selector: "edge.change-fixed", style: { "line-style": "dashed", "line-dash-pattern": [10, 4] } },
    { selector: "node.moved", style: { "border-width": 6, "border-style": "double" } },
    { selector: "edge.weak", style: { "font-weight": "bold", "font-size": 14 } },
    { selector: "edge.state-stale", style: { "line-style": "dashed", "line-dash-pattern": [8, 4] } },
    { selector: "edge.state-silent", style: { "line-style": "dotted" } },
    { selector: "edge.state-unrated", style: { "line-style": "dashed", "line-dash-pattern": [4, 4] } },
    { selector: ".faded", style: { "opacity": 0.12, "text-opacity": 0.15 } },
    { selector: ".chain", style: { "opacity": 1, "text-opacity": 1 } },
    { selector: "node.chain", style: { "underlay-color": "#1565c0", "underlay-opacity": 0.25, "underlay-padding": 6 } },
    { selector: "edge.chain", style: { "underlay-color": "#1565c0", "underlay-opacity": 0.25, "underlay-padding": 4 } },
    { selector: ".picked", style: { "overlay-color": "#1565c0", "overlay-opacity": 0.25, "overlay-padding": 6 } },
  ];

  //: Above this many drawn links, dagre's crossing reduction costs seconds: a plain layered layout is used.
  var DAGRE_MAX_EDGES = 300;
  function layoutOptions() {
    if (cy.edges().length > DAGRE_MAX_EDGES && cy.nodes(":parent").empty()) {
      return { name: "preset", positions: layeredPositions(), fit: true, padding: 20, animate: false };
    }
    return { name: "dagre", rankDir: "LR", nodeSep: 18, rankSep: 90, edgeSep: 8, fit: true, padding: 20, animate: false };
  }

  // Columns by the longest distance to a sink (customers rightmost; a link inside a cycle that
  // is met again on the way is ignored), rows by two barycenter sweeps: linear in the drawing.
  function layeredPositions() {
    var nodes = cy.nodes().map(function (n) { return n.id(); });
    var out = {}, inn = {}, layer = {}, visiting = {};
    nodes.forEach(function (id) { out[id] = []; inn[id] = []; });
    cy.edges().forEach(function (e) { out[e.source().id()].push(e.target().id()); inn[e.target().id()].push(e.source().id()); });
    function depth(id) {
      if (layer[id] !== undefined) { return layer[id]; }
      if (visiting[id]) { return 0; }
      visiting[id] = true;
      var d = 0;
      out[id].forEach(function (m) { if (!visiting[m] || layer[m] !== undefined) { d = Math.max(d, depth(m) + 1); } });
      visiting[id] = false;
      layer[id] = d;
      return d;
    }
    nodes.forEach(depth);
    var columns = {};
    nodes.forEach(function (id) { (columns[layer[id]] = columns[layer[id]] || []).push(id); });
    var keys = Object.keys(columns).map(Number).sort(function (a, b) { return a - b; });
    var row = {};
    keys.forEach(function (k) { columns[k].sort().forEach(function (id, i) { row[id] = i; }); });
    for (var sweep = 0; sweep < 4; sweep++) {
      var seq = sweep % 2 === 0 ? keys.slice().reverse() : keys;
      seq.forEach(function (k) {
        var bary = {};
        columns[k].forEach(function (id) {
          var nb = inn[id].concat(out[id]).filter(function (m) { return layer[m] !== k; });
          bary[id] = nb.length ? nb.reduce(function (s, m) { return s + row[m]; }, 0) / nb.length : row[id];
        });
        columns[k].sort(function (a, b) { return bary[a] - bary[b] || row[a] - row[b]; });
        columns[k].forEach(function (id, i) { row[id] = i; });
      });
    }
    var tallest = Math.max.apply(null, keys.map(function (k) { return columns[k].length; }));
    var maxLayer = keys[keys.length - 1] || 0;
    var positions = {};
    keys.forEach(function (k) {
      var offset = (tallest - columns[k].length) / 2;
      columns[k].forEach(function (id, i) { positions[id] = { x: (maxLayer - k) * 230, y: (i + offset) * 70 }; });
    });
    return positions;
  }

  function render() {
    var elements = buildElements();
    cy.batch(function () {
      cy.elements().remove();
      cy.add(elements);
    });
    cy.layout(layoutOptions()).run();
    root.dataset.ready = "1";
    if (window.trackerGraph) { window.trackerGraph.drawnAt = performance.now(); }
    if (state.selected) { reselect(); }
  }

  // ---- highlighting --------------------------------------------------------------------------
  function clearHighlight() {
    cy.elements().removeClass("faded chain picked reach path upstream downstream");
  }
  function fadeRest(keep) {
    cy.elements().not(keep).addClass("faded");
    keep.addClass("chain");
  }
  // Reach, paths and focus are walked on the whole organization (every agreement of the period,
  // whatever the switches hide), then shown on what is drawn: a department hidden in a closed
  // division lights up its division's box.
  var preds = {}, succs = {}, toCustomer = {};
  function index() {
    data.edges.forEach(function (e) {
      (succs[e.source] = succs[e.source] || []).push(e.target);
      (preds[e.target] = preds[e.target] || []).push(e.source);
    });
    var frontier = data.nodes.filter(function (n) { return n.kind === "external"; }).map(function (n) { return n.id; });
    frontier.forEach(function (c) { toCustomer[c] = true; });
    while (frontier.length) {
      var next = [];
      frontier.forEach(function (c) {
        (preds[c] || []).forEach(function (p) { if (!toCustomer[p]) { toCustomer[p] = true; next.push(p); } });
      });
      frontier = next;
    }
  }
  function walk(start, step, depth, keep) {
    var seen = {}, frontier = [start];
    seen[start] = true;
    for (var i = 0; i < depth && frontier.length; i++) {
      var next = [];
      frontier.forEach(function (c) {
        (step[c] || []).forEach(function (m) {
          if (!seen[m] && (!keep || keep[m])) { seen[m] = true; next.push(m); }
        });
      });
      frontier = next;
    }
    return Object.keys(seen);
  }
  function drawn(codes) {
    var ids = {};
    codes.forEach(function (c) { ids[representative(c)] = true; });
    return cy.nodes().filter(function (n) { return ids[n.id()]; });
  }
  function linking(nodes) {
    return nodes.edgesWith(nodes);
  }
  function selectEdge(edge) {
    clearHighlight();
    state.selected = { type: "edge", id: edge.id() };
    var e = edge.data("kind") === "agreement" ? byContract[edge.data("contract")] : null;
    var source = e ? e.source : edge.source().id(), target = e ? e.target : edge.target().id();
    // reach: every department whose way to the customer passes through this link; path: from it on
    var reachCodes = walk(source, preds, Infinity);
    var pathCodes = walk(target, succs, Infinity, toCustomer);
    var reach = drawn(reachCodes), path = drawn(pathCodes);
    reach.addClass("reach");
    path.addClass("path");
    edge.addClass("picked");
    fadeRest(reach.union(path).union(linking(reach)).union(linking(path)).union(edge)
      .union(reach.ancestors()).union(path.ancestors()));
    showEdgeDetails(edge, reachCodes, pathCodes);
  }
  function focusNode(node) {
    clearHighlight();
    state.selected = { type: "node", id: node.id() };
    var codes = node.data("kind") === "division" ?
      data.nodes.filter(function (n) { return n.division === node.data("division"); }).map(function (n) { return n.id; }) :
      [node.id()];
    var upCodes = [], downCodes = [];
    codes.forEach(function (c) {
      upCodes = upCodes.concat(walk(c, preds, state.depth));
      downCodes = downCodes.concat(walk(c, succs, state.depth));
    });
    var up = drawn(upCodes), down = drawn(downCodes);
    up.addClass("upstream");
    down.addClass("downstream");
    node.addClass("picked");
    var kept = up.union(down).union(node);
    fadeRest(kept.union(node.edgesWith(kept)).union(linking(up)).union(linking(down)).union(kept.ancestors()));
    showNodeDetails(node, upCodes.filter(function (c) { return codes.indexOf(c) < 0; }),
                    downCodes.filter(function (c) { return codes.indexOf(c) < 0; }));
  }
  function reselect() {
    var el = cy.getElementById(state.selected.id);
    if (el.empty()) { state.selected = null; showNothing(); return; }
    if (state.selected.type === "edge") { selectEdge(el); } else { focusNode(el); }
  }

  // ---- words for tooltips and the details panel ----------------------------------------------
  function agreementLines(e) {
    var lines = [e.source + " → " + e.target + " · " + e.service];
    var health = e.health === null ? words.bands.none : words.health + " " + fmt(e.health) + " · " + words.bands[e.band];
    if (e.state === "stale") { health += " (" + words.stale + ", " + e.period + ")"; }
    lines.push(health);
    if (e.state === "silent") { lines.push(sub(words.last_known, { h: fmt(e.last_health), p: e.last_period }) + " · " + words.bands[e.last_band]); }
    if (e.state === "unrated") { lines.push(words.never_rated); }
    lines.push(words.target + " " + fmt(e.health_target) + ", " + words.floor + " " + fmt(e.health_floor) +
               " · " + words.criticality + " " + words.crit[String(e.criticality)]);
    lines.push(words.reach + " " + e.reach + " · " + words.risk + " " + fmt(e.risk === null ? e.last_risk : e.risk));
    if (e.rank !== null) { lines.push(sub(words.rank, { rank: e.rank })); }
    if (e.blind) { lines.push(words.blind_spot); }
    if (data.compare) {
      lines.unshift(words.changes[e.change_kind] + ": " + fmt(e.before) + " → " + fmt(e.health) +
                    (e.change === null ? "" : " (" + changeLabel({ change: e.change, change_kind: "worse" }) + ")"));
    }
    return lines;
  }
  function departmentLines(n) {
    if (n.kind === "external") { return [n.id + " — " + n.name, words.external]; }
    var lines = [n.id + " — " + n.name];
    lines.push(words.own_links + ": " + words.bands[n.own_band]);
    var strength = words.strength + " " + fmt(n.strength) + " · " + words.bands[n.strength_band];
    lines.push(strength);
    if (n.bottleneck !== null && byContract[n.bottleneck]) {
      var b = byContract[n.bottleneck];
      lines.push(words.bottleneck + ": " + b.source + " → " + b.target + " " + fmt(b.health));
    }
    if (n.relies_on_unrated) { lines.push(words.relies_on_unrated); }
    if (n.cut_off) { lines.push(words.cut_off); }
    if (n.dominates) { lines.push(words.dominates + " " + n.dominates); }
    if (data.compare && n.strength_change !== null && n.strength_change !== undefined) {
      lines.push(words.strength_change + ": " + fmt(n.strength_before) + " → " + fmt(n.strength) + " (" +
                 changeLabel({ change: n.strength_change, change_kind: "worse" }) + ")");
    }
    return lines;
  }
  function elementLines(el) {
    var d = el.data();
    if (d.kind === "agreement") { return agreementLines(byContract[d.contract]); }
    if (d.kind === "department") { return departmentLines(byCode[d.id]); }
    if (d.kind === "division") { return [d.division + " — " + d.name, d.members + " " + words.departments, words.open_division]; }
    return [d.source + " → " + d.target, d.count + " " + words.agreements + " · " + words.worst + " " +
            fmt(d.worstHealth) + " · " + words.mean + " " + fmt(d.meanHealth), words.bands[d.band]];
  }
  function pageUrl(el) {
    var d = el.data();
    if (d.kind === "agreement") { return data.urls.contract.replace("__ID__", d.contract); }
    if (d.kind === "department") { return data.urls.department.replace("__CODE__", encodeURIComponent(d.id)); }
    return null;
  }

  function detailsBody() { return $("graph-details-body"); }
  function showNothing() { detailsBody().textContent = ""; }
  function listOf(title, codes) {
    var unique = codes.filter(function (c, i) { return codes.indexOf(c) === i; }).sort();
    var wrap = document.createElement("div");
    var head = document.createElement("strong");
    head.textContent = title + " (" + unique.length + ")";
    wrap.appendChild(head);
    var ul = document.createElement("ul");
    unique.forEach(function (code) {
      var li = document.createElement("li");
      li.textContent = code;
      ul.appendChild(li);
    });
    wrap.appendChild(ul);
    return wrap;
  }
  function showLines(el, extra) {
    var body = detailsBody();
    body.textContent = "";
    elementLines(el).forEach(function (line) {
      var p = document.createElement("div");
      p.textContent = line;
      body.appendChild(p);
    });
    var url = pageUrl(el);
    if (url) {
      var a = document.createElement("a");
      a.href = url;
      a.textContent = words.open_page;
      a.className = "d-inline-block my-1";
      body.appendChild(a);
    }
    (extra || []).forEach(function (node) { body.appendChild(node); });
  }
  function showEdgeDetails(edge, reach, path) {
    showLines(edge, [listOf(words.reach_list, reach), listOf(words.path, path)]);
  }
  function showNodeDetails(node, up, down) {
    showLines(node, [listOf(words.upstream, up), listOf(words.downstream, down)]);
  }

  // ---- tooltip ------------------------------------------------------------------------------
  var tooltip = $("graph-tooltip");
  function showTooltip(evt) {
    var box = cy.container().getBoundingClientRect();
    var pos = evt.renderedPosition || evt.target.renderedMidpoint && evt.target.renderedMidpoint() || { x: 0, y: 0 };
    tooltip.textContent = elementLines(evt.target).join("\n");
    tooltip.hidden = false;
    tooltip.style.left = Math.round(box.left + pos.x + 14) + "px";
    tooltip.style.top = Math.round(box.top + pos.y + 14) + "px";
  }
  function hideTooltip() { tooltip.hidden = true; }

  // ---- controls ------------------------------------------------------------------------------
  function find(query) {
    var q = query.trim().toLowerCase();
    if (!q) { return null; }
    var code = q.split(" — ")[0];
    var hit = data.nodes.find(function (n) { return n.id.toLowerCase() === code; }) ||
      data.nodes.find(function (n) { return n.name.toLowerCase() === q; }) ||
      data.nodes.find(function (n) { return n.id.toLowerCase().indexOf(q) >= 0 || n.name.toLowerCase().indexOf(q) >= 0; });
    return hit || null;
  }
  function focusCode(code) {
    var n = byCode[code];
    if (!n) { return false; }
    if (state.grouped && n.division && !state.open[n.division]) { state.open[n.division] = true; render(); }
    var node = cy.getElementById(code);
    if (node.empty()) {
      // hidden by a switch: show every department again
      state.weakOnly = false; state.cutOff = true;
      $("graph-weak-only").checked = false; $("graph-cut-off").checked = true;
      render();
      node = cy.getElementById(code);
    }
    focusNode(node);
    cy.animate({ center: { eles: node }, zoom: Math.max(cy.zoom(), 1) }, { duration: 200 });
    return true;
  }
  function selectContract(contractId) {
    var edge = cy.getElementById("c" + contractId);
    if (edge.empty()) {
      var e = byContract[contractId];
      if (!e) { return false; }
      if (state.grouped) {
        [e.source, e.target].forEach(function (c) { if (byCode[c].division) { state.open[byCode[c].division] = true; } });
        render();
      }
      edge = cy.getElementById("c" + contractId);
      if (edge.empty()) { return false; }
    }
    selectEdge(edge);
    return true;
  }

  function wire() {
    $("graph-toolbar").addEventListener("submit", function (evt) {
      evt.preventDefault();
      var hit = find($("graph-search").value);
      if (hit) { focusCode(hit.id); } else { detailsBody().textContent = sub(words.not_found, { q: $("graph-search").value }); }
    });
    $("graph-depth").addEventListener("change", function () {
      state.depth = parseInt(this.value, 10);
      if (state.selected && state.selected.type === "node") { reselect(); }
    });
    [["graph-weak-only", "weakOnly"], ["graph-blind", "blind"], ["graph-cut-off", "cutOff"], ["graph-group", "grouped"]]
      .forEach(function (pair) {
        $(pair[0]).addEventListener("change", function () { state[pair[1]] = this.checked; render(); });
      });
    $("graph-fit").addEventListener("click", function () { cy.fit(undefined, 20); });
    $("graph-zoom-in").addEventListener("click", function () { cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }); });
    $("graph-zoom-out").addEventListener("click", function () { cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }); });
    $("graph-clear").addEventListener("click", function () { state.selected = null; clearHighlight(); showNothing(); });

    cy.on("mouseover", "node, edge", showTooltip);
    cy.on("mouseout", "node, edge", hideTooltip);
    cy.on("pan zoom", hideTooltip);
    cy.on("tap", function (evt) {
      var el = evt.target;
      if (el === cy) { state.selected = null; clearHighlight(); showNothing(); return; }
      var d = el.data();
      if (d.kind === "division") {
        state.open[d.division] = !state.open[d.division];
        render();
      } else if (el.isEdge()) {
        selectEdge(el);
      } else {
        focusNode(el);
      }
    });
    cy.on("dbltap", "node, edge", function (evt) {
      var url = pageUrl(evt.target);
      if (url) { window.location.assign(url); }
    });
  }

  function legendColours() {
    document.querySelectorAll(".graph-legend .graph-swatch.line").forEach(function (el) {
      var band = ["good", "warn", "bad", "none"].find(function (b) { return el.classList.contains("band-" + b); });
      if (band) { el.style.borderTopColor = bandColour(band); }
    });
  }

  function init(json) {
    data = json;
    data.nodes.forEach(function (n) { byCode[n.id] = n; });
    data.edges.forEach(function (e) { byContract[e.contract] = e; });
    index();
    var departments = data.nodes.filter(function (n) { return n.kind !== "external"; }).length;
    state.grouped = departments > parseInt(root.dataset.groupAbove || "150", 10) && data.divisions.length > 0;
    $("graph-group").checked = state.grouped;
    $("graph-group").disabled = data.divisions.length === 0;
    var list = $("graph-departments");
    data.nodes.forEach(function (n) {
      var opt = document.createElement("option");
      opt.value = n.id + " — " + n.name;
      list.appendChild(opt);
    });
    legendColours();
    cy = window.cytoscape({ container: $("graph-canvas"), style: STYLE, wheelSensitivity: 0.3, minZoom: 0.05,
                            maxZoom: 4, boxSelectionEnabled: false, textureOnViewport: true,
                            hideEdgesOnViewport: data.edges.length > 3000 });
    wire();
    render();
    // for the browser tests and for anyone scripting the page
    window.trackerGraph = { cy: cy, state: state, data: data, focus: focusCode, selectContract: selectContract,
                            render: render, elements: buildElements, positions: layeredPositions,
                            drawnAt: performance.now() };
  }

  fetch(root.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error("graph data: HTTP " + r.status); } return r.json(); })
    .then(init)
    .catch(function (err) { detailsBody().textContent = String(err); root.dataset.ready = "error"; });
})();
