// Bar chart of the statistics table (ECharts from npm, served as a static file).
(function () {
  var el = document.getElementById("chart");
  if (!el || !window.echarts) return;
  var d = JSON.parse(document.getElementById("chart-data").textContent);
  // SVG: the labels are elements a test can measure; containLabel keeps long axis labels
  // (chief names, rotated) and thousands on the value axis inside the chart instead of clipped.
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [d.patrolsLabel, d.findingsLabel] },
    grid: { left: 8, right: 12, bottom: 8, top: 40, containLabel: true },
    xAxis: { type: "category", data: d.labels, axisLabel: { rotate: d.labels.length > 8 ? 45 : 0 } },
    yAxis: { type: "value" },
    series: [
      { name: d.patrolsLabel, type: "bar", data: d.patrols },
      { name: d.findingsLabel, type: "bar", data: d.findings },
    ],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
