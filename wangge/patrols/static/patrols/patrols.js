/* Patrol phone pages (巡查): position capture, the offline queue of check-ins, the day's route.
   A check-in made without signal is kept in localStorage with its own client id and time, and
   sent again when the phone is back online (the server ignores a second copy of the same id). */
(function () {
  "use strict";
  var KEY = "wangge.patrol.queue";

  function csrf() {
    var input = document.querySelector("[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function readQueue() {
    try { return JSON.parse(localStorage.getItem(KEY) || "[]"); } catch (e) { return []; }
  }
  function writeQueue(items) { localStorage.setItem(KEY, JSON.stringify(items)); showQueue(); }
  /* How many check-ins this phone keeps unsent (the server's WANGGE_PATROL_OFFLINE_QUEUE_MAX, on
     the check-in form): past it a check-in is not kept, and the worker is told so. */
  function queueMax(form) {
    var n = parseInt(form && form.dataset.queueMax, 10);
    return n > 0 ? n : Infinity;
  }

  function showQueue() {
    var items = readQueue();
    // The landing page after a check-in the server has not seen: say so when this phone holds it.
    document.querySelectorAll("[data-pending]").forEach(function (el) {
      el.hidden = !items.some(function (i) { return i.fields.client_id === el.dataset.pending; });
    });
    document.querySelectorAll("[data-queue]").forEach(function (el) {
      var form = document.querySelector("[data-checkin-form]");
      var full = items.length >= queueMax(form);
      var text = (form && (full ? form.dataset.textQueueFull : form.dataset.textQueued)) || "%s";
      el.hidden = items.length === 0;
      el.classList.toggle("msg-error", full);
      el.textContent = text.replace("%s", String(items.length));
    });
  }

  function dataUrlToBlob(url) {
    var parts = url.split(","), type = parts[0].split(":")[1].split(";")[0];
    var bin = atob(parts[1]), arr = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { arr[i] = bin.charCodeAt(i); }
    return new Blob([arr], { type: type });
  }

  function toFormData(item) {
    var fd = new FormData();
    Object.keys(item.fields).forEach(function (k) { fd.append(k, item.fields[k]); });
    (item.photos || []).forEach(function (p) { fd.append("photos", dataUrlToBlob(p.data), p.name); });
    fd.set("csrfmiddlewaretoken", csrf());
    return fd;
  }

  function send(url, fd) {
    return fetch(url, { method: "POST", body: fd, credentials: "same-origin",
                        headers: { "X-Patrol-Client": "1", "X-CSRFToken": csrf() } });
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) { return; }
    var items = readQueue();
    if (!items.length) { return; }
    flushing = true;
    var item = items[0];
    send(item.url, toFormData(item)).then(function (r) {
      // Signed out meanwhile: the login page answered (a redirect followed), or the CSRF check did
      // (a 403 page, not the check-in's JSON refusal). It stays on the phone and goes from the next
      // patrol page opened after signing in again.
      var json = /json/.test(r.headers.get("Content-Type") || "");
      if (r.redirected || (r.status === 403 && !json)) { flushing = false; return; }
      // Sent (2xx) or refused for good (4xx): either way it leaves the queue.
      if (r.status < 500) {
        writeQueue(readQueue().slice(1)); flushing = false;
        // The check-in this page is waiting for has arrived: show its outcome from the server.
        var id = item.fields.client_id, form = document.querySelector("[data-checkin-form]");
        var mine = form && form.querySelector("[name=client_id]");
        if (r.ok && mine && mine.value === id) { window.location.href = form.dataset.doneUrl + "?done=" + encodeURIComponent(id); return; }
        var pending = document.querySelector("[data-pending=\"" + id + "\"]");
        if (pending && r.ok) { window.location.reload(); return; }
        if (mine && mine.value === id) {
          r.json().then(function (body) { refused(form, body.error); }).catch(function () {});
        }
        if (pending) {
          // Refused for good (the server said why): say so rather than let it vanish.
          r.json().then(function (body) {
            pending.className = "msg msg-error"; pending.hidden = false;
            pending.textContent = (body.error && body.error.message) || pending.textContent;
            pending.removeAttribute("data-pending");
          }).catch(function () {});
        }
        flush();
      }
      else { flushing = false; }
    }).catch(function () { flushing = false; });
  }

  /* A phone's photo (3–5 MB, a third more as text) soon fills the few MB of localStorage: kept on
     the phone it is redrawn at most PHOTO_SIDE pixels on its longest side, as JPEG (a few hundred
     kB; the server takes it as any photo). One that cannot be redrawn is kept as it is. */
  var PHOTO_SIDE = 1600;
  function readFile(f) {
    return new Promise(function (resolve) {
      var reader = new FileReader();
      reader.onload = function () { resolve({ name: f.name, data: reader.result }); };
      reader.onerror = function () { resolve(null); };
      reader.readAsDataURL(f);
    });
  }
  function shrink(photo) {
    return new Promise(function (resolve) {
      var img = new Image();
      img.onload = function () {
        try {
          var scale = Math.min(1, PHOTO_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
          var canvas = document.createElement("canvas");
          canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
          canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
          canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
          var data = canvas.toDataURL("image/jpeg", 0.8);
          if (data.length >= photo.data.length) { resolve(photo); return; }
          resolve({ name: photo.name.replace(/\.[^.]*$/, "") + ".jpg", data: data });
        } catch (e) { resolve(photo); }
      };
      img.onerror = function () { resolve(photo); };
      img.src = photo.data;
    });
  }
  function readFiles(files) {
    return Promise.all(Array.prototype.map.call(files || [], function (f) {
      return readFile(f).then(function (photo) { return photo && shrink(photo); });
    })).then(function (list) { return list.filter(Boolean); });
  }

  /* Keeps the check-in on the phone: "saved", "no-photos" (kept, but its photos did not fit in
     the phone's storage), "full" (not even the check-in fitted: nothing kept) or "limit" (as many
     check-ins as the phone keeps are already waiting: nothing kept). */
  function enqueue(form) {
    var fields = {};
    new FormData(form).forEach(function (v, k) { if (typeof v === "string" && k !== "csrfmiddlewaretoken") { fields[k] = v; } });
    var input = form.querySelector("input[type=file]");
    return readFiles(input && input.files).catch(function () { return []; }).then(function (photos) {
      var items = readQueue();
      if (items.some(function (i) { return i.fields.client_id === fields.client_id; })) { return "saved"; }
      if (items.length >= queueMax(form)) { showQueue(); return "limit"; }
      var item = { url: form.action || window.location.pathname, fields: fields, photos: photos };
      try { writeQueue(items.concat([item])); return "saved"; } catch (e) { /* over the quota */ }
      if (!photos.length) { return "full"; }
      item.photos = [];
      try { writeQueue(items.concat([item])); return "no-photos"; } catch (e) { return "full"; }
    });
  }

  function message(form, text, cls) {
    var el = form.querySelector(".checkin-message");
    if (!el) { el = document.createElement("p"); el.className = "checkin-message"; form.insertBefore(el, form.firstChild); }
    el.className = "checkin-message " + (cls || "");
    el.setAttribute("data-testid", "checkin-message");
    el.textContent = text;
    return el;
  }

  /* A refusal is said where the worker is looking: at the field the server named (opened, focused
     and scrolled to — the button is at the bottom of a long form on a phone), else at the top of
     the form, scrolled into view. */
  function refused(form, error) {
    form.querySelectorAll("[data-field-error]").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var text = (error && error.message) || "Error";
    var input = error && error.field && form.querySelector("[name=\"" + error.field + "\"]:not([type=hidden])");
    if (!input) {
      var top = message(form, text, "msg msg-error");
      if (top.scrollIntoView) { top.scrollIntoView({ block: "center" }); }
      return;
    }
    var old = form.querySelector(".checkin-message");
    if (old) { old.remove(); }
    var note = document.createElement("p");
    note.className = "field-error"; note.setAttribute("role", "alert");
    note.setAttribute("data-field-error", ""); note.setAttribute("data-testid", "checkin-field-error");
    note.textContent = text;
    input.insertAdjacentElement("afterend", note);
    input.setAttribute("aria-invalid", "true");
    var details = input.closest("details");
    if (details) { details.open = true; }
    input.focus();
    if (note.scrollIntoView) { note.scrollIntoView({ block: "center" }); }
  }

  function bindForm(form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var time = form.querySelector("[name=client_time]");
      if (time && !time.value) { time.value = new Date().toISOString(); }
      var button = form.querySelector("[type=submit]");
      if (button) { button.disabled = true; }
      function offline() {
        // Kept on the phone; the page stays (no signal to load another), the button stays off:
        // this check-in's client id is spent. The queue is sent when the phone is online again.
        enqueue(form).then(function (kept) {
          if (kept === "full" || kept === "limit") {
            // Nothing kept: said, and the button is back for a try where there is signal.
            message(form, kept === "full" ? form.dataset.textFull
              : form.dataset.textLimit.replace("%s", String(readQueue().length)), "msg msg-error");
            if (button) { button.disabled = false; }
            return;
          }
          message(form, kept === "no-photos" ? form.dataset.textNoPhotos : form.dataset.textSaved, "msg msg-warning");
        });
      }
      if (!navigator.onLine) { offline(); return; }
      var fd = new FormData(form);
      send(form.action || window.location.pathname, fd).then(function (r) {
        if (r.status >= 500) { offline(); return; }
        return r.json().then(function (body) {
          if (r.ok) { window.location.href = form.dataset.doneUrl + "?done=" + encodeURIComponent(body.client_id); return; }
          if (button) { button.disabled = false; }
          refused(form, body.error);
        });
      }).catch(offline);
    });
  }

  function haversine(lat1, lng1, lat2, lng2) {
    var R = 6371008.8, rad = Math.PI / 180;
    var dp = (lat2 - lat1) * rad, dl = (lng2 - lng1) * rad;
    var a = Math.sin(dp / 2) * Math.sin(dp / 2) + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * R * Math.asin(Math.min(1, Math.sqrt(a)));
  }

  function capture(el) {
    if (!navigator.geolocation) { el.textContent = el.dataset.textNone; return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      var c = pos.coords;
      var set = function (name, v) { var i = document.querySelector("[name=" + name + "]"); if (i) { i.value = v; } };
      set("latitude", c.latitude); set("longitude", c.longitude); set("accuracy", Math.round(c.accuracy || 0));
      var d = Math.round(haversine(c.latitude, c.longitude, parseFloat(el.dataset.pointLat), parseFloat(el.dataset.pointLng)));
      var far = d > parseFloat(el.dataset.far);
      el.className = "gps " + (far ? "far" : "ok");
      el.textContent = (far ? el.dataset.textFar : el.dataset.textOk).replace("%s", String(d));
    }, function () { el.textContent = el.dataset.textNone; }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 });
  }

  function locate(button) {
    button.addEventListener("click", function () {
      if (!navigator.geolocation) { return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        var params = new URLSearchParams(window.location.search);
        params.delete("done");
        params.set("lat", pos.coords.latitude.toFixed(6)); params.set("lng", pos.coords.longitude.toFixed(6));
        window.location.search = params.toString();
      });
    });
  }

  function routeMap(el) {
    var data = JSON.parse(document.getElementById("route-data").textContent);
    if (typeof L === "undefined") { return; }
    if (!data.points.length) { el.textContent = el.dataset.empty; return; }
    var map = L.map(el, { zoomControl: false, attributionControl: false, zoomSnap: 0.25 });
    var zoom = document.documentElement.dataset;  // the tooltips in the page's language (set on <html>)
    L.control.zoom({ zoomInTitle: zoom.zoomIn || "Zoom in", zoomOutTitle: zoom.zoomOut || "Zoom out" }).addTo(map);
    if (data.tiles) { L.tileLayer(data.tiles, { maxZoom: 19 }).addTo(map); }
    var latlngs = data.points.map(function (p) { return [p.lat, p.lng]; });
    map.fitBounds(L.latLngBounds(latlngs).pad(0.2), { maxZoom: 17 });
    L.polyline(latlngs, { color: "#1f5fbf", weight: 3, opacity: 0.7 }).addTo(map);
    data.points.forEach(function (p, i) {
      L.circleMarker([p.lat, p.lng], { radius: 8, color: "#fff", weight: 2, fillColor: p.far ? "#f59e0b" : "#16a34a", fillOpacity: 1 })
        .bindTooltip((i + 1) + ". " + p.time + " " + p.name).addTo(map);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-checkin-form]").forEach(bindForm);
    document.querySelectorAll("[data-gps]").forEach(capture);
    document.querySelectorAll("[data-locate]").forEach(locate);
    var map = document.getElementById("route-map");
    if (map) { routeMap(map); }
    showQueue();
    flush();
  });
  window.addEventListener("online", flush);
})();
