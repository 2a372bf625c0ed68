/* 地址查找: type-ahead over the territory's compounds, buildings and addresses (characters or
   拼音 initials). Picking a place fills the address and sets the grid. No framework; the form
   works without it (the grid list). Also "use my position" on the field report. */
(function () {
  "use strict";

  function setup(box) {
    var input = box.querySelector(".address-search-input");
    var list = box.querySelector(".address-results");
    var status = box.querySelector(".address-status");
    var d = box.dataset;
    var timer = null, items = [], active = -1, asked = "";

    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
    function mark(i) {
      active = i;
      Array.prototype.forEach.call(list.children, function (li, k) { li.setAttribute("aria-selected", k === i ? "true" : "false"); });
    }
    function choose(place) {
      var grid = document.getElementById(d.gridTarget);
      var address = document.getElementById(d.addressTarget);
      if (grid && place.grid) {
        if (grid.tagName === "SELECT" && !grid.querySelector('option[value="' + place.grid + '"]')) {
          var opt = document.createElement("option"); opt.value = place.grid; opt.textContent = place.context; grid.appendChild(opt);
        }
        grid.value = String(place.grid);
        grid.dispatchEvent(new Event("change", { bubbles: true }));
      }
      // A block of door numbers (安德路61-120号) found by the caller's door (安德路76号): keep the door.
      var text = place.block && input.value.trim() ? input.value.trim() : place.text;
      if (address && !address.value.trim()) address.value = text;
      else if (address && address.value.indexOf(text) < 0) address.value = text + " " + address.value;
      // A place from the list, not a point: forget a point picked before.
      ["id_longitude", "id_latitude"].forEach(function (id) { var el = document.getElementById(id); if (el && d.keepPoint !== "1") el.value = ""; });
      input.value = text;
      status.textContent = d.msgSet.replace("{grid}", place.context.split(" › ").slice(0, 2).join(" › "));
      close();
      box.dispatchEvent(new CustomEvent("place-chosen", { bubbles: true, detail: place }));
    }
    function render(results) {
      items = results;
      list.innerHTML = "";
      results.forEach(function (place, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.dataset.testid = "place-" + place.id;
        var strong = document.createElement("strong"); strong.textContent = place.text;
        var small = document.createElement("small"); small.textContent = place.context;
        li.appendChild(strong); li.appendChild(small);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(place); });
        list.appendChild(li);
      });
      list.hidden = !results.length;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = results.length ? "" : d.msgNone;
      mark(results.length ? 0 : -1);
    }
    function ask() {
      var q = input.value.trim();
      if (q === asked) return;
      asked = q;
      if (!q) { render([]); status.textContent = ""; return; }
      fetch(d.url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { if (q === input.value.trim()) render(data.results || []); })
        .catch(function () { /* the grid list still works */ });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 120); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.isComposing && (list.hidden || active < 0)) {
        // Enter before the places came (or with none): look now, never send the whole form.
        ev.preventDefault();
        clearTimeout(timer);
        ask();
        return;
      }
      if (list.hidden) return;
      if (ev.key === "ArrowDown") { ev.preventDefault(); mark(Math.min(active + 1, items.length - 1)); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); mark(Math.max(active - 1, 0)); }
      else if (ev.key === "Enter" && active >= 0) { ev.preventDefault(); choose(items[active]); }
      else if (ev.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  /* 使用我的位置: the phone's position sets the grid when the report is sent. Said in the page's
     language (the browser's own error text is English); "don't use it" — or choosing a grid by
     hand — forgets the position, so a position outside every grid never traps the form. */
  function geolocate(button) {
    var form = button.closest("form");
    var status = form.querySelector("[data-geo-status]");
    var forget = form.querySelector("[data-geo-forget]");
    var lng = form.querySelector("[name=longitude]"), lat = form.querySelector("[name=latitude]");
    var d = button.dataset;
    function shown() {
      var has = lng.value !== "" && lat.value !== "";
      if (forget) forget.hidden = !has;
      return has;
    }
    function say(text) { status.textContent = text; }
    function drop() { lng.value = ""; lat.value = ""; shown(); say(d.msgForgotten || ""); }
    if (!("geolocation" in navigator)) { button.hidden = true; shown(); return; }
    if (shown()) say((d.msgSet || "").replace("{lat}", Number(lat.value).toFixed(5)).replace("{lng}", Number(lng.value).toFixed(5)));
    button.addEventListener("click", function () {
      say(d.msgWait || "…");
      navigator.geolocation.getCurrentPosition(function (pos) {
        lng.value = pos.coords.longitude.toFixed(6);
        lat.value = pos.coords.latitude.toFixed(6);
        shown();
        say((d.msgSet || "").replace("{lat}", pos.coords.latitude.toFixed(5)).replace("{lng}", pos.coords.longitude.toFixed(5)));
      }, function (err) {
        say(err && err.code === 1 ? d.msgDenied : d.msgUnavailable);
      }, { enableHighAccuracy: true, timeout: 10000 });
    });
    if (forget) forget.querySelector("button").addEventListener("click", drop);
    var grid = form.querySelector("select[name=place]");
    if (grid) grid.addEventListener("change", function () { if (shown()) drop(); });
  }

  function init() {
    document.querySelectorAll("[data-address-search]").forEach(setup);
    document.querySelectorAll("[data-geolocate]").forEach(geolocate);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
