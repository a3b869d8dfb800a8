// assess: autosave with sequence numbers, the countdown, ordering buttons, polling.
// Everything works without this file: each Next posts the answer and the server numbers it.
"use strict";
document.documentElement.classList.add("js");

(function autosave() {
  const form = document.querySelector("form.question");
  if (!form) return;
  const state = form.querySelector(".save-state");
  let nextSeq = parseInt(form.dataset.nextSeq, 10) || 1;
  let pending = null;  // {body, seq}: the newest unsaved answer
  let timer = null;
  let retryDelay = 1000;

  function show(text, bad) {
    state.textContent = text;
    state.classList.toggle("bad", !!bad);
  }

  function fields(seq) {
    const body = new FormData(form);
    body.set("seq", String(seq));
    body.delete("go");
    return new URLSearchParams(body);
  }

  function queue() {
    pending = {seq: nextSeq++, body: null};
    pending.body = fields(pending.seq);
    send(pending);
  }

  function send(item) {
    show(form.dataset.saving);
    fetch(form.dataset.save, {method: "POST", body: item.body, credentials: "same-origin",
                              headers: {"Accept": "application/json"}})
      .then(function (r) {
        if (r.status === 429) return {status: 429, wait: parseInt(r.headers.get("Retry-After"), 10) || 1};
        return r.json().then(function (data) { return {status: r.status, data: data}; });
      })
      .then(function (res) {
        if (res.status === 429) {
          // Too many saves of this attempt: the server says when; then the same save, same number.
          setTimeout(function () { if (pending === item) send(item); }, res.wait * 1000);
          return;
        }
        const data = res.data;
        if (data.closed && data.url) { window.location.assign(data.url); return; }
        if (res.status === 200 && data.ok) {
          nextSeq = Math.max(nextSeq, data.next_seq);
          retryDelay = 1000;
          if (pending === item) { pending = null; show(form.dataset.saved); markAnswered(data.answered); }
        } else if (data.error) {
          if (pending === item) { pending = null; show(data.error, true); }
        } else { throw new Error("save failed"); }
      })
      .catch(function () {
        // Same sequence number on every retry: the server stores it once.
        if (pending !== item) return;
        show(form.dataset.offline, true);
        // Jitter: after a restart of the server, a room of phones must not all retry at the same moment.
        setTimeout(function () { if (pending === item) send(item); }, retryDelay * (0.5 + Math.random()));
        retryDelay = Math.min(retryDelay * 2, 15000);
      });
  }

  function markAnswered(answered) {
    const current = document.querySelector("nav.navigator .current");
    if (current) current.classList.toggle("answered", !!answered);
  }

  form.addEventListener("change", function () { clearTimeout(timer); queue(); });
  form.addEventListener("input", function (e) {
    if (e.target.tagName === "TEXTAREA" || e.target.type === "text" || !e.target.type) {
      clearTimeout(timer);
      timer = setTimeout(queue, 800);
    }
  });
  form.addEventListener("submit", function () {
    // The post itself carries the answer; an autosave still waiting is not needed any more.
    clearTimeout(timer);
    pending = null;
  });
  window.addEventListener("beforeunload", function (e) {
    if (pending) { e.preventDefault(); e.returnValue = ""; }
  });

  // Ordering: move a step up or down with buttons; the places follow the list.
  const list = form.querySelector("ol.ordering");
  if (list) {
    const up = list.dataset.up || "↑", down = list.dataset.down || "↓";
    list.querySelectorAll("li.step").forEach(function (li) {
      const row = document.createElement("span");
      row.className = "moves-row";
      [[up, -1], [down, 1]].forEach(function (pair) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = pair[0];
        b.setAttribute("aria-label", (pair[1] < 0 ? list.dataset.upLabel : list.dataset.downLabel) || pair[0]);
        b.addEventListener("click", function () {
          const sibling = pair[1] < 0 ? li.previousElementSibling : li.nextElementSibling;
          if (sibling) {
            if (pair[1] < 0) list.insertBefore(li, sibling); else list.insertBefore(sibling, li);
          }
          list.querySelectorAll("li.step select").forEach(function (s, k) { s.value = String(k + 1); });
          b.focus();
          clearTimeout(timer);
          queue();
        });
        row.appendChild(b);
      });
      li.querySelector(".place").appendChild(row);
    });
  }
})();

(function countdown() {
  const el = document.getElementById("timer");
  if (!el) return;
  const clock = el.querySelector(".clock");
  const end = Date.now() + parseInt(el.dataset.seconds, 10) * 1000;
  function tick() {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    clock.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    el.classList.toggle("low", left <= 300);
    if (left === 0) {
      clock.textContent = el.dataset.done;
      // The server still takes answers during its grace; after it, the reloaded page shows the end.
      const grace = parseInt(el.dataset.grace, 10) || 0;
      setTimeout(function () { window.location.reload(); }, (grace + 1) * 1000);
      return;
    }
    setTimeout(tick, 1000);
  }
  tick();
})();

(function pollLobby() {
  const box = document.getElementById("lobby");
  if (!box || !box.dataset.poll) return;
  let seen = null;
  function poll() {
    fetch(box.dataset.poll, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        const now = JSON.stringify(data.state);
        if (seen !== null && now !== seen) { window.location.reload(); return; }
        seen = now;
      })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 4000); });
  }
  poll();
})();

(function pollProgress() {
  const table = document.getElementById("progress");
  if (!table || !table.dataset.poll) return;
  function poll() {
    fetch(table.dataset.poll, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        let changed = false;
        (data.rows || []).forEach(function (row) {
          const tr = table.querySelector('tr[data-person="' + CSS.escape(row.person) + '"]');
          if (!tr) return;
          if (tr.dataset.status !== row.status) changed = true;  // arriving in the lobby is not a change
          ["status_text", "answered", "left", "devices"].forEach(function (f) {
            const td = tr.querySelector('[data-field="' + f + '"]');
            if (td) td.textContent = row[f];
          });
        });
        Object.keys(data.counts || {}).forEach(function (k) {
          const el = document.querySelector('[data-count="' + k + '"]');
          if (el) el.textContent = data.counts[k];
        });
        const typing = document.activeElement && ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
        if (changed && !typing) window.location.reload();  // the actions of a row follow its status
      })
      .catch(function () {})
      .finally(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 5000);
})();
