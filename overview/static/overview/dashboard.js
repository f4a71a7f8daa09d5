// The dashboard's charts (ECharts from npm, served as a static file). Data and translated
// labels come from json_script blocks; the tables under the charts hold the same figures.
(function () {
  if (!window.echarts) return;
  var d = JSON.parse(document.getElementById("dashboard-data").textContent);
  var t = JSON.parse(document.getElementById("dashboard-labels").textContent);
  var narrow = window.matchMedia("(max-width: 600px)").matches;
  var colours = ["#2c7fb8", "#41b6c4", "#7fcdbb", "#fdae61", "#f46d43", "#a50026"];
  var charts = [];

  var waterEl = document.getElementById("water-chart");
  if (waterEl) {
    var water = echarts.init(waterEl);
    var series = ["1", "2", "3", "4", "5", "6"].map(function (cls, i) {
      return { name: t[cls], type: "bar", stack: "class", data: d.water[cls] || [],
               itemStyle: { color: colours[i] } };
    });
    series.push({ name: t.black_odour, type: "line", data: d.water.black_odour || [],
                  itemStyle: { color: "#333" } });
    water.setOption({
      tooltip: { trigger: "axis", confine: true },
      legend: { type: narrow ? "scroll" : "plain", top: 0 },
      grid: { left: 36, right: 10, top: narrow ? 36 : 48, bottom: narrow ? 56 : 30 },
      xAxis: { type: "category", data: d.months, axisLabel: { rotate: narrow ? 60 : 0 } },
      yAxis: { type: "value", name: narrow ? "" : t.rivers, minInterval: 1 },
      series: series,
    });
    charts.push(water);
  }

  var dutyEl = document.getElementById("duty-chart");
  if (dutyEl && d.duty.villages.length) {
    dutyEl.style.height = Math.max(200, 30 * d.duty.villages.length + 70) + "px";
    var duty = echarts.init(dutyEl);
    duty.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { top: 0 },
      grid: { left: narrow ? 70 : 110, right: 14, top: 32, bottom: 24 },
      xAxis: { type: "value", name: t.chiefs, minInterval: 1 },
      yAxis: { type: "category", data: d.duty.villages, axisLabel: { width: narrow ? 64 : 100, overflow: "truncate" } },
      series: [
        { name: t.met, type: "bar", stack: "duty", data: d.duty.met, itemStyle: { color: "#1e7d32" } },
        { name: t.in_progress, type: "bar", stack: "duty", data: d.duty.in_progress, itemStyle: { color: "#9aa5b1" } },
        { name: t.behind, type: "bar", stack: "duty", data: d.duty.behind, itemStyle: { color: "#c0392b" } },
      ],
    });
    charts.push(duty);
  } else if (dutyEl) {
    dutyEl.hidden = true;
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
