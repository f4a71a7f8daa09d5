// Bar chart of the statistics table (ECharts from npm, served as a static file).
(function () {
  var el = document.getElementById("chart");
  if (!el || !window.echarts) return;
  var d = JSON.parse(document.getElementById("chart-data").textContent);
  // SVG: the labels are elements a test can measure; containLabel keeps long axis labels
  // (chief names, rotated) and thousands on the value axis inside the chart instead of clipped.
  var chart = echarts.init(el, null, { renderer: "svg" });
  // On a narrow screen the categories go down the side (horizontal bars): rotated labels
  // under a phone-wide chart would overhang its left edge however the grid is set.
  var narrow = el.clientWidth < 600;
  if (narrow) {
    el.style.height = Math.max(280, d.labels.length * 34 + 70) + "px";
    chart.resize();
  }
  var categories = { type: "category", data: d.labels, axisLabel: { rotate: !narrow && d.labels.length > 8 ? 45 : 0 } };
  var values = { type: "value" };
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [d.patrolsLabel, d.findingsLabel] },
    grid: { left: 8, right: 16, bottom: 8, top: 40, containLabel: true },
    xAxis: narrow ? values : categories,
    yAxis: narrow ? Object.assign({ inverse: true }, categories) : values,
    series: [
      { name: d.patrolsLabel, type: "bar", data: d.patrols },
      { name: d.findingsLabel, type: "bar", data: d.findings },
    ],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
