/* Wangge staff workbench: small maps (Leaflet, no tiles unless configured) and keyboard help. */
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  /* The zoom buttons' tooltips in the page's language: base.html puts them on <html>. */
  function zoomTitles() {
    var d = document.documentElement.dataset;
    return { zoomInTitle: d.zoomIn || "Zoom in", zoomOutTitle: d.zoomOut || "Zoom out" };
  }

  function baseMap(el, tiles) {
    var map = L.map(el, { zoomControl: false, attributionControl: false, scrollWheelZoom: false, zoomSnap: 0.25 });
    L.control.zoom(zoomTitles()).addTo(map);
    if (tiles) { L.tileLayer(tiles, { maxZoom: 19 }).addTo(map); }
    return map;
  }

  var GRID_STYLE = { color: "#1f5fbf", weight: 2, fillColor: "#3b82f6", fillOpacity: 0.12 };
  var PICKED_STYLE = { color: "#c8102e", weight: 3, fillColor: "#f87171", fillOpacity: 0.2 };

  /* Case detail: the grid polygon and the reported point. */
  function caseMap(id, dataId) {
    var el = document.getElementById(id);
    var data = readJson(dataId);
    if (!el || !data || typeof L === "undefined") { return; }
    if (!data.grid && !data.point) { el.classList.add("minimap-empty"); el.textContent = el.dataset.empty || "—"; return; }
    var map = baseMap(el, data.tiles);
    var layers = [];
    var bounds = null;
    if (data.grid) {
      var grid = L.geoJSON(data.grid, { style: GRID_STYLE });
      if (data.grid_name) { grid.bindTooltip(data.grid_name); }
      layers.push(grid);
      bounds = grid.getBounds();
    }
    if (data.point) {
      layers.push(L.circleMarker(data.point, { radius: 8, color: "#fff", weight: 2, fillColor: "#c8102e", fillOpacity: 1 }));
      bounds = bounds ? bounds.extend(data.point) : L.latLngBounds([data.point, data.point]);
    }
    // The view must exist before vector layers are added (Leaflet clips against it).
    map.fitBounds(bounds.pad(0.15), { maxZoom: 17 });
    layers.forEach(function (layer) { layer.addTo(map); });
  }

  /* Hotline intake: all grids; a click sets the point and finds its grid. */
  function intakeMap(id, dataId, locateUrl) {
    var el = document.getElementById(id);
    var data = readJson(dataId);
    var select = document.getElementById("id_grid");
    var lng = document.getElementById("id_longitude");
    var lat = document.getElementById("id_latitude");
    var picked = document.getElementById("grid-picked");
    if (!el || !data || typeof L === "undefined") { return; }
    if (!data.grids.length) { el.style.display = "none"; return; }
    var map = baseMap(el, data.tiles);
    var layers = {};
    var group = L.featureGroup();
    data.grids.forEach(function (g) {
      var layer = L.geoJSON(g.boundary, { style: GRID_STYLE });
      layer.bindTooltip(g.name, { direction: "center", className: "grid-label" });
      layer.addTo(group);
      layers[g.id] = layer;
    });
    map.fitBounds(group.getBounds().pad(0.05));
    group.addTo(map);
    var marker = null;

    function highlight(gridId) {
      Object.keys(layers).forEach(function (k) { layers[k].setStyle(String(k) === String(gridId) ? PICKED_STYLE : GRID_STYLE); });
    }
    function announce() { document.body.dispatchEvent(new CustomEvent("located")); }

    map.on("click", function (ev) {
      var p = ev.latlng;
      if (marker) { marker.setLatLng(p); } else {
        marker = L.circleMarker(p, { radius: 8, color: "#fff", weight: 2, fillColor: "#c8102e", fillOpacity: 1 }).addTo(map);
      }
      lng.value = p.lng.toFixed(6);
      lat.value = p.lat.toFixed(6);
      fetch(locateUrl + "?lng=" + encodeURIComponent(lng.value) + "&lat=" + encodeURIComponent(lat.value),
            { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (res) {
          if (res.grid) {
            select.value = String(res.grid);
            picked.textContent = res.name;
            picked.classList.remove("warn");
            highlight(res.grid);
          } else {
            picked.textContent = res.message || res.error || "";
            picked.classList.add("warn");
            lng.value = ""; lat.value = "";
            highlight(null);
          }
          announce();
        });
    });
    select.addEventListener("change", function () {
      // A grid chosen from the list replaces a clicked point.
      lng.value = ""; lat.value = "";
      if (marker) { map.removeLayer(marker); marker = null; }
      highlight(select.value);
      picked.textContent = select.value ? select.options[select.selectedIndex].text : "";
    });
    // A refused form comes back with the place it was given: show it again.
    if (lng.value && lat.value) {
      marker = L.circleMarker([parseFloat(lat.value), parseFloat(lng.value)],
        { radius: 8, color: "#fff", weight: 2, fillColor: "#c8102e", fillOpacity: 1 }).addTo(map);
    }
    if (select.value) {
      highlight(select.value);
      if (select.selectedIndex >= 0) { picked.textContent = select.options[select.selectedIndex].text; }
    }
  }

  /* Ctrl+Enter (or Cmd+Enter) submits forms marked data-submit-on-ctrl-enter. */
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" || !(ev.ctrlKey || ev.metaKey)) { return; }
    var form = ev.target.closest && ev.target.closest("form[data-submit-on-ctrl-enter]");
    if (form) { ev.preventDefault(); form.requestSubmit(); }
  });

  /* In those forms a plain Enter in a one-line field does not save: a clerk pressing Enter after
     the caller's phone or a place search is not done with the call (an input method's Enter,
     which ends the composition, is left alone). */
  var NOT_TEXT = { checkbox: 1, radio: 1, submit: 1, button: 1, reset: 1, image: 1, file: 1 };
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter" || ev.ctrlKey || ev.metaKey || ev.isComposing || ev.defaultPrevented) { return; }
    var el = ev.target;
    if (!el || el.tagName !== "INPUT" || NOT_TEXT[el.type]) { return; }
    if (el.closest("form[data-submit-on-ctrl-enter]")) { ev.preventDefault(); }
  });

  /* ...and they are sent once: a second click or Ctrl+Enter while the page loads is dropped (the
     page that comes back, or back/forward, starts afresh). */
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (ev.defaultPrevented || !form.matches || !form.matches("form[data-submit-on-ctrl-enter]")) { return; }
    if (form.dataset.sending) { ev.preventDefault(); return; }
    form.dataset.sending = "1";
    // A post the browser gave up on (stopped, offline) must not lock the form for good.
    setTimeout(function () { delete form.dataset.sending; }, 15000);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (f) { delete f.dataset.sending; });
  });

  /* A suggested category chip fills the category select. */
  document.addEventListener("click", function (ev) {
    var chip = ev.target.closest && ev.target.closest("[data-category]");
    if (!chip) { return; }
    var select = document.getElementById("id_category");
    if (select) {
      select.value = chip.dataset.category;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  /* After a refused submit, put the cursor in the first field with an error. */
  document.addEventListener("DOMContentLoaded", function () {
    var field = document.querySelector(".has-error input, .has-error textarea, .has-error select");
    if (field) { field.focus(); }
  });

  /* The revisit form: "what next?" (reopen / escalate) appears when the resident does not accept. */
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-revisit-follow-up]").forEach(function (box) {
      var form = box.closest("form");
      function sync() {
        var no = form.querySelector("input[name$='accepted'][value=no]");
        box.hidden = !(no && no.checked);
      }
      form.addEventListener("change", sync);
      sync();
    });
  });

  /* Searchable multi-select (co-handlers): type to filter the ticks, the chosen ones listed. */
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-picker]").forEach(function (picker) {
      var search = picker.querySelector(".picker-search");
      var chosen = picker.querySelector("[data-picker-chosen]");
      var labels = Array.prototype.slice.call(picker.querySelectorAll(".picker-list label"));
      function update() {
        var q = search.value.trim().toLowerCase();
        labels.forEach(function (label) {
          var box = label.querySelector("input");
          label.hidden = !!q && !(box && box.checked) && label.textContent.toLowerCase().indexOf(q) < 0;
        });
        chosen.textContent = labels.filter(function (l) { var b = l.querySelector("input"); return b && b.checked; })
          .map(function (l) { return l.textContent.trim(); }).join("、");
      }
      search.addEventListener("input", update);
      search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); } });
      picker.addEventListener("change", update);
      update();
    });
  });

  window.Wangge = { caseMap: caseMap, intakeMap: intakeMap, zoomTitles: zoomTitles };
})();
