// The live page: polls ./api every second and draws what it says. No framework; charts by uPlot.
(function () {
  "use strict";
  var POLL_MS = 1000;
  var plots = {};      // chart id -> {plot, names, width}
  var lastOk = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = text; }
    return e;
  }

  function tiles(list) {
    var box = document.getElementById("tiles");
    list.forEach(function (t) {
      var id = "tile-" + t.id;
      var tile = document.getElementById(id);
      if (!tile) {
        tile = el("div", "tile");
        tile.id = id;
        tile.appendChild(el("div", "label", t.label));
        tile.appendChild(el("div", "value"));
        tile.appendChild(el("div", "detail"));
        box.appendChild(tile);
      }
      tile.querySelector(".value").textContent = t.value;
      tile.querySelector(".detail").textContent = t.detail || "";
    });
  }

  var COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

  function chartWidth(box) {
    return Math.max(300, Math.floor(box.clientWidth - 16));
  }

  function charts(list) {
    var box = document.getElementById("charts");
    list.forEach(function (c) {
      var id = "chart-" + c.id;
      var card = document.getElementById(id);
      if (!card) {
        card = el("div", "chart");
        card.id = id;
        card.appendChild(el("h2", null, c.title));
        card.appendChild(el("div", "body"));
        box.appendChild(card);
      }
      var body = card.querySelector(".body");
      card.setAttribute("data-points", String(c.x.length));
      if (c.x.length === 0) {
        if (plots[c.id]) { plots[c.id].plot.destroy(); delete plots[c.id]; }
        body.textContent = "";
        body.appendChild(el("div", "empty", "no data yet"));
        return;
      }
      var data = [c.x].concat(c.series.map(function (s) { return s.y; }));
      var names = c.series.map(function (s) { return s.name; }).join("|");
      var existing = plots[c.id];
      if (existing && existing.names === names) {
        existing.plot.setData(data);
        return;
      }
      if (existing) { existing.plot.destroy(); }
      body.textContent = "";
      var opts = {
        width: chartWidth(card),
        height: 220,
        scales: { x: { time: !!c.xIsTime } },
        axes: [{ label: c.xLabel }, { label: c.yLabel }],
        series: [{ label: c.xLabel }].concat(c.series.map(function (s, i) {
          return { label: s.name, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true };
        }))
      };
      plots[c.id] = { plot: new uPlot(opts, data, body), names: names };
    });
  }

  function tables(list) {
    var box = document.getElementById("tables");
    list.forEach(function (t) {
      var id = "table-" + t.id;
      var card = document.getElementById(id);
      if (!card) {
        card = el("div", "table");
        card.id = id;
        card.appendChild(el("h2", null, t.title));
        var table = el("table");
        var head = el("tr");
        t.columns.forEach(function (c) { head.appendChild(el("th", null, c)); });
        var thead = el("thead");
        thead.appendChild(head);
        table.appendChild(thead);
        table.appendChild(el("tbody"));
        card.appendChild(table);
        box.appendChild(card);
      }
      var tbody = card.querySelector("tbody");
      tbody.textContent = "";
      if (t.rows.length === 0) {
        var tr = el("tr");
        var td = el("td", "empty", "none yet");
        td.colSpan = t.columns.length;
        tr.appendChild(td);
        tbody.appendChild(tr);
      }
      t.rows.forEach(function (r) {
        var tr = el("tr");
        r.forEach(function (cell) { tr.appendChild(el("td", null, cell)); });
        tbody.appendChild(tr);
      });
    });
  }

  function status(text, stale) {
    var s = document.getElementById("status");
    s.textContent = text;
    s.className = stale ? "status stale" : "status";
  }

  function poll() {
    fetch("api", { cache: "no-store" }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (v) {
      document.getElementById("title").textContent = v.title;
      document.title = v.title;
      document.getElementById("subtitle").textContent = v.subtitle || "";
      tiles(v.tiles);
      charts(v.charts);
      tables(v.tables);
      lastOk = Date.now();
      status("updated " + new Date(v.updatedAt).toLocaleTimeString(), false);
    }).catch(function (e) {
      var ago = lastOk ? Math.round((Date.now() - lastOk) / 1000) + " s ago" : "never";
      status("cannot reach the process (" + e.message + "); last update " + ago, true);
    }).then(function () {
      setTimeout(poll, POLL_MS);
    });
  }

  window.addEventListener("resize", function () {
    Object.keys(plots).forEach(function (id) {
      var card = document.getElementById("chart-" + id);
      if (card) { plots[id].plot.setSize({ width: chartWidth(card), height: 220 }); }
    });
  });

  poll();
}());
