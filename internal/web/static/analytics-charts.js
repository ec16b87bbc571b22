// Draws the analytics charts with Apache ECharts (vendor/echarts, loaded before this
// file on the pages that chart). Each chart's figure carries its data as a JSON island
// (<script type="application/json" class="chart-data">) written by the server
// (internal/web/analytics_charts.go): the CSP allows no inline script. The canvas
// renderer and canvas-drawn tooltips ("richText") are used because the CSP allows no
// inline style either, which ECharts' HTML tooltips would need.
(function () {
  'use strict';
  if (typeof echarts === 'undefined') { return; }
  var lang = document.documentElement.lang || 'en';
  var zh = lang.indexOf('zh') === 0;
  var palette = ['#2f6fb0', '#d9822b', '#3a9a5b', '#8a5cb8', '#c2453d', '#5b8c99'];
  var text = '#333';
  var axis = '#666';
  var fmt = new Intl.NumberFormat(lang);
  var family = 'system-ui, -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif';
  var measure = document.createElement('canvas').getContext('2d');

  // labelWidth is the width the longest category label needs, at most 40 % of the
  // chart: longer labels are cut with an ellipsis (the table has them whole).
  function labelWidth(labels, box) {
    measure.font = '12px ' + family;
    var w = 0;
    labels.forEach(function (l) { w = Math.max(w, measure.measureText(l).width); });
    return Math.max(24, Math.min(Math.ceil(w) + 4, Math.round(box.clientWidth * 0.4)));
  }

  // compact writes large axis values short, in the reader's units: 1.2万 or 12k.
  function compact(v) {
    var a = Math.abs(v);
    if (zh) {
      if (a >= 1e8) { return trim(v / 1e8) + '亿'; }
      if (a >= 1e4) { return trim(v / 1e4) + '万'; }
      return fmt.format(v);
    }
    if (a >= 1e9) { return trim(v / 1e9) + 'G'; }
    if (a >= 1e6) { return trim(v / 1e6) + 'M'; }
    if (a >= 1e3) { return trim(v / 1e3) + 'k'; }
    return fmt.format(v);
  }
  function trim(x) { return fmt.format(Math.round(x * 10) / 10); }

  function base(d) {
    return {
      color: palette,
      animation: false,
      aria: { enabled: true, label: { description: d.label } },
      textStyle: { color: text, fontFamily: family },
      tooltip: { renderMode: 'richText', confine: true, valueFormatter: function (v) { return v == null ? '—' : fmt.format(v); } }
    };
  }

  function dayLabel(v) { return v.slice(5); } // MM-DD

  var builders = {
    line: function (d, o) {
      o.grid = { left: 8, right: 16, top: 16, bottom: 8, containLabel: true };
      o.tooltip.trigger = 'axis';
      o.xAxis = { type: 'category', data: d.categories, boundaryGap: false, axisLabel: { color: axis, formatter: dayLabel, hideOverlap: true } };
      o.yAxis = { type: 'value', scale: true, axisLabel: { color: axis, formatter: compact } };
      o.series = d.series.map(function (s) {
        return { type: 'line', name: s.name, data: s.data, showSymbol: false, connectNulls: false, lineStyle: { width: 2 } };
      });
      return o;
    },
    daily: function (d, o) {
      o.grid = { left: 8, right: 8, top: 36, bottom: 8, containLabel: true };
      o.tooltip.trigger = 'axis';
      o.legend = { top: 0, textStyle: { color: text } };
      o.xAxis = { type: 'category', data: d.categories, axisLabel: { color: axis, formatter: dayLabel, hideOverlap: true } };
      o.yAxis = [
        { type: 'value', axisLabel: { color: axis, formatter: compact } },
        { type: 'value', axisLabel: { color: axis, formatter: compact }, splitLine: { show: false } }
      ];
      o.series = [
        { type: 'bar', name: d.series[0].name, data: d.series[0].data, yAxisIndex: 0 },
        { type: 'line', name: d.series[1].name, data: d.series[1].data, yAxisIndex: 1, showSymbol: false, lineStyle: { width: 2 } }
      ];
      return o;
    },
    bars: function (d, o, box) {
      var lw = labelWidth(d.categories, box);
      o.grid = { left: lw + 14, right: 48, top: 8, bottom: 28 };
      o.tooltip.trigger = 'item';
      o.xAxis = { type: 'value', axisLabel: { color: axis, formatter: compact, hideOverlap: true } };
      // Largest first, at the top.
      o.yAxis = { type: 'category', inverse: true, data: d.categories,
        axisLabel: { color: text, fontSize: 12, width: lw, overflow: 'truncate' } };
      o.series = [{ type: 'bar', name: d.series[0].name, data: d.series[0].data, colorBy: 'data', barMaxWidth: 26,
        label: { show: true, position: 'right', color: text, formatter: function (p) { return compact(p.value); } } }];
      return o;
    },
    heatmap: function (d, o) {
      var most = 0;
      d.cells.forEach(function (c) { most = Math.max(most, c[2]); });
      o.grid = { left: 8, right: 8, top: 8, bottom: 52, containLabel: true };
      o.tooltip.trigger = 'item';
      o.tooltip.formatter = function (p) {
        return d.y[p.value[1]] + ' ' + d.x[p.value[0]] + ':00\n' + p.seriesName + ': ' + fmt.format(p.value[2]) + ' (n = ' + p.value[3] + ')';
      };
      o.xAxis = { type: 'category', data: d.x, splitArea: { show: true }, axisLabel: { color: axis, interval: 2 } };
      o.yAxis = { type: 'category', data: d.y, inverse: true, splitArea: { show: true }, axisLabel: { color: text } };
      // The colour is the mean interactions (the third value; the fourth is the posts).
      o.visualMap = { dimension: 2, min: 0, max: most || 1, calculable: false, orient: 'horizontal', left: 'center', bottom: 0,
        itemWidth: 12, itemHeight: 120, textStyle: { color: axis }, formatter: function (v) { return compact(v); },
        inRange: { color: ['#c6dbef', '#6baed6', '#2171b5', '#08306b'] } };
      o.series = [{ type: 'heatmap', name: d.series[0].name, data: d.cells, emphasis: { itemStyle: { borderColor: '#000', borderWidth: 1 } } }];
      return o;
    }
  };

  // height gives bar charts room for every bar.
  function height(d) {
    if (d.kind === 'bars') { return Math.max(160, d.categories.length * 34 + 40); }
    if (d.kind === 'heatmap') { return 300; }
    return 260;
  }

  var charts = [];
  document.querySelectorAll('.chart-panel[data-chart]').forEach(function (fig) {
    var island = fig.querySelector('script.chart-data');
    var box = fig.querySelector('.chart-canvas');
    if (!island || !box) { return; }
    var d;
    try { d = JSON.parse(island.textContent); } catch (e) { return; }
    var build = builders[d.kind];
    if (!build) { return; }
    box.style.height = height(d) + 'px';
    var chart = echarts.init(box, null, { renderer: 'canvas', locale: zh ? 'ZH' : 'EN' });
    chart.setOption(build(d, base(d), box));
    box.setAttribute('data-rendered', 'true');
    charts.push({ chart: chart, d: d, box: box, build: build, width: box.clientWidth });
  });
  if (!charts.length) { return; }
  // redraw follows the layout: the grid of charts reflows at every width, and the
  // space given to bar labels depends on it.
  function redraw(c) {
    if (c.box.clientWidth === c.width) { return; }
    c.width = c.box.clientWidth;
    c.chart.resize();
    c.chart.setOption(c.build(c.d, base(c.d), c.box), true);
  }
  if (typeof ResizeObserver !== 'undefined') {
    var ro = new ResizeObserver(function () { charts.forEach(redraw); });
    charts.forEach(function (c) { ro.observe(c.box); });
  }
  // Print at the paper's width.
  window.addEventListener('beforeprint', function () { charts.forEach(redraw); });
}());
