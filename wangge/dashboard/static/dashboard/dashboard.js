/* Command dashboard: ECharts charts and the Leaflet grid map, from the JSON in #cc-data. */
(function () {
  "use strict";
  var el = document.getElementById("cc-data");
  if (!el) return;
  var data = JSON.parse(el.textContent);
  var L_ = data.rate_labels;
  var AXIS = { axisLine: { lineStyle: { color: "#2b5597" } }, axisLabel: { color: "#8fa9d6" },
               splitLine: { lineStyle: { color: "rgba(43,85,151,.35)" } } };
  var COLORS = ["#2fd4ff", "#34d399", "#fbbf24", "#a78bfa", "#f87171", "#60a5fa", "#f472b6", "#4ade80", "#fb923c", "#94a3b8"];
  var charts = [];

  function chart(id, option) {
    var node = document.getElementById(id);
    if (!node || !window.echarts) return;
    var c = echarts.init(node, null, { renderer: "canvas" });
    option.color = option.color || COLORS;
    option.textStyle = { color: "#dbe8ff" };
    option.backgroundColor = "transparent";
    c.setOption(option);
    charts.push(c);
    return c;
  }

  // 穿透: a bar or slice opens the case list of the cases it counts (its row's ``link``).
  function drill(c, rows) {
    if (!c) return;
    c.on("click", function (p) {
      var row = rows[p.dataIndex];
      if (row && row.link) window.location.href = row.link;
    });
  }

  // The trend charts' series, in the order they are drawn: a day's (month's) bar or point opens
  // its series' cases filed that day (month) — drill.trend_point_link builds the same link.
  var TREND_SERIES = ["filed", "solved", "response", "satisfaction", "on_time"];

  function trend(id, s, labels) {
    var c = chart(id, {
      tooltip: { trigger: "axis" },
      legend: { textStyle: { color: "#8fa9d6" }, top: 0, itemWidth: 14, itemHeight: 8 },
      grid: { left: 44, right: 44, top: 36, bottom: 28 },
      xAxis: Object.assign({ type: "category", data: s.labels }, AXIS),
      // Counts are whole numbers: no 0.5 ticks.
      yAxis: [Object.assign({ type: "value", minInterval: 1 }, AXIS),
              Object.assign({ type: "value", max: 100, min: 0, axisLabel: { color: "#8fa9d6", formatter: "{value}%" },
                              splitLine: { show: false } }, { axisLine: AXIS.axisLine })],
      series: [
        { name: labels.filed, type: "bar", data: s.filed, barMaxWidth: 16,
          itemStyle: { color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [{ offset: 0, color: "#2fd4ff" }, { offset: 1, color: "#1d4b8f" }]) } },
        { name: labels.solved, type: "bar", data: s.solved, barMaxWidth: 16, itemStyle: { color: "#34d399" } },
        { name: L_.response, type: "line", yAxisIndex: 1, data: s.response, symbolSize: 4, connectNulls: false },
        { name: L_.satisfaction, type: "line", yAxisIndex: 1, data: s.satisfaction, symbolSize: 4, connectNulls: false },
        { name: L_.on_time, type: "line", yAxisIndex: 1, data: s.on_time, symbolSize: 4, connectNulls: false }
      ]
    });
    if (!c) return;
    c.on("click", function (p) {
      var base = s.links[TREND_SERIES[p.seriesIndex]], span = s.spans[p.dataIndex];
      if (base && span) {
        window.location.href = base + "&submitted_after=" + encodeURIComponent(span[0]) +
          "&submitted_before=" + encodeURIComponent(span[1]);
      }
    });
  }

  var labels = JSON.parse(document.getElementById("cc-labels").textContent);
  trend("chart-day", data.day, labels);
  trend("chart-month", data.month, labels);

  drill(chart("chart-status", {
    tooltip: { trigger: "item" },
    grid: { left: 80, right: 30, top: 8, bottom: 20 },
    xAxis: Object.assign({ type: "value", minInterval: 1 }, AXIS),
    yAxis: Object.assign({ type: "category", data: data.statuses.map(function (s) { return s.label; }), inverse: true }, AXIS),
    series: [{ type: "bar", data: data.statuses.map(function (s) { return s.count; }), barMaxWidth: 14,
               label: { show: true, position: "right", color: "#dbe8ff" },
               itemStyle: { borderRadius: [0, 4, 4, 0], color: "#2fd4ff" } }]
  }), data.statuses);

  drill(chart("chart-channel", {
    tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
    legend: { orient: "vertical", left: "58%", top: "middle", textStyle: { color: "#8fa9d6" }, type: "scroll",
              itemWidth: 10, itemHeight: 10 },
    series: [{ type: "pie", radius: ["42%", "70%"], center: ["28%", "50%"], data: data.channels,
               label: { show: false }, itemStyle: { borderColor: "#0c2346", borderWidth: 2 } }]
  }), data.channels);

  var cats = data.categories.slice(0, 12);
  drill(chart("chart-category", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    // The names set the left margin (an English name is longer than a Chinese one); a very long
    // one is cut with "…", its whole name in the tooltip.
    grid: { left: 8, right: 40, top: 8, bottom: 20, containLabel: true },
    xAxis: Object.assign({ type: "value", minInterval: 1 }, AXIS),
    yAxis: Object.assign({ type: "category", inverse: true, data: cats.map(function (c) { return c.name; }) }, AXIS,
                         { axisLabel: Object.assign({}, AXIS.axisLabel, { width: 160, overflow: "truncate" }) }),
    series: [{ type: "bar", data: cats.map(function (c) { return c.value; }), barMaxWidth: 16,
               label: { show: true, position: "right", color: "#dbe8ff" },
               itemStyle: { borderRadius: [0, 4, 4, 0],
                            color: new echarts.graphic.LinearGradient(1, 0, 0, 0, [{ offset: 0, color: "#fbbf24" }, { offset: 1, color: "#1677ff" }]) } }]
  }), cats);

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });

  // Range dates only matter for the "date range" period.
  var period = document.getElementById("id_period");
  function syncRange() {
    document.querySelectorAll(".cc-range").forEach(function (n) { n.style.display = period.value === "range" ? "" : "none"; });
  }
  if (period) { period.addEventListener("change", syncRange); syncRange(); }

  // The grid map: polygons on a blank background (or the configured tile server).
  var mapNode = document.getElementById("cc-map");
  if (!mapNode || !window.L) return;
  var map = L.map(mapNode, { zoomControl: false, attributionControl: false, preferCanvas: false });
  // The zoom buttons' tooltips in the page's language (base.html puts them on <html>).
  var lang = document.documentElement.dataset;
  L.control.zoom({ zoomInTitle: lang.zoomIn || "Zoom in", zoomOutTitle: lang.zoomOut || "Zoom out" }).addTo(map);
  if (data.tile_url) L.tileLayer(data.tile_url, { maxZoom: 19 }).addTo(map);
  var SCALE = { open: ["#123a6b", "#1d6fa5", "#2fb5d6", "#7be0c5", "#fbbf24"],
                overdue: ["#123a6b", "#7c2d12", "#b45309", "#dc2626", "#ff1f1f"] };
  var mode = "open";
  var features = data.map.features;
  function maxOf(key) { return features.reduce(function (m, f) { return Math.max(m, f.properties[key]); }, 0); }
  // Whole-number classes over 1..max: as many as there are values (at most four), the hottest
  // colour always for the busiest grid; 0 keeps the base colour.
  function classes(max) {
    var n = Math.min(SCALE.open.length - 1, max), lows = [];
    for (var k = 0; k < n; k++) lows.push(1 + Math.floor(k * max / n));
    return lows;
  }
  function colour(value, lows, key) {
    var s = SCALE[key];
    if (!value) return s[0];
    var k = 0;
    while (k + 1 < lows.length && value >= lows[k + 1]) k++;
    return s[s.length - lows.length + k];
  }
  var layer = L.geoJSON(data.map, {
    style: function () { return { color: "#2fd4ff", weight: 1, fillOpacity: 0.72 }; },
    onEachFeature: function (f, lyr) {
      // 穿透: the grid's open (or, in the overdue view, overdue) cases.
      lyr.on("click", function () { window.location.href = f.properties.links[mode]; });
      lyr.bindTooltip("<b>" + f.properties.name + "</b><br>" + labels.open + ": " + f.properties.open +
                      "<br>" + labels.overdue + ": " + f.properties.overdue, { className: "grid-tip", sticky: true });
    }
  }).addTo(map);
  function paint() {
    var max = maxOf(mode), lows = classes(max), s = SCALE[mode];
    layer.eachLayer(function (lyr) { lyr.setStyle({ fillColor: colour(lyr.feature.properties[mode], lows, mode) }); });
    var items = ['<span><i style="background:' + s[0] + '"></i>0</span>'];
    lows.forEach(function (lo, k) {
      var hi = k + 1 < lows.length ? lows[k + 1] - 1 : max;
      items.push('<span><i style="background:' + s[s.length - lows.length + k] + '"></i>' +
                 (lo === hi ? lo : lo + "–" + hi) + "</span>");
    });
    document.getElementById("map-legend").innerHTML =
      items.join("") + "<span>" + (mode === "open" ? labels.open : labels.overdue) + "</span>";
  }
  paint();
  if (features.length) map.fitBounds(layer.getBounds(), { padding: [12, 12] });
  else map.setView([39.9, 116.3], 12);
  document.querySelectorAll("#map-mode button").forEach(function (b) {
    b.addEventListener("click", function () {
      mode = b.dataset.mode;
      document.querySelectorAll("#map-mode button").forEach(function (x) { x.classList.toggle("on", x === b); });
      paint();
    });
  });
})();
