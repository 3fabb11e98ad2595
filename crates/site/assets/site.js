// rbac-lens atlas: the only script of the site. It adds the version picker, and search and
// filters on the chart index. Pages are complete without it. Data arrives as globals set by
// <script> files (fetch() is refused under file://). Text from the data is only ever set
// with textContent, never parsed as HTML.
(function () {
  "use strict";

  function versionPicker() {
    var sel = document.querySelector("select.version-picker");
    var list = window.RBAC_LENS_VERSIONS;
    if (!sel || !Array.isArray(list)) return;
    var current = sel.getAttribute("data-current");
    sel.textContent = "";
    list.forEach(function (v) {
      var o = document.createElement("option");
      o.value = v[1];
      o.textContent = v[0] + (v[2] ? " (" + v[2] + ")" : "");
      if (v[1] === current) o.selected = true;
      sel.appendChild(o);
    });
    sel.addEventListener("change", function () {
      // Sibling directory of this version: ../<version>/index.html
      window.location.href = "../" + encodeURIComponent(sel.value) + "/index.html";
    });
  }

  // Mirrors rbac_lens_atlas::view::covers: RBAC wildcards cover the question.
  function covers(q, t) {
    var group = t[0], resource = t[1], verbs = t[2], nonResource = t[7] === 1;
    if (q.verb && !verbs.some(function (v) { return v === "*" || v === q.verb; })) return false;
    var wantsUrl = !!q.resource && q.resource.charAt(0) === "/";
    if (nonResource || wantsUrl) {
      if (!(nonResource && wantsUrl)) return !q.resource && q.group === null && nonResource;
      return resource === q.resource ||
        (resource.slice(-1) === "*" && q.resource.indexOf(resource.slice(0, -1)) === 0);
    }
    if (q.group !== null && !(group === "*" || group === q.group)) return false;
    if (q.resource) {
      var slash = q.resource.indexOf("/");
      var sub = slash >= 0 ? q.resource.slice(slash + 1) : null;
      if (!(resource === "*" || resource === q.resource ||
            (resource.indexOf("*/") === 0 && sub !== null && resource.slice(2) === sub))) return false;
    }
    return true;
  }

  var LEVELS = ["Low", "Medium", "High", "Critical"];

  function chartIndex() {
    var form = document.getElementById("filters");
    var data = window.RBAC_LENS_SEARCH;
    if (!form || !data) return;
    var rows = Array.prototype.slice.call(document.querySelectorAll("table.charts tbody tr"));
    var field = function (id) { return document.getElementById(id); };
    var params = new URLSearchParams(window.location.search);
    ["q", "level", "tag", "rule", "kw", "verb", "resource", "group"].forEach(function (k) {
      var el = field("f-" + k);
      if (el && params.has(k)) el.value = params.get(k);
    });
    if (params.get("all") === "1" || params.get("all") === "on") field("f-all").checked = true;

    var results = field("perm-results");
    var tbody = results.querySelector("tbody");
    var count = field("f-count");

    function permissionHits(q, all) {
      var hits = [];
      data.versions.forEach(function (v) {
        if (!all && v[5] !== 1) return;
        data.sets[v[3]].forEach(function (ti) {
          var t = data.tuples[ti];
          if (covers(q, t)) hits.push({ chart: v[0], version: v[1], dir: v[2], t: t });
        });
      });
      hits.sort(function (a, b) { return b.t[6] - a.t[6] || a.chart - b.chart; });
      return hits;
    }

    function cell(tr, text) {
      var td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
      return td;
    }

    function update() {
      var q = (field("f-q").value || "").trim().toLowerCase();
      var level = field("f-level").value;
      var tag = field("f-tag").value;
      var rule = field("f-rule").value;
      var kw = field("f-kw").value;
      var tagId = tag ? data.tags.indexOf(tag) : null;
      var kwId = kw ? data.keywords.indexOf(kw) : null;
      var verb = field("f-verb").value.trim().toLowerCase();
      var resource = field("f-resource").value.trim().toLowerCase();
      var groupText = field("f-group").value.trim().toLowerCase();
      var perm = { verb: verb || null, resource: resource || null,
                   group: groupText === "" ? null : (groupText === "core" ? "" : groupText) };
      var asking = !!(perm.verb || perm.resource || perm.group !== null);
      var withHits = null;
      tbody.textContent = "";
      if (asking) {
        var hits = permissionHits(perm, field("f-all").checked);
        withHits = {};
        hits.forEach(function (h) { withHits[h.chart] = true; });
        hits.slice(0, 500).forEach(function (h) {
          var c = data.charts[h.chart];
          var tr = document.createElement("tr");
          var a = document.createElement("a");
          a.href = c[2] + "/index.html";
          a.textContent = c[0] + "/" + c[1];
          cell(tr, "").appendChild(a);
          var va = document.createElement("a");
          va.href = c[2] + "/" + encodeURIComponent(h.dir) + "/index.html";
          va.textContent = h.version;
          cell(tr, "").appendChild(va);
          cell(tr, h.t[4]);
          cell(tr, h.t[5] === "*" ? "cluster-wide" : h.t[5]);
          var res = (h.t[0] === "" ? "core" : h.t[0]) + "/" + h.t[1];
          cell(tr, h.t[3] ? res + " (restricted to: " + h.t[3] + ")" : res);
          cell(tr, h.t[2].join(", "));
          var span = document.createElement("span");
          span.className = "risk " + LEVELS[h.t[6]].toLowerCase();
          span.textContent = LEVELS[h.t[6]];
          cell(tr, "").appendChild(span);
          tbody.appendChild(tr);
        });
        results.hidden = false;
        results.querySelector("h2").textContent = "Permission rows that answer the question: " +
          hits.length + (hits.length > 500 ? " (first 500 shown)" : "");
      } else {
        results.hidden = true;
      }
      var shown = 0;
      rows.forEach(function (tr) {
        var i = Number(tr.getAttribute("data-i"));
        var c = data.charts[i];
        var ok = !!c;
        if (ok && q) ok = tr.textContent.toLowerCase().indexOf(q) >= 0;
        if (ok && level !== "") ok = c[3] === Number(level);
        if (ok && tagId !== null) ok = c[5].indexOf(tagId) >= 0;
        if (ok && rule !== "") ok = c[4].indexOf(Number(rule)) >= 0;
        if (ok && kwId !== null) ok = c[6].indexOf(kwId) >= 0;
        if (ok && withHits) ok = !!withHits[i];
        tr.className = ok ? "" : "hidden";
        if (ok) shown++;
      });
      count.textContent = "Showing " + shown + " of " + rows.length + " charts.";
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  function start() {
    versionPicker();
    chartIndex();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
