/* peninsula report: draw every chart from its JSON data block, fitted to the screen.
 * Runs after the text is parsed (DOMContentLoaded), so the briefing reads before the charts
 * are drawn. Marks <html data-charts-drawn="ms"> (time from DOMContentLoaded) and
 * data-charts-drawn-from-start (from the start of navigation) when the last chart is drawn,
 * for the browser test and the benchmark. No eval, no network. */
(function () {
  "use strict";
  var NARROW = 480;
  var CONFIG = {
    displaylogo: false,
    responsive: true,
    modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"],
    toImageButtonOptions: { format: "png", scale: 2 }
  };

  // Legend rows needed for these entry names at this plot width (~7 px per character at
  // 12 px, 50 px for the swatch and gap): the same arithmetic as charts.layout_size.
  function legendRows(names, width, perChar) {
    var rows = names.length ? 1 : 0, used = 0;
    names.forEach(function (name) {
      var need = perChar * name.length + 50;
      if (used && used + need > width) { rows += 1; used = 0; }
      used += need;
    });
    return rows;
  }

  function fit(layout, fitInfo, width) {
    if (width >= NARROW) { return layout; }
    // A phone: smaller type and margins, and more room below for a legend that wraps more.
    layout.font = Object.assign({}, layout.font, { size: 11 });
    layout.margin = Object.assign({}, layout.margin, { l: 46, r: 8 });
    if (layout.legend) { layout.legend = Object.assign({}, layout.legend, { font: { size: 10 } }); }
    var rows = legendRows(fitInfo.legend || [], width - 20, 6);
    var extra = 20 * Math.max(0, rows - (fitInfo.rows || 0));
    var plotWidth = width - layout.margin.l - layout.margin.r;
    if (fitInfo.x_chars && 6.5 * fitInfo.x_chars * fitInfo.x_count > plotWidth) {
      // Category labels along the x axis would collide at this width: turn them upright and
      // make room below for the longest (about 6.5 px per character at 11 px).
      layout.xaxis = Object.assign({}, layout.xaxis, { tickangle: -90 });
      extra += Math.max(0, Math.round(6.5 * fitInfo.x_chars) - 14 * (fitInfo.x_lines || 1));
    }
    ["xaxis", "yaxis"].forEach(function (axis) {
      var title = (layout[axis] || {}).title;
      if (title) { title.font = Object.assign({}, title.font, { size: 10 }); }
    });
    if (fitInfo.y_chars) {
      layout.margin.l = Math.round(6 * fitInfo.y_chars) + 34;
    }
    layout.margin.b = (layout.margin.b || 0) + extra;
    layout.height = (layout.height || 400) + extra;
    (layout.annotations || []).forEach(function (a) {
      a.font = Object.assign({}, a.font, { size: 9 });
    });
    return layout;
  }

  function draw(template) {
    var blocks = document.querySelectorAll("script.plot-spec");
    var drawn = [];
    blocks.forEach(function (block) {
      var div = document.getElementById(block.getAttribute("data-for"));
      var spec = JSON.parse(block.textContent);
      var layout = fit(spec.layout, spec.fit || {}, div.clientWidth);
      layout.template = template;
      div.style.height = layout.height + "px";
      drawn.push(Plotly.newPlot(div, spec.data, layout, CONFIG));
    });
    Promise.all(drawn).then(function () {
      var nav = performance.getEntriesByType("navigation")[0];
      var from = nav ? nav.domContentLoadedEventStart : 0;
      var now = performance.now();
      // Set last: tests and the benchmark wait for data-charts-drawn.
      document.documentElement.setAttribute("data-charts-drawn-from-start", String(Math.round(now)));
      document.documentElement.setAttribute("data-charts-drawn", String(Math.round(now - from)));
    });
  }

  // Print: a fixed width that fits an A4/Letter page, then back to the screen's width.
  // (680 px: an A4 or Letter page in portrait at 96 px per inch, less Chromium's margins.)
  function resizeAll(width) {
    document.querySelectorAll(".plot.js-plotly-plot").forEach(function (div) {
      if (width) {
        Plotly.relayout(div, { autosize: false, width: width });
      } else {
        Plotly.relayout(div, { autosize: true, width: null }).then(function () {
          Plotly.Plots.resize(div);
        });
      }
    });
  }
  window.addEventListener("beforeprint", function () { resizeAll(680); });
  window.addEventListener("afterprint", function () { resizeAll(0); });

  function start() {
    var node = document.getElementById("plot-template");
    draw(node ? JSON.parse(node.textContent) : {});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
