/* The ranked ballot, enhanced: a ranking list with Up/Down/Remove buttons, a "Not ranked"
 * list with Rank buttons, and drag and drop. Without this file the page is a table of
 * <select>s, one per candidate; with it the table is hidden and the selects still carry
 * the ranks (this script sets them), so the form posts exactly what the fallback would.
 * Every change is announced in a polite live region ("Ben moved to position 2 of 4.").
 * Texts come from data-* attributes of [data-ranker], translated by the server.
 * Loaded with `defer` by elections/ballot.html; no inline script (CSP: script-src 'self'). */
(function () {
  "use strict";

  var root = document.querySelector("[data-ranker]");
  var fallback = document.querySelector("[data-rank-fallback]");
  if (!root || !fallback) return;

  var selects = Array.prototype.slice.call(fallback.querySelectorAll("select[data-candidate]"));
  var rankedList = root.querySelector("[data-ranked]");
  var unrankedList = root.querySelector("[data-unranked]");
  var rankedEmpty = root.querySelector("[data-ranked-empty]");
  var unrankedEmpty = root.querySelector("[data-unranked-empty]");
  var live = root.querySelector("[data-announce]");

  function text(key, values) {
    var template = root.getAttribute("data-" + key) || "";
    return template.replace(/%\((\w+)\)s/g, function (_match, name) {
      return values && name in values ? String(values[name]) : "";
    });
  }

  var candidates = selects.map(function (select, index) {
    return { pk: select.getAttribute("data-candidate"), name: select.getAttribute("data-name"), index: index, select: select };
  });
  var byPk = {};
  candidates.forEach(function (c) { byPk[c.pk] = c; });

  // The starting order: whatever the selects say (a ballot shown again after "Change" or an
  // error), ties and gaps closed up in the page's order.
  var ranking = candidates
    .filter(function (c) { return /^\d+$/.test(c.select.value); })
    .sort(function (a, b) { return Number(a.select.value) - Number(b.select.value) || a.index - b.index; })
    .map(function (c) { return c.pk; });

  function announce(message) {
    // Clear first so the same message twice is still spoken.
    live.textContent = "";
    window.setTimeout(function () { live.textContent = message; }, 50);
  }

  function sync() {
    candidates.forEach(function (c) {
      var position = ranking.indexOf(c.pk);
      c.select.value = position === -1 ? "" : String(position + 1);
    });
  }

  function button(act, c, disabled) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-secondary btn-sm";
    b.setAttribute("data-act", act);
    b.setAttribute("data-pk", c.pk);
    b.setAttribute("aria-label", text("label-" + act, { name: c.name }));
    b.textContent = text("text-" + act);
    if (disabled) b.disabled = true;
    return b;
  }

  function item(c, position) {
    var li = document.createElement("li");
    li.className = "ranker-item";
    li.setAttribute("data-pk", c.pk);
    li.draggable = true;
    var label = document.createElement("span");
    label.className = "ranker-name";
    if (position) {
      var number = document.createElement("span");
      number.className = "ranker-position";
      number.setAttribute("aria-hidden", "true");
      number.textContent = position + ".";
      label.appendChild(number);
    }
    label.appendChild(document.createTextNode(c.name));
    li.appendChild(label);
    var actions = document.createElement("span");
    actions.className = "ranker-actions";
    if (position) {
      actions.appendChild(button("up", c, position === 1));
      actions.appendChild(button("down", c, position === ranking.length));
      actions.appendChild(button("remove", c, false));
    } else {
      actions.appendChild(button("add", c, false));
    }
    li.appendChild(actions);
    return li;
  }

  function render(focus) {
    rankedList.textContent = "";
    unrankedList.textContent = "";
    ranking.forEach(function (pk, i) { rankedList.appendChild(item(byPk[pk], i + 1)); });
    candidates.forEach(function (c) {
      if (ranking.indexOf(c.pk) === -1) unrankedList.appendChild(item(c, 0));
    });
    rankedEmpty.hidden = ranking.length > 0;
    unrankedEmpty.hidden = ranking.length < candidates.length;
    sync();
    if (focus) {
      var order = [focus.act].concat(focus.fallback || []);
      for (var i = 0; i < order.length; i++) {
        var target = root.querySelector('button[data-pk="' + focus.pk + '"][data-act="' + order[i] + '"]');
        if (target && !target.disabled) { target.focus(); break; }
      }
    }
  }

  function moved(pk) {
    announce(text("msg-moved", { name: byPk[pk].name, position: ranking.indexOf(pk) + 1, total: ranking.length }));
  }

  function place(pk, position) {
    // Put pk at index `position` of the ranking (removing it first if ranked).
    var was = ranking.indexOf(pk);
    if (was !== -1) {
      ranking.splice(was, 1);
      if (was < position) position -= 1;
    }
    ranking.splice(Math.max(0, Math.min(position, ranking.length)), 0, pk);
    return was;
  }

  root.addEventListener("click", function (event) {
    var b = event.target.closest("button[data-act]");
    if (!b) return;
    var pk = b.getAttribute("data-pk");
    var act = b.getAttribute("data-act");
    var at = ranking.indexOf(pk);
    if (act === "up" && at > 0) {
      place(pk, at - 1);
      render({ pk: pk, act: "up", fallback: ["down"] });
      moved(pk);
    } else if (act === "down" && at !== -1 && at < ranking.length - 1) {
      place(pk, at + 2);
      render({ pk: pk, act: "down", fallback: ["up"] });
      moved(pk);
    } else if (act === "remove" && at !== -1) {
      ranking.splice(at, 1);
      render({ pk: pk, act: "add" });
      announce(text("msg-removed", { name: byPk[pk].name, total: ranking.length }));
    } else if (act === "add" && at === -1) {
      ranking.push(pk);
      render({ pk: pk, act: "up", fallback: ["remove"] });
      announce(text("msg-added", { name: byPk[pk].name, position: ranking.length, total: ranking.length }));
    }
  });

  // Drag and drop (pointer users; the buttons are the keyboard's way to do the same).
  var dragged = null;
  root.addEventListener("dragstart", function (event) {
    var li = event.target.closest && event.target.closest("li[data-pk]");
    if (!li) return;
    dragged = li.getAttribute("data-pk");
    li.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", byPk[dragged].name);
  });
  root.addEventListener("dragend", function () {
    dragged = null;
    Array.prototype.forEach.call(root.querySelectorAll(".is-dragging, .is-drop-target"), function (el) {
      el.classList.remove("is-dragging", "is-drop-target");
    });
  });
  [rankedList, unrankedList, rankedEmpty, unrankedEmpty].forEach(function (zone) {
    zone.addEventListener("dragover", function (event) {
      if (dragged === null) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    });
  });
  function dropOnRanking(event) {
    var li = event.target.closest && event.target.closest("li[data-pk]");
    var position = ranking.length;
    if (li && li.parentNode === rankedList) {
      var box = li.getBoundingClientRect();
      position = ranking.indexOf(li.getAttribute("data-pk")) + (event.clientY > box.top + box.height / 2 ? 1 : 0);
    }
    var pk = dragged;
    var was = place(pk, position);
    render({ pk: pk, act: "up", fallback: ["down", "remove"] });
    if (was === -1) {
      announce(text("msg-added", { name: byPk[pk].name, position: ranking.indexOf(pk) + 1, total: ranking.length }));
    } else {
      moved(pk);
    }
  }
  function dropOnUnranked() {
    var pk = dragged;
    var at = ranking.indexOf(pk);
    if (at === -1) return;
    ranking.splice(at, 1);
    render({ pk: pk, act: "add" });
    announce(text("msg-removed", { name: byPk[pk].name, total: ranking.length }));
  }
  [rankedList, rankedEmpty].forEach(function (zone) {
    zone.addEventListener("drop", function (event) {
      if (dragged === null) return;
      event.preventDefault();
      dropOnRanking(event);
    });
  });
  [unrankedList, unrankedEmpty].forEach(function (zone) {
    zone.addEventListener("drop", function (event) {
      if (dragged === null) return;
      event.preventDefault();
      dropOnUnranked();
    });
  });

  fallback.hidden = true;
  root.hidden = false;
  render(null);
})();
