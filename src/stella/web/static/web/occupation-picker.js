/* Stella – occupation picker (KldB 2010), progressive enhancement of web/includes/occupation_picker.html.
   Without this file the picker is a plain code field with a link to the search page.
   With it, a search box (ARIA 1.2 combobox with a listbox popup) appears above the code field: typing asks
   /berufe/suche?q=… (JSON); Arrow keys move through the list, Enter or a click chooses, Escape closes.
   Choosing fills the code field, which stays the only value the form sends. */
(function () {
  "use strict";
  if (window.stellaOccupationPicker) { return; }  // the include may appear several times on a page
  window.stellaOccupationPicker = true;

  var EN = document.documentElement.lang === "en";
  var TEXT = EN ? {
    search: "Find occupation (German title, job title or activity)",
    found: function (n) { return n === 1 ? "1 occupation found, use the arrow keys to choose." : n + " occupations found, use the arrow keys to choose."; },
    none: "No occupation found.",
    chosen: "Chosen: ",
    unknown: "This code is not in the loaded KldB version.",
    failed: "The search is not available right now. Enter the code directly."
  } : {
    search: "Beruf suchen (deutscher Titel, Berufsbezeichnung oder Tätigkeit)",
    found: function (n) { return n === 1 ? "1 Beruf gefunden, mit den Pfeiltasten auswählen." : n + " Berufe gefunden, mit den Pfeiltasten auswählen."; },
    none: "Kein Beruf gefunden.",
    chosen: "Gewählt: ",
    unknown: "Diesen Schlüssel gibt es in der geladenen KldB-Fassung nicht.",
    failed: "Die Suche ist gerade nicht erreichbar. Geben Sie den Schlüssel direkt ein."
  };
  var counter = 0;

  function enhance(root) {
    var code = root.querySelector("[data-occupation-code]");
    var url = root.getAttribute("data-search-url");
    if (!code || !url || root.getAttribute("data-enhanced")) { return; }
    root.setAttribute("data-enhanced", "true");
    var base = code.id || ("occupation-picker-" + (++counter));

    var wrap = document.createElement("div");
    wrap.className = "picker-search";
    var label = document.createElement("label");
    label.setAttribute("for", base + "_search");
    label.textContent = TEXT.search;
    var input = document.createElement("input");
    input.type = "text";
    input.id = base + "_search";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", base + "_list");
    input.setAttribute("autocomplete", "off");
    input.setAttribute("spellcheck", "false");
    var list = document.createElement("ul");
    list.id = base + "_list";
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", TEXT.search);
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    var chosen = document.createElement("p");
    chosen.className = "picker-chosen";
    chosen.id = base + "_chosen";
    chosen.setAttribute("aria-live", "polite");
    wrap.appendChild(label);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(status);
    root.insertBefore(wrap, root.firstChild);
    code.parentNode.insertBefore(chosen, code.nextSibling);
    code.setAttribute("aria-describedby", (code.getAttribute("aria-describedby") || "") + " " + chosen.id);

    var results = [];
    var active = -1;
    var sequence = 0;
    var timer = null;

    function ask(query, done) {
      var mine = ++sequence;
      var request = new XMLHttpRequest();
      request.open("GET", url + "?q=" + encodeURIComponent(query));
      request.setRequestHeader("Accept", "application/json");
      request.onload = function () {
        if (mine !== sequence) { return; }  // an older answer arriving late
        if (request.status !== 200) { status.textContent = TEXT.failed; return; }
        try { done(JSON.parse(request.responseText).results || []); } catch (e) { status.textContent = TEXT.failed; }
      };
      request.onerror = function () { status.textContent = TEXT.failed; };
      request.send();
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.children;
      for (var i = 0; i < items.length; i++) { items[i].setAttribute("aria-selected", i === index ? "true" : "false"); }
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(found) {
      results = found;
      list.textContent = "";
      found.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = base + "_option_" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = item.label;
        var title = document.createElement("span");
        title.className = "picker-title";
        title.textContent = item.title;
        li.appendChild(title);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      list.hidden = found.length === 0;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      active = -1;
      status.textContent = found.length ? TEXT.found(found.length) : TEXT.none;
    }

    function describe(item) {
      chosen.textContent = item ? TEXT.chosen + item.code + " – " + item.title + (item.skill_level ? " (" + item.skill_level + ")" : "") : "";
    }

    function choose(index) {
      var item = results[index];
      if (!item) { return; }
      code.value = item.code;
      code.removeAttribute("aria-invalid");
      describe(item);
      close();
      code.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function lookupCode() {
      var value = code.value.trim();
      if (!/^[0-9]{5}$/.test(value)) { describe(null); return; }
      ask(value, function (found) {
        var exact = found.filter(function (item) { return item.code === value; })[0];
        if (exact) { describe(exact); } else { chosen.textContent = TEXT.unknown; }
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value.trim();
      if (query.length < 2) { close(); results = []; return; }
      timer = setTimeout(function () { ask(query, show); }, 200);
    });
    input.addEventListener("keydown", function (event) {
      var count = list.children.length;
      if (event.key === "ArrowDown" && count) {
        event.preventDefault();
        if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        highlight((active + 1) % count);
      } else if (event.key === "ArrowUp" && count) {
        event.preventDefault();
        highlight(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();  // choose, do not submit the form
        choose(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    code.addEventListener("change", lookupCode);
    code.addEventListener("input", function () { if (code.value.trim().length === 5) { lookupCode(); } else { describe(null); } });
    lookupCode();
  }

  function start() { Array.prototype.forEach.call(document.querySelectorAll("[data-occupation-picker]"), enhance); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
