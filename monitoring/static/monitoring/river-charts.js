// One ECharts line chart per parameter: a series per monitoring point over time, with the
// GB 3838-2002 class limits as horizontal lines and the river's target in red.
(function () {
  function draw() {
    var holder = document.getElementById("charts");
    var source = document.getElementById("chart-data");
    if (!holder || !source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var labels = data.labels;
    data.charts.forEach(function (chart) {
      var box = document.createElement("div");
      box.className = "card chart";
      box.dataset.param = chart.code;
      var title = document.createElement("h3");
      title.textContent = chart.name + (chart.unit ? " (" + chart.unit + ")" : "");
      box.appendChild(title);
      var canvas = document.createElement("div");
      canvas.className = "chart-canvas";
      box.appendChild(canvas);
      holder.appendChild(box);
      var series = Object.keys(chart.series).map(function (pid) {
        return { name: data.points[pid] || pid, type: "line", showSymbol: true, symbolSize: 5,
                 data: chart.series[pid] };
      });
      if (!series.length) {
        canvas.classList.add("empty");
        canvas.textContent = labels.none;
        return;
      }
      var lines = [];
      (chart.odour || []).forEach(function (limit, i) {
        lines.push({ yAxis: limit, name: labels.odour[i],
                     lineStyle: { color: i ? "#c0392b" : "#b7791f", type: "dashed" } });
      });
      if (chart.sense === "range") {
        lines = [{ yAxis: chart.limits[0], name: labels.range }, { yAxis: chart.limits[1], name: labels.range }];
      } else {
        var seen = {};
        chart.limits.forEach(function (limit, i) {
          var target = i + 1 === data.target_class;
          if (seen[limit] && !target) return;
          seen[limit] = true;
          lines.push({ yAxis: limit, name: labels.classes[i] + (target ? " " + labels.target : ""),
                       lineStyle: { color: target ? "#c0392b" : "#9aa5b1", type: target ? "solid" : "dashed",
                                    width: target ? 2 : 1 } });
        });
      }
      series[0].markLine = { symbol: "none", silent: true, data: lines,
                             label: { formatter: "{b}", position: "insideEndTop", fontSize: 10 } };
      // Keep every limit line in view, not just the measured range.
      var ys = lines.map(function (l) { return l.yAxis; });
      var lo = Math.min.apply(null, ys.concat([Infinity])), hi = Math.max.apply(null, ys.concat([-Infinity]));
      if (!isFinite(lo)) { lo = undefined; hi = undefined; }
      var plot = echarts.init(canvas);
      plot.setOption({
        animation: false,
        grid: { left: 48, right: 16, top: 30, bottom: 30 },
        legend: { top: 0, type: "scroll" },
        tooltip: { trigger: "axis" },
        xAxis: { type: "time" },
        yAxis: { type: "value",
                 min: function (v) { return lo === undefined ? v.min : Math.min(v.min, lo); },
                 max: function (v) { return hi === undefined ? v.max : Math.max(v.max, hi); } },
        series: series,
      });
      window.addEventListener("resize", function () { plot.resize(); });
    });
    holder.dataset.ready = "1";
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
