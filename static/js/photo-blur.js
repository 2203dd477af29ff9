/* Drawing rectangles to blur on a signal's photo: a canvas over the image; drag to draw,
   "undo" takes the last one away. The rectangles go to the server as fractions of the image
   ([x, y, width, height], 0..1) in the form's hidden field; the server does the blurring. */
(function () {
  "use strict";
  function setup(form) {
    var image = form.querySelector("[data-blur-image]");
    var canvas = form.querySelector("[data-blur-canvas]");
    var field = form.querySelector("[data-blur-regions]");
    var count = form.querySelector("[data-blur-count]");
    var undo = form.querySelector("[data-blur-undo]");
    var submit = form.querySelector("[data-blur-submit]");
    var max = parseInt(form.dataset.max, 10) || 20;
    var regions = [];
    var start = null;
    var current = null;

    function size() {
      canvas.width = image.clientWidth;
      canvas.height = image.clientHeight;
      draw();
    }
    function draw() {
      var ctx = canvas.getContext("2d");
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      regions.concat(current ? [current] : []).forEach(function (r) {
        var x = r[0] * canvas.width, y = r[1] * canvas.height;
        var w = r[2] * canvas.width, h = r[3] * canvas.height;
        ctx.fillStyle = "rgba(13, 110, 253, 0.35)";
        ctx.fillRect(x, y, w, h);
        ctx.lineWidth = 2;
        ctx.strokeStyle = "#0d6efd";
        ctx.strokeRect(x, y, w, h);
      });
    }
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return [
        Math.min(1, Math.max(0, (event.clientX - box.left) / box.width)),
        Math.min(1, Math.max(0, (event.clientY - box.top) / box.height)),
      ];
    }
    function rect(a, b) {
      return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1])];
    }
    function update() {
      field.value = JSON.stringify(regions.map(function (r) {
        return r.map(function (v) { return Math.round(v * 10000) / 10000; });
      }));
      var text = regions.length === 1 ? form.dataset.countOne : form.dataset.countMany;
      count.textContent = regions.length
        ? (text || "%n").replace("%n", regions.length)
        : form.dataset.countNone || "";
      submit.disabled = regions.length === 0;
      undo.disabled = regions.length === 0;
      form.dataset.regions = String(regions.length);
      draw();
    }
    canvas.addEventListener("pointerdown", function (event) {
      if (regions.length >= max) return;
      start = point(event);
      canvas.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!start) return;
      current = rect(start, point(event));
      draw();
    });
    canvas.addEventListener("pointerup", function (event) {
      if (!start) return;
      var r = rect(start, point(event));
      start = null;
      current = null;
      if (r[2] > 0.005 && r[3] > 0.005) regions.push(r);
      update();
    });
    undo.addEventListener("click", function () {
      regions.pop();
      update();
    });
    form.addEventListener("submit", function (event) {
      var blurring = event.submitter && event.submitter.name === "blur";
      if (blurring && regions.length === 0) event.preventDefault();
    });
    if (image.complete && image.naturalWidth) size();
    image.addEventListener("load", size);
    window.addEventListener("resize", size);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-blur-tool]").forEach(setup);
  });
})();
