// seamline report: filters, search, and each test's details drawn when it is opened.
// Written for this page only: no libraries, no network. Recorded data only ever
// reaches the page as text nodes and attribute values (never parsed as HTML), so a
// body holding HTML or a script shows as text and cannot run.
(function () {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  const FAILED = new Set(["failed", "error", "unfinished", "xpassed"]);
  const rows = Array.from(document.querySelectorAll("#test-list > li.test"));
  const parsed = new Map();
  const haystacks = new Map();

  // -- small DOM helpers -------------------------------------------------------

  function append(node, children) {
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
    }
    return append(node, children);
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    return append(node, children);
  }

  function details(index) {
    if (!parsed.has(index)) {
      parsed.set(index, JSON.parse(document.getElementById("d-" + index).textContent));
    }
    return parsed.get(index);
  }

  // -- formatting -------------------------------------------------------------

  function micros(at) {
    // "2026-11-25T10:00:00.123456Z" -> microseconds since the epoch
    if (!at) return NaN;
    return Date.parse(at.slice(0, 19) + "Z") * 1000 + Number(at.slice(20, 26) || 0);
  }

  function ms(value) {
    if (value === null || value === undefined) return "";
    return value < 1000 ? value.toFixed(1) + " ms" : (value / 1000).toFixed(2) + " s";
  }

  function since(at, start) {
    const delta = (micros(at) - micros(start)) / 1000;
    return Number.isFinite(delta) ? "+" + ms(delta) : "";
  }

  function bytes(size) {
    if (size < 1024) return size + " B";
    if (size < 1048576) return (size / 1024).toFixed(1) + " kB";
    return (size / 1048576).toFixed(1) + " MB";
  }

  function clip(text, limit) {
    return text.length > limit ? text.slice(0, limit - 1) + "…" : text;
  }

  function pill(text, kind) {
    return el("span", { class: "pill " + kind }, text);
  }

  // -- filters and search -----------------------------------------------------

  const failedOnly = document.getElementById("f-failed");
  const serviceFilter = document.getElementById("f-service");
  const seamFilter = document.getElementById("f-seam");
  const search = document.getElementById("f-search");
  const count = document.getElementById("f-count");

  // Tests are searched in their JSON text as embedded (one lower-casing pass, no
  // parsing): the query is escaped the way the report escapes strings instead.
  function haystack(row) {
    const index = row.dataset.index;
    if (!haystacks.has(index)) {
      haystacks.set(index, document.getElementById("d-" + index).textContent.toLowerCase());
    }
    return haystacks.get(index);
  }

  function asEmbedded(query) {
    return JSON.stringify(query).slice(1, -1)
      .replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
  }

  function listed(row, name) {
    if (!row["_" + name]) row["_" + name] = JSON.parse(row.dataset[name]);
    return row["_" + name];
  }

  function applyFilters() {
    const query = asEmbedded(search.value.trim().toLowerCase());
    // Changed while detached: hiding rows of the live list makes Chromium restyle the
    // page once per row (a second for 1,000 tests); detached, it restyles once.
    const list = document.getElementById("test-list");
    const parent = list.parentNode;
    const next = list.nextSibling;
    const scrolled = window.scrollY;
    list.remove();
    let shown = 0;
    for (const row of rows) {
      let visible = !failedOnly.checked || FAILED.has(row.dataset.outcome);
      if (visible && serviceFilter.value) visible = listed(row, "services").includes(serviceFilter.value);
      if (visible && seamFilter.value) visible = listed(row, "seams").includes(seamFilter.value);
      if (visible && query) visible = haystack(row).includes(query);
      row.hidden = !visible;
      if (visible) shown += 1;
    }
    parent.insertBefore(list, next);
    window.scrollTo(0, scrolled);
    count.textContent = shown === rows.length ? rows.length + " shown" : shown + " of " + rows.length + " shown";
  }

  let searchTimer = 0;
  search.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(applyFilters, 120);
  });
  for (const control of [failedOnly, serviceFilter, seamFilter]) {
    control.addEventListener("change", applyFilters);
  }

  // -- a test's details -------------------------------------------------------

  function drawTest(row) {
    const test = details(row.dataset.index);
    const panel = el("div", { class: "exchange-panel", "aria-live": "polite" },
      el("p", { class: "hint" }, "Click an arrow to see its headers and bodies."));
    test.messages = test.messages || [];  // a report written before messages were in it
    // kind: "exchange" or "message"; index: into test.exchanges or test.messages
    const select = function (kind, index, scroll) {
      row.querySelectorAll(".arrow.selected, tr.selected").forEach((n) => n.classList.remove("selected"));
      row.querySelectorAll("[data-" + kind + '="' + index + '"]').forEach((n) => n.classList.add("selected"));
      if (kind === "message") drawMessage(panel, test.messages[index]);
      else drawExchange(panel, test.exchanges[index]);
      if (scroll) panel.scrollIntoView({ block: "nearest" });
    };
    const parts = [testMeta(test)];
    if (test.message || test.longrepr) parts.push(failure(test));
    if (test.screenshot && test.screenshot.startsWith("data:image/png;base64,")) {
      parts.push(section("Screenshot of the page when it failed",
        el("img", { class: "screenshot", src: test.screenshot, alt: "the page when " + test.id + " failed" })));
    }
    if (test.exchanges.length || test.messages.length) {
      parts.push(section("Sequence", el("div", { class: "seq-wrap" }, diagram(test, select)), panel));
    }
    if (test.violations.length) parts.push(section("Contract violations", violations(test, select)));
    if (test.timeline.length || test.logs_omitted) {
      parts.push(section("Timeline: exchanges, messages, database changes and service logs", timeline(test, select)));
    }
    if (test.db_changes.length) parts.push(section("Database changes", dbChanges(test)));
    row.querySelector(".detail").replaceChildren(...parts);
  }

  function section(title, ...content) {
    return el("section", { class: "part" }, el("h3", {}, title), ...content);
  }

  function testMeta(test) {
    return el("p", { class: "meta" },
      el("span", {}, test.run_id), test.worker ? el("span", {}, "worker " + test.worker) : null,
      test.started ? el("span", {}, "started " + test.started.replace("T", " ").slice(0, 23)) : null,
      test.trimmed ? el("span", { class: "note" }, test.trimmed) : null);
  }

  function failure(test) {
    const box = el("div", { class: "failure" }, el("pre", { class: "message" }, test.message));
    if (test.longrepr) {
      box.append(el("details", { open: "" }, el("summary", {}, "traceback"), el("pre", {}, test.longrepr)));
    }
    return box;
  }

  // -- the sequence diagram ---------------------------------------------------

  const COLUMN = 200;
  const GUTTER = 78;
  const TOP = 46;
  const ROW = 30;

  function diagram(test, select) {
    const people = test.diagram.participants;
    const steps = test.diagram.steps;
    const width = GUTTER + Math.max(people.length, 1) * COLUMN;
    const height = TOP + steps.length * ROW + 16;
    const x = (column) => GUTTER + column * COLUMN + COLUMN / 2;
    const root = svg("svg", {
      class: "seq", width: width, height: height, viewBox: "0 0 " + width + " " + height,
      role: "group",
      "aria-label": "sequence diagram of " + test.exchanges.length + " exchanges and " + test.messages.length + " messages",
    });
    people.forEach(function (name, column) {
      root.append(
        svg("line", { class: "lifeline", x1: x(column), y1: 34, x2: x(column), y2: height - 6 }),
        svg("rect", { class: "actor", x: x(column) - COLUMN / 2 + 14, y: 6, width: COLUMN - 28, height: 28, rx: 5 }),
        svg("text", { class: "actor-name", x: x(column), y: 25 }, clip(name, 24)));
    });
    steps.forEach(function (step, n) {
      const y = TOP + n * ROW + 18;
      if (step.message !== undefined) {
        root.append(svg("text", { class: "when", x: 4, y: y + 4 }, since(test.messages[step.message].at, test.started)),
          messageArrow(test, step, y, x, select));
        return;
      }
      const exchange = test.exchanges[step.exchange];
      const at = step.kind === "request" ? exchange.started : exchange.ended;
      root.append(svg("text", { class: "when", x: 4, y: y + 4 }, since(at, test.started)),
        arrow(test, step, y, x, select));
    });
    return root;
  }

  function arrow(test, step, y, x, select) {
    const exchange = test.exchanges[step.exchange];
    const request = step.kind === "request";
    const x1 = x(step.from);
    const x2 = x(step.to);
    const side = exchange.violations.filter((v) => (v.where === "request") === request);
    const label = request ? requestLabel(exchange) : responseLabel(exchange);
    const group = svg("g", {
      class: "arrow " + step.kind + " " + arrowClass(exchange, request) + (side.length ? " violation" : ""),
      tabindex: 0, role: "button", "data-exchange": step.exchange,
      "aria-label": exchange.seam + " " + step.kind + ": " + label,
    });
    group.append(
      svg("title", {}, exchange.seam + " · " + label + (side.length ? " · " + side.length + " contract violation(s)" : "")));
    drawArrow(group, x1, x2, y, (side.length ? "⚠ " : "") + label);
    clickable(group, () => select("exchange", step.exchange, false));
    return group;
  }

  // One arrow per message: published (service -> broker) or delivered (broker -> service).
  function messageArrow(test, step, y, x, select) {
    const msg = test.messages[step.message];
    const label = messageLabel(msg);
    const broken = msg.violations.length;
    const group = svg("g", {
      class: "arrow message " + step.kind + (msg.fault || msg.problem ? " bad" : "") + (broken ? " violation" : ""),
      tabindex: 0, role: "button", "data-message": step.message,
      "aria-label": msg.seam + " " + step.kind + ": " + label,
    });
    group.append(svg("title", {}, msg.seam + " · " + step.kind + " · " + label +
      (broken ? " · " + broken + " contract violation(s)" : "")));
    drawArrow(group, x(step.from), x(step.to), y, (broken ? "⚠ " : "") + label);
    clickable(group, () => select("message", step.message, false));
    return group;
  }

  function drawArrow(group, x1, x2, y, label) {
    if (x1 === x2) {
      // a service calling itself: a small loop on its lifeline
      group.append(
        svg("path", { class: "hit", d: loopPath(x1, y) }),
        svg("path", { class: "shaft", d: loopPath(x1, y) }),
        svg("text", { class: "label", x: x1 + 40, y: y - 2, "text-anchor": "start" }, clip(label, 40)));
      return;
    }
    const direction = x2 > x1 ? 1 : -1;
    group.append(
      svg("line", { class: "hit", x1: x1, y1: y, x2: x2, y2: y }),
      svg("line", { class: "shaft", x1: x1, y1: y, x2: x2 - direction * 8, y2: y }),
      svg("polygon", { class: "head", points: [x2, y, x2 - direction * 9, y - 4.5, x2 - direction * 9, y + 4.5].join(" ") }),
      svg("text", { class: "label", x: (x1 + x2) / 2, y: y - 6 }, clip(label, Math.max(18, Math.abs(x2 - x1) / 6.4))));
  }

  function clickable(node, choose) {
    node.addEventListener("click", choose);
    node.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        choose();
      }
    });
  }

  function taskCall(task) {
    const args = (task.args || []).map((a) => JSON.stringify(a));
    const kwargs = Object.entries(task.kwargs || {}).map(([k, v]) => k + "=" + JSON.stringify(v));
    return task.name + "(" + args.concat(kwargs).join(", ") + ")";
  }

  function messageLabel(msg) {
    const where = msg.subject || msg.queue || msg.exchange || msg.protocol || "";
    const fault = msg.fault ? " [" + msg.fault + "]" : "";
    const ack = msg.ack ? " (" + msg.ack + ")" : "";
    return "✉ " + where + (msg.task ? ": " + taskCall(msg.task) : "") + fault + ack;
  }

  function loopPath(x, y) {
    return "M" + x + " " + (y - 8) + " h34 v16 h-30";
  }

  function requestLabel(exchange) {
    const mode = exchange.mode === "real" ? "" : " [" + exchange.mode + "]";
    return exchange.request.method + " " + exchange.request.target + mode;
  }

  function responseLabel(exchange) {
    const response = exchange.response;
    if (!response) return "✕ " + exchange.outcome + " · " + ms(exchange.duration_ms);
    return response.status + " " + (response.reason || "") + " · " + ms(exchange.duration_ms);
  }

  function arrowClass(exchange, request) {
    if (request) return exchange.mode === "real" ? "" : "mode-" + exchange.mode;
    if (exchange.outcome !== "ok" || !exchange.response) return "bad";
    const status = exchange.response.status;
    return status >= 500 ? "bad" : status >= 400 ? "client-error" : "";
  }

  // -- one exchange: headers and bodies ---------------------------------------

  function drawExchange(panel, exchange) {
    const request = exchange.request;
    const response = exchange.response;
    panel.replaceChildren();
    append(panel, [
      el("h4", {}, exchange.seam + " ", pill(exchange.mode, "m-" + exchange.mode), " ",
        pill(exchange.outcome, "x-" + exchange.outcome), el("span", { class: "note" }, " #" + exchange.seq)),
      el("p", { class: "meta" }, el("span", {}, "started " + (exchange.started || "").replace("T", " ").slice(0, 26)),
        el("span", {}, "took " + ms(exchange.duration_ms))),
      exchange.error ? el("p", { class: "error" }, exchange.error) : null,
      exchange.fault ? el("p", { class: "fault" }, "fault injected: " + JSON.stringify(exchange.fault)) : null,
      exchange.violations.length ? violationList(exchange.violations) : null,
      el("div", { class: "columns" },
        message("Request", request.method + " " + request.target + " HTTP/" + (request.http_version || "1.1"),
          request.headers, request.body),
        response
          ? message("Response", response.status + " " + (response.reason || ""), response.headers, response.body)
          : el("div", { class: "message-box" }, el("h5", {}, "Response"),
            el("p", { class: "error" }, "no response: " + exchange.outcome)))]);
  }

  // -- one broker message: where it went, its headers and payload --------------

  function drawMessage(panel, msg) {
    const where = [["subject", msg.subject], ["exchange", msg.exchange], ["queue", msg.queue], ["id", msg.id],
      ["ack", msg.ack]].filter((pair) => pair[1]);
    const task = msg.task;
    panel.replaceChildren();
    append(panel, [
      el("h4", {}, msg.seam + " ", pill(msg.direction, "d-" + msg.direction), " ", pill(msg.protocol || "?", "p-message"),
        el("span", { class: "note" }, " #" + msg.seq)),
      el("p", { class: "meta" }, el("span", {}, "at " + (msg.at || "").replace("T", " ").slice(0, 26)),
        ...where.map((pair) => el("span", {}, pair[0] + " " + pair[1]))),
      task ? el("p", { class: "meta" }, el("span", {}, "Celery task " + taskCall(task)), el("span", {}, "id " + task.id),
        el("span", {}, "retries " + task.retries)) : null,
      msg.problem ? el("p", { class: "error" }, msg.problem) : null,
      msg.fault ? el("p", { class: "fault" }, "fault injected: " + msg.fault) : null,
      msg.violations.length ? violationList(msg.violations) : null,
      el("div", { class: "columns" },
        message("Message", msg.direction + " " + (msg.subject || msg.queue || msg.exchange || ""), msg.headers, msg.payload))]);
  }

  function message(title, firstLine, headers, body) {
    const table = el("table", { class: "headers" });
    for (const [name, value] of headers) table.append(el("tr", {}, el("th", {}, name), el("td", {}, value)));
    return el("div", { class: "message-box" }, el("h5", {}, title), el("code", { class: "line" }, firstLine),
      headers.length ? table : el("p", { class: "note" }, "no headers"), bodyView(body));
  }

  function bodyView(body) {
    if (body.kind === "empty") return el("p", { class: "note" }, "no body");
    if (body.kind === "binary") {
      return el("p", { class: "note" }, "binary body (" + (body.content_type || "no content type") + "), " +
        bytes(body.size) + ": not shown");
    }
    const notes = [body.kind + " · " + bytes(body.size)];
    if (body.truncated) notes.push("the journal kept only its first bytes");
    if (body.clipped && body.shown) notes.push("showing the first " + body.shown + " characters");
    if (!body.text && body.size) notes.push("left out of this report");
    const jsonish = body.kind === "json" || (/json/.test(body.content_type) && /^\s*[[{]/.test(body.text));
    return el("div", { class: "body" }, el("p", { class: "note" }, notes.join(" · ")),
      body.text ? el("pre", { class: "body-text kind-" + body.kind }, jsonish ? indentJson(body.text) : body.text) : null);
  }

  // Indents JSON text without parsing it: numbers stay exactly as recorded, and a
  // body cut short (by the journal or by this report) is indented as far as it goes.
  function indentJson(text) {
    const out = [];
    let depth = 0;
    let inString = false;
    let escaped = false;
    const newline = (level) => "\n" + "  ".repeat(level);
    for (let i = 0; i < text.length; i += 1) {
      const c = text[i];
      if (inString) {
        out.push(c);
        if (escaped) escaped = false;
        else if (c === "\\") escaped = true;
        else if (c === "\"") inString = false;
      } else if (c === "\"") {
        inString = true;
        out.push(c);
      } else if (c === "{" || c === "[") {
        const close = c === "{" ? "}" : "]";
        if (text[i + 1] === close) {
          out.push(c, close);
          i += 1;
        } else {
          depth += 1;
          out.push(c, newline(depth));
        }
      } else if (c === "}" || c === "]") {
        depth = Math.max(0, depth - 1);
        out.push(newline(depth), c);
      } else if (c === ",") {
        out.push(",", newline(depth));
      } else if (c === ":") {
        out.push(": ");
      } else if (!/\s/.test(c)) {
        out.push(c);
      }
    }
    return out.join("");
  }

  function violationList(list) {
    return el("ul", { class: "violations" }, ...list.map((v) =>
      el("li", {}, el("code", {}, v.pointer || "/"), " ", v.where + (v.status ? " " + v.status : "") +
        ": expected " + v.expected + ", found " + v.found)));
  }

  function violations(test, select) {
    const table = el("table", { class: "grid" },
      el("thead", {}, el("tr", {}, ...["seam", "operation", "where", "pointer", "expected", "found", "message"]
        .map((h) => el("th", {}, h)))));
    const body = el("tbody");
    for (const v of test.violations) {
      const kind = v.message_index !== undefined ? "message" : "exchange";
      const index = kind === "message" ? v.message_index : v.exchange;
      const row = el("tr", { class: "clickable", tabindex: 0, ["data-" + kind]: index },
        el("td", {}, v.seam), el("td", {}, v.operation), el("td", {}, v.where + (v.status ? " " + v.status : "")),
        el("td", {}, el("code", {}, v.pointer || "/")), el("td", {}, v.expected), el("td", {}, v.found),
        el("td", {}, v.message));
      row.addEventListener("click", () => select(kind, index, true));
      body.append(row);
    }
    table.append(body);
    return table;
  }

  // -- the timeline -----------------------------------------------------------

  function timeline(test, select) {
    const body = el("tbody");
    let logsSeen = 0;
    const gap = function () {
      return el("tr", { class: "gap" }, el("td", { colspan: 3 },
        "… " + test.logs_omitted + " log lines not shown here (the record dir's logs/ has them all)"));
    };
    for (const [kind, index] of test.timeline) {
      if (kind === "log") {
        if (test.logs_omitted && logsSeen === test.logs_omitted_at) body.append(gap());
        logsSeen += 1;
        const line = test.logs[index];
        body.append(el("tr", { class: "log" }, el("td", { class: "when" }, since(line.at, test.started)),
          el("td", { class: "source" }, line.service), el("td", {}, el("code", {}, line.text))));
      } else if (kind === "exchange") {
        const exchange = test.exchanges[index];
        const outcome = exchange.response ? String(exchange.response.status) : exchange.outcome;
        const row = el("tr", { class: "exchange clickable " + arrowClass(exchange, false), tabindex: 0, "data-exchange": index },
          el("td", { class: "when" }, since(exchange.started, test.started)),
          el("td", { class: "source" }, exchange.seam),
          el("td", {}, requestLabel(exchange) + " → " + outcome + " (" + ms(exchange.duration_ms) + ")" +
            (exchange.violations.length ? " ⚠ " + exchange.violations.length + " violation(s)" : "")));
        row.addEventListener("click", () => select("exchange", index, true));
        body.append(row);
      } else if (kind === "message") {
        const msg = test.messages[index];
        const row = el("tr", { class: "message clickable" + (msg.fault || msg.problem ? " bad" : ""), tabindex: 0, "data-message": index },
          el("td", { class: "when" }, since(msg.at, test.started)),
          el("td", { class: "source" }, msg.seam),
          el("td", {}, msg.direction + " " + messageLabel(msg) +
            (msg.violations.length ? " ⚠ " + msg.violations.length + " violation(s)" : "")));
        row.addEventListener("click", () => select("message", index, true));
        body.append(row);
      } else {
        const change = test.db_changes[index];
        body.append(el("tr", { class: "db" }, el("td", { class: "when" }, since(change.at, test.started)),
          el("td", { class: "source" }, "db " + (change.db || "")),
          el("td", {}, change.op + " " + change.table + " " + rowText(change))));
      }
    }
    if (test.logs_omitted && logsSeen <= test.logs_omitted_at) body.append(gap());
    return el("table", { class: "timeline" }, body);
  }

  // -- database changes -------------------------------------------------------

  function rowText(change) {
    if (change.op === "update" && change.old && change.new) {
      const changed = Object.keys(change.new).filter((k) => JSON.stringify(change.old[k]) !== JSON.stringify(change.new[k]));
      return changed.map((k) => k + ": " + JSON.stringify(change.old[k]) + " → " + JSON.stringify(change.new[k])).join(", ");
    }
    const values = change.new || change.old || {};
    return Object.entries(values).map(([k, v]) => k + "=" + JSON.stringify(v)).join(", ");
  }

  function dbChanges(test) {
    const table = el("table", { class: "grid" },
      el("thead", {}, el("tr", {}, ...["when", "db", "table", "op", "row"].map((h) => el("th", {}, h)))));
    const body = el("tbody");
    for (const change of test.db_changes) {
      body.append(el("tr", { class: "op-" + change.op }, el("td", { class: "when" }, since(change.at, test.started)),
        el("td", {}, change.db || ""), el("td", {}, change.table), el("td", {}, change.op),
        el("td", {}, el("code", {}, rowText(change)))));
    }
    table.append(body);
    return table;
  }

  // -- wiring -----------------------------------------------------------------

  for (const row of rows) {
    const toggle = row.querySelector("details");
    toggle.addEventListener("toggle", function () {
      if (toggle.open && !row.dataset.drawn) {
        row.dataset.drawn = "1";
        drawTest(row);
      }
    });
  }

  function openFromHash() {
    const match = /^#test-(\d+)$/.exec(location.hash);
    const row = match && document.getElementById("test-" + match[1]);
    if (!row) return;
    row.hidden = false;
    row.querySelector("details").open = true;
    row.scrollIntoView({ block: "start" });
  }

  window.addEventListener("hashchange", openFromHash);
  openFromHash();
})();
