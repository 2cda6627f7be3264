/* Stella – progressive enhancement only; every page works without this file.
   1. Move focus to an error summary, a warning or the results heading after a submit, so that
      keyboard and screen-reader users land where the answer is.
   2. Warn before uploading a file that is too large or of the wrong type (the server checks again).
   3. A select with data-filter-source: while that field has a value, only the empty option and those named
      in data-allowed-with-filter stay enabled (the report filters; the server refuses the rest again). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[data-focus-on-load]");
    if (target) { target.focus(); }

    var TYPES = ["application/pdf", "image/png", "image/jpeg"];
    Array.prototype.forEach.call(document.querySelectorAll('input[type="file"]'), function (input) {
      input.addEventListener("change", function () {
        var file = input.files && input.files[0];
        var max = parseInt(input.getAttribute("data-max-bytes") || "0", 10);
        var message = "";
        if (file && max && file.size > max) {
          message = document.documentElement.lang === "en" ? "The file is too large." : "Die Datei ist zu groß.";
        } else if (file && file.type && TYPES.indexOf(file.type) === -1) {
          message = document.documentElement.lang === "en" ? "Only PDF, PNG or JPEG files are allowed." : "Nur PDF, PNG oder JPEG sind erlaubt.";
        }
        input.setCustomValidity(message);
        var note = input.parentNode.querySelector(".js-file-note");
        if (!note) {
          note = document.createElement("p");
          note.className = "error-message js-file-note";
          note.setAttribute("role", "alert");
          input.parentNode.appendChild(note);
        }
        note.textContent = message;
      });
    });

    Array.prototype.forEach.call(document.querySelectorAll("select[data-filter-source]"), function (select) {
      var source = document.getElementById(select.getAttribute("data-filter-source"));
      if (!source) { return; }
      var allowed = (select.getAttribute("data-allowed-with-filter") || "").split(" ");
      function apply() {
        var filtered = source.value !== "";
        Array.prototype.forEach.call(select.options, function (option) {
          option.disabled = filtered && option.value !== "" && allowed.indexOf(option.value) === -1;
        });
        if (select.options[select.selectedIndex] && select.options[select.selectedIndex].disabled) {
          select.value = "";
        }
      }
      source.addEventListener("change", apply);
      apply();
    });
  });
})();
