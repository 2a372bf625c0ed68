/* Report page enhancements: tap the grid map to say where, photo previews, category hints.
   The form works without this file (plain post with the community/grid list). */
(function () {
  "use strict";

  var lngInput = document.getElementById("id_longitude");
  var latInput = document.getElementById("id_latitude");
  var regionSelect = document.getElementById("id_region");

  /* ---- Category picker: mark the group holding the choice. ---- */
  document.querySelectorAll('input[name="category"]').forEach(function (radio) {
    radio.addEventListener("change", function () {
      document.querySelectorAll(".cat-group").forEach(function (group) {
        group.classList.toggle("has-choice", !!group.querySelector('input[name="category"]:checked'));
      });
    });
  });

  /* ---- Photos: previews, a warning before sending too many or non-photos, and a photo larger
     than the server takes made smaller here (a phone's camera can exceed it: refused after a long
     upload, the resident would have had no way to send it). ---- */
  var photos = document.getElementById("id_photos");
  var previews = document.getElementById("photo-previews");
  var warning = document.getElementById("photo-warning");
  var SIDES = [2560, 1920, 1280];  // long side tried in turn until the photo fits

  function shrink(file, maxBytes) {
    return new Promise(function (resolve) {
      var img = new Image(), url = URL.createObjectURL(file);
      img.onerror = function () { URL.revokeObjectURL(url); resolve(null); };
      img.onload = function () {
        URL.revokeObjectURL(url);
        var canvas = document.createElement("canvas");
        (function attempt(i) {
          if (i >= SIDES.length) { resolve(null); return; }
          var scale = Math.min(1, SIDES[i] / Math.max(img.naturalWidth, img.naturalHeight));
          canvas.width = Math.round(img.naturalWidth * scale);
          canvas.height = Math.round(img.naturalHeight * scale);
          canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
          canvas.toBlob(function (blob) {
            if (blob && blob.size <= maxBytes) {
              resolve(new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" }));
            } else {
              attempt(i + 1);
            }
          }, "image/jpeg", 0.85);
        })(0);
      };
      img.src = url;
    });
  }

  function refuse(problem) {
    warning.textContent = problem;
    warning.hidden = false;
    photos.value = "";
  }

  function preview(files) {
    files.forEach(function (file) {
      var img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(img.src); };
      previews.appendChild(img);
    });
  }

  if (photos && previews && warning) {
    photos.addEventListener("change", function () {
      previews.innerHTML = "";
      warning.hidden = true;
      var files = Array.prototype.slice.call(photos.files || []);
      var max = parseInt(photos.dataset.max, 10) || 6;
      var maxBytes = parseInt(photos.dataset.maxBytes, 10) || Infinity;
      var problem = files.length > max ? photos.dataset.msgTooMany
        : files.some(function (f) { return !/^image\//.test(f.type); }) ? photos.dataset.msgNotPhoto : "";
      if (problem) return refuse(problem);
      if (!files.some(function (f) { return f.size > maxBytes; })) return preview(files);
      var tooBig = files.filter(function (f) { return f.size > maxBytes; })[0];
      var tooBigWords = photos.dataset.msgTooBig.replace("{name}", tooBig.name);
      if (!window.DataTransfer || !window.Promise || !HTMLCanvasElement.prototype.toBlob) return refuse(tooBigWords);
      var submit = photos.form && photos.form.querySelector('[type="submit"]');
      if (submit) submit.disabled = true;  // not the large originals while they are being made smaller
      Promise.all(files.map(function (f) { return f.size > maxBytes ? shrink(f, maxBytes) : f; })).then(function (made) {
        if (submit) submit.disabled = false;
        if (made.some(function (f) { return !f; })) return refuse(tooBigWords);
        var chosen = new DataTransfer();
        made.forEach(function (f) { chosen.items.add(f); });
        photos.files = chosen.files;
        preview(made);
      });
    });
  }

  /* ---- Map: grid polygons on a blank background (tiles only if configured). ---- */
  var mapEl = document.getElementById("report-map");
  if (!mapEl || !window.L || !window.fetch) return;
  var status = document.getElementById("map-status");
  var locateButton = document.getElementById("locate-me");
  var msg = mapEl.dataset;
  var initialText = status.textContent;

  function say(text, kind) {
    status.textContent = text;
    status.className = "map-status" + (kind ? " " + kind : "");
  }

  // Point-in-polygon by ray casting over GeoJSON rings of [lng, lat].
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function inPolygon(x, y, rings) {
    if (!inRing(x, y, rings[0])) return false;
    for (var k = 1; k < rings.length; k++) if (inRing(x, y, rings[k])) return false;
    return true;
  }
  function polygonsOf(geometry) {
    return geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  }
  function area(geometry) {
    return polygonsOf(geometry).reduce(function (sum, rings) {
      var ring = rings[0], a = 0;
      for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
      return sum + Math.abs(a / 2);
    }, 0);
  }

  var map = L.map(mapEl, { zoomControl: false, attributionControl: false, minZoom: 3, maxZoom: 19, zoomSnap: 0.5 });
  var zoom = document.documentElement.dataset;  // the tooltips in the page's language (set on <html>)
  L.control.zoom({ zoomInTitle: zoom.zoomIn || "Zoom in", zoomOutTitle: zoom.zoomOut || "Zoom out" }).addTo(map);
  if (msg.tileUrl) L.tileLayer(msg.tileUrl, { maxZoom: 19 }).addTo(map);
  map.createPane("pick").style.zIndex = 700;  // the chosen point above the grid labels
  var features = [], layers = {}, marker = null, chosen = null, bounds = null;

  /* Labels that would overlap another are hidden (the larger grid keeps its label); zooming in
     shows more of them. */
  function declutter() {
    var kept = [];
    features.slice().sort(function (a, b) { return area(b.geometry) - area(a.geometry); }).forEach(function (f) {
      var tip = layers[f.id] && layers[f.id].getTooltip && layers[f.id].getTooltip();
      var el = tip && tip.getElement && tip.getElement();
      if (!el) return;
      el.style.visibility = "";
      var r = el.getBoundingClientRect();
      var clash = kept.some(function (k) { return r.left < k.right + 2 && r.right > k.left - 2 && r.top < k.bottom + 1 && r.bottom > k.top - 1; });
      if (clash) el.style.visibility = "hidden"; else kept.push(r);
    });
  }
  map.on("zoomend moveend", declutter);
  // The map is an option in a closed <details>: size it when it is opened.
  var details = document.getElementById("map-details");
  if (details) details.addEventListener("toggle", function () {
    if (!details.open) return;
    map.invalidateSize();
    if (marker) map.setView(marker.getLatLng(), Math.max(map.getZoom(), 15));
    else if (bounds) map.fitBounds(bounds, { padding: [8, 8] });
    declutter();
  });
  var baseStyle = { color: "#1456a0", weight: 1.5, fillColor: "#5b8fd1", fillOpacity: 0.16 };
  var chosenStyle = { color: "#0d3f78", weight: 3, fillColor: "#1456a0", fillOpacity: 0.35 };

  function highlight(id) {
    if (chosen !== null && layers[chosen]) layers[chosen].setStyle(baseStyle);
    chosen = layers[id] ? id : null;
    if (chosen !== null) layers[chosen].setStyle(chosenStyle);
  }
  function label(feature) {
    var p = feature.properties;
    return p.community ? p.name + "（" + p.community + "）" : p.name;
  }
  function clearPoint() {
    lngInput.value = "";
    latInput.value = "";
    if (marker) { map.removeLayer(marker); marker = null; }
  }
  function gridAt(x, y) {
    var hits = features.filter(function (f) {
      return polygonsOf(f.geometry).some(function (rings) { return inPolygon(x, y, rings); });
    });
    hits.sort(function (a, b) { return area(a.geometry) - area(b.geometry); });  // the smallest, as the server does
    return hits[0] || null;
  }
  function choosePoint(latlng) {
    var grid = gridAt(latlng.lng, latlng.lat);
    if (!grid) {
      clearPoint();
      highlight(null);
      say(msg.msgOutside, "bad");
      return;
    }
    lngInput.value = latlng.lng.toFixed(6);
    latInput.value = latlng.lat.toFixed(6);
    if (marker) marker.setLatLng(latlng);
    else marker = L.circleMarker(latlng, { pane: "pick", radius: 9, color: "#fff", weight: 3, fillColor: "#d92d20", fillOpacity: 1 }).addTo(map);
    highlight(grid.id);
    if (regionSelect.querySelector('option[value="' + grid.id + '"]')) regionSelect.value = String(grid.id);
    say(msg.msgFound.replace("{grid}", label(grid)), "ok");
  }

  say(msg.msgLoading);
  fetch(msg.gridsUrl, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
    .then(function (data) {
      features = data.features || [];
      if (!features.length) throw new Error("no grids");
      var few = features.length <= 40;
      var group = L.geoJSON(data, {
        style: function () { return baseStyle; },
        interactive: false,
        onEachFeature: function (feature, layer) {
          layers[feature.id] = layer;
          if (few) layer.bindTooltip(feature.properties.name, { permanent: true, direction: "center", className: "grid-label" });
        }
      }).addTo(map);
      bounds = group.getBounds();
      map.fitBounds(bounds, { padding: [8, 8] });
      declutter();
      if (lngInput.value && latInput.value) {  // the form came back with an error: show the point again
        choosePoint(L.latLng(parseFloat(latInput.value), parseFloat(lngInput.value)));
      } else {
        say(initialText);
      }
      map.on("click", function (e) { choosePoint(e.latlng); });
      if (locateButton && navigator.geolocation && (window.isSecureContext || location.hostname === "127.0.0.1")) {
        locateButton.hidden = false;
        locateButton.addEventListener("click", function () {
          say(msg.msgLocating);
          navigator.geolocation.getCurrentPosition(function (pos) {
            var here = L.latLng(pos.coords.latitude, pos.coords.longitude);
            map.setView(here, Math.max(map.getZoom(), 16));
            choosePoint(here);
          }, function () { say(msg.msgLocateFailed, "bad"); }, { enableHighAccuracy: true, timeout: 10000 });
        });
      }
    })
    .catch(function () {
      mapEl.hidden = true;
      say(msg.msgFailed, "bad");
    });

  regionSelect.addEventListener("change", function () {
    clearPoint();
    var id = parseInt(regionSelect.value, 10);
    highlight(id);
    if (layers[id]) {
      if (!details || details.open) map.fitBounds(layers[id].getBounds(), { padding: [20, 20] });
      say(msg.msgFound.replace("{grid}", regionSelect.options[regionSelect.selectedIndex].text), "ok");
    }
  });
})();

/* After a refused send (works without this: the server marks the first field in error with
   autofocus): bring that field to the middle of the screen, and let the summary's links move the
   focus to their field, not only the view. */
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (!summary) return;
  var first = document.querySelector(".report-form [autofocus]");
  if (first && first.scrollIntoView) first.scrollIntoView({ block: "center" });
  summary.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
    var target = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    event.preventDefault();
    var field = /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) ? target
      : (target.closest("section") || target).querySelector("input:checked, input, select, textarea");
    target.scrollIntoView({ block: "center" });
    if (field) field.focus({ preventScroll: true });
  });
})();

/* A second tap while the report is on its way does nothing (the server also files a form's
   report once: a second post of it gets the first one's receipt). The button says it is sending;
   coming back to the page (the back button) makes it usable again. */
(function () {
  "use strict";
  var form = document.querySelector(".report-form");
  var button = document.querySelector('[data-testid="report-submit"]');
  if (!form || !button) return;
  var label = button.textContent;
  form.addEventListener("submit", function (event) {
    if (event.defaultPrevented) return;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    button.setAttribute("aria-disabled", "true");
    button.classList.add("is-sending");
    if (button.dataset.msgSending) button.textContent = button.dataset.msgSending;
  });
  window.addEventListener("pageshow", function () {
    delete form.dataset.sending;
    button.removeAttribute("aria-disabled");
    button.classList.remove("is-sending");
    button.textContent = label;
  });
})();
