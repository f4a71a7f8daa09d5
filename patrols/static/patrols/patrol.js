// The phone patrol page: start, record the GPS track, add findings with photos, finish.
//
// Everything the server must receive goes through an outbox in IndexedDB (it can hold photos),
// sent in order when the phone is online; each patrol, finding and photo carries a client-made
// UUID and each track point its time, so a retried upload creates nothing twice. Points are
// buffered in localStorage between flushes, so a reload or a crash loses at most a few seconds.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("patrol-config").textContent);
  var T = cfg.text;
  var app = document.getElementById("patrol-app");
  var csrf = app.dataset.csrf;
  var STATE_KEY = "hz-patrol-state";
  var BUFFER_KEY = "hz-patrol-points";
  var IDS_KEY = "hz-patrol-ids";
  var FLUSH_MS = 15000;
  var $ = function (id) { return document.getElementById(id); };

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function save(key, value) { localStorage.setItem(key, JSON.stringify(value)); }

  // --- outbox (IndexedDB) ------------------------------------------------------------------------
  var dbReady = new Promise(function (resolve, reject) {
    var req = indexedDB.open("hz-patrols", 1);
    req.onupgradeneeded = function () { req.result.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true }); };
    req.onsuccess = function () { resolve(req.result); };
    req.onerror = function () { reject(req.error); };
  });
  function store(mode, fn) {
    return dbReady.then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction("outbox", mode);
        var req = fn(t.objectStore("outbox"));
        t.oncomplete = function () { resolve(req ? req.result : undefined); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function enqueue(item) { return store("readwrite", function (s) { return s.add(item); }).then(syncSoon); }
  function pending() { return store("readonly", function (s) { return s.getAll(); }); }
  function drop(seq) { return store("readwrite", function (s) { s.delete(seq); }); }

  function HttpError(status, body) { this.status = status; this.body = body; }
  function errorText(e) {
    if (!(e instanceof HttpError)) return String(e);
    var parts = [];
    var errors = (e.body && e.body.errors) || {};
    Object.keys(errors).forEach(function (k) { parts.push([].concat(errors[k]).join(" ")); });
    return parts.join("；") || (e.body && e.body.detail) || e.status;
  }
  function request(url, body) {
    var isForm = body instanceof FormData;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: isForm ? { "X-CSRFToken": csrf, Accept: "application/json" }
        : { "X-CSRFToken": csrf, Accept: "application/json", "Content-Type": "application/json" },
      body: isForm ? body : JSON.stringify(body),
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) throw new HttpError(r.status, data);
        return data;
      });
    });
  }
  function patrolUrl(clientId, suffix) {
    var id = load(IDS_KEY, {})[clientId];
    // The server refused to start this patrol: what follows it can never be accepted.
    if (id === -1) throw new HttpError(410, { detail: "patrol refused" });
    if (!id) throw new HttpError(409, { detail: "patrol not created yet" });
    return cfg.api.patrols + id + "/" + suffix + "/";
  }

  function send(item) {
    if (item.kind === "start") {
      return request(cfg.api.patrols, item.body).then(function (data) {
        var ids = load(IDS_KEY, {}); ids[item.body.client_id] = data.id; save(IDS_KEY, ids);
      });
    }
    if (item.kind === "points") return request(patrolUrl(item.patrol, "points"), { points: item.points });
    if (item.kind === "finish") {
      return request(patrolUrl(item.patrol, "finish"), { ended_at: item.ended_at }).then(function (data) {
        if (state && state.clientId === item.patrol) { state.serverId = data.id; save(STATE_KEY, state); }
      });
    }
    if (item.kind === "finding") {
      var ids = load(IDS_KEY, {});
      if (ids[item.patrol] === -1) return Promise.reject(new HttpError(410, {}));
      if (!ids[item.patrol]) return Promise.reject(new HttpError(409, {}));
      var form = new FormData();
      Object.keys(item.fields).forEach(function (k) {
        if (item.fields[k] !== null && item.fields[k] !== "") form.append(k, item.fields[k]);
      });
      form.append("patrol", ids[item.patrol]);
      (item.photos || []).forEach(function (f) { form.append("photos", f, f.name || "photo.jpg"); });
      return request(cfg.api.findings, form);
    }
    return Promise.resolve();
  }

  // Sync does not trust navigator.onLine (a phone with one bar says "online" and gets nothing
  // through; some say "offline" while a request would pass): it tries, and after a failure
  // tries again with a growing wait (2 s, 4 s, ... at most a minute). The "online" event and a
  // return to the page only make the next try come sooner.
  var RETRY_FIRST_MS = 2000, RETRY_MAX_MS = 60000;
  var syncing = false, rerun = false;
  var lastError = "", reachable = null, failures = 0, retryTimer = null;
  function scheduleRetry() {
    clearTimeout(retryTimer);
    var wait = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * Math.pow(2, failures - 1));
    retryTimer = setTimeout(sync, wait * (0.8 + Math.random() * 0.4));
  }
  function syncSoon() { failures = 0; clearTimeout(retryTimer); return sync(); }
  function sync() {
    if (syncing) { rerun = true; return Promise.resolve(); }
    syncing = true;
    clearTimeout(retryTimer);
    var failed = false, waiting = false;
    return pending().then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function () {
          return send(item).then(function () { reachable = true; lastError = ""; return drop(item.seq); }, function (e) {
            // A refusal (4xx) will not change by retrying: report it and move on. A network or
            // server error stops the run; the next try resumes from this item.
            if (e instanceof HttpError && e.status >= 400 && e.status < 500 && e.status !== 409) {
              reachable = true;
              if (item.kind === "start") {
                var ids = load(IDS_KEY, {}); ids[item.body.client_id] = -1; save(IDS_KEY, ids);
              }
              if (e.status !== 410) lastError = T.error + errorText(e);
              return drop(item.seq);
            }
            if (e instanceof HttpError && e.status === 409) waiting = true;
            throw e;
          });
        });
      }, Promise.resolve());
    }).catch(function (e) {
      failed = true;
      if (e instanceof HttpError) { reachable = true; if (!waiting) lastError = T.error + errorText(e); }
      else { reachable = false; lastError = ""; }
    }).then(function () {
      syncing = false;
      if (failed) { failures += 1; scheduleRetry(); } else { failures = 0; }
      if (rerun) { rerun = false; if (!failed) return sync(); }
      render();
    });
  }

  // --- the patrol ----------------------------------------------------------------------------------
  var state = load(STATE_KEY, null);
  var watchId = null, ticker = null, flusher = null, wakeLock = null;

  function haversine(a, b) {
    var R = 6371008.8, rad = Math.PI / 180;
    var dp = (b.latitude - a.latitude) * rad, dl = (b.longitude - a.longitude) * rad;
    var h = Math.pow(Math.sin(dp / 2), 2) + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.pow(Math.sin(dl / 2), 2);
    return 2 * R * Math.asin(Math.sqrt(h));
  }
  // The status line under the counters: a location problem stays until the next good fix,
  // which replaces it (a single transient error must not stick while fixes keep arriving).
  var geoTrouble = false;
  function onPosition(pos) {
    if (!state || state.finished) return;
    if (geoTrouble) {
      geoTrouble = false;
      $("status").textContent = T.geoBack.replace("%(m)s", Math.round(pos.coords.accuracy || 0));
      $("status").className = "muted";
    }
    var p = {
      recorded_at: new Date(pos.timestamp || Date.now()).toISOString(),
      latitude: pos.coords.latitude,
      longitude: pos.coords.longitude,
      accuracy_m: pos.coords.accuracy,
    };
    if (state.last && state.last.recorded_at === p.recorded_at) return;
    if (state.last) state.metres += haversine(state.last, p);
    state.last = p;
    state.count += 1;
    save(STATE_KEY, state);
    var buffer = load(BUFFER_KEY, []); buffer.push(p); save(BUFFER_KEY, buffer);
    render();
  }
  function onGeoError(err) {
    // err.message is often empty or in English: the code says what happened.
    var reason = T.geoReasons[err && err.code] || T.geoReasons.other;
    geoTrouble = true;
    $("status").textContent = T.geoError + reason;
    $("status").className = "state-off";
  }
  function flushPoints() {
    var buffer = load(BUFFER_KEY, []);
    if (!buffer.length || !state) return Promise.resolve();
    save(BUFFER_KEY, []);
    return enqueue({ kind: "points", patrol: state.clientId, points: buffer });
  }
  function keepAwake() {
    if (!("wakeLock" in navigator)) { $("status").textContent = T.noWakeLock; return; }
    navigator.wakeLock.request("screen").then(function (lock) {
      wakeLock = lock; $("status").textContent = T.wakeLock;
    }, function () { $("status").textContent = T.noWakeLock; });
  }
  function startRecording() {
    if (!navigator.geolocation) { $("status").textContent = T.noGeo; return; }
    watchId = navigator.geolocation.watchPosition(onPosition, onGeoError, { enableHighAccuracy: true, maximumAge: 0, timeout: 30000 });
    ticker = setInterval(render, 1000);
    flusher = setInterval(function () { flushPoints(); }, FLUSH_MS);
    keepAwake();
  }
  function stopRecording() {
    if (watchId !== null) navigator.geolocation.clearWatch(watchId);
    clearInterval(ticker); clearInterval(flusher);
    if (wakeLock) wakeLock.release().catch(function () {});
    watchId = null; wakeLock = null;
  }

  function start() {
    var river = $("river").value;
    if (!river) { alert(T.chooseRiver); return; }
    var reach = $("reach") ? $("reach").value : "";
    state = {
      clientId: uuid(), river: river, riverName: $("river").selectedOptions[0].textContent,
      startedAt: new Date().toISOString(), count: 0, metres: 0, last: null, finished: false, findings: [],
    };
    save(STATE_KEY, state); save(BUFFER_KEY, []);
    enqueue({ kind: "start", body: {
      client_id: state.clientId, river: Number(river), reach: reach ? Number(reach) : null,
      walker_name: $("walker").value, started_at: state.startedAt,
    } });
    startRecording();
    render();
  }
  function addFinding(ev) {
    ev.preventDefault();
    var form = ev.target;
    var item = {
      kind: "finding", patrol: state.clientId,
      fields: {
        client_id: uuid(), category: form.category.value, note: form.note.value,
        latitude: state.last ? state.last.latitude : null,
        longitude: state.last ? state.last.longitude : null,
        found_at: new Date().toISOString(),
      },
      photos: Array.prototype.slice.call(form.photos.files),
    };
    state.findings.push(form.category.selectedOptions[0].textContent);
    save(STATE_KEY, state);
    form.reset();
    $("finding-box").open = false;
    flushPoints().then(function () { return enqueue(item); });
    $("status").textContent = T.findingSaved;
    render();
  }
  function finish() {
    if (!confirm(T.confirmFinish)) return;
    stopRecording();
    state.finished = true;
    state.endedAt = new Date().toISOString();
    save(STATE_KEY, state);
    flushPoints().then(function () {
      return enqueue({ kind: "finish", patrol: state.clientId, ended_at: state.endedAt });
    });
    render();
  }
  function again() {
    state = null;
    localStorage.removeItem(STATE_KEY);
    render();
  }

  function render() {
    var step = !state ? "start" : state.finished ? "done" : "run";
    $("step-start").hidden = step !== "start";
    $("step-run").hidden = step !== "run";
    $("step-done").hidden = step !== "done";
    if (state && step === "run") {
      var secs = Math.max(0, Math.round((Date.now() - Date.parse(state.startedAt)) / 1000));
      $("run-title").textContent = state.riverName;
      $("elapsed").textContent = Math.floor(secs / 60) + ":" + ("0" + (secs % 60)).slice(-2);
      $("distance").textContent = (state.metres / 1000).toFixed(2);
      $("points").textContent = state.count;
      $("finding-list").innerHTML = "";
      state.findings.forEach(function (label) {
        var li = document.createElement("li"); li.textContent = label; $("finding-list").appendChild(li);
      });
    }
    pending().then(function (items) {
      // What the last try found, not navigator.onLine (see sync).
      var online = reachable === null ? navigator.onLine : reachable;
      var net = online ? T.online : T.offline;
      $("net").textContent = net + (items.length ? " · " + T.pending + " " + items.length : "") + (lastError ? " · " + lastError : "");
      $("net").className = online ? "state-on" : "state-off";
      if (step === "done") {
        $("done-text").textContent = T.finished + (items.length ? " · " + T.pending + " " + items.length : "");
        var link = $("done-link");
        if (state.serverId && !items.length) {
          link.href = cfg.detailUrl.replace("/0/", "/" + state.serverId + "/");
          link.hidden = false;
        } else {
          link.hidden = true;
        }
      }
    });
  }

  if ($("start")) $("start").addEventListener("click", start);
  if ($("reach")) {
    $("river").addEventListener("change", function () {
      var river = $("river").value;
      Array.prototype.forEach.call($("reach").options, function (o) {
        o.hidden = !!o.dataset.river && o.dataset.river !== river;
      });
      $("reach").value = "";
    });
  }
  $("finding-form").addEventListener("submit", addFinding);
  $("finish").addEventListener("click", finish);
  $("again").addEventListener("click", again);
  window.addEventListener("online", syncSoon);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { if (state && !state.finished) keepAwake(); syncSoon(); }
  });
  if (state && !state.finished) startRecording();
  render();
  sync();
})();
