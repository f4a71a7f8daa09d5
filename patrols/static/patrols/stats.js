// Bar chart of the statistics table (ECharts from npm, served as a static file).
(function () {
  var el = document.getElementById("chart");
  if (!el || !window.echarts) return;
  var d = JSON.parse(document.getElementById("chart-data").textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [d.patrolsLabel, d.findingsLabel] },
    grid: { left: 40, right: 10, bottom: 60 },
    xAxis: { type: "category", data: d.labels, axisLabel: { rotate: d.labels.length > 8 ? 45 : 0 } },
    yAxis: { type: "value" },
    series: [
      { name: d.patrolsLabel, type: "bar", data: d.patrols },
      { name: d.findingsLabel, type: "bar", data: d.findings },
    ],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
