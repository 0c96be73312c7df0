// The worker page: a client of the label broker's worker API (/v1/workers/...), nothing else.
// The token lives in this tab's sessionStorage and travels only in the Authorization header.
// No request or answer is lost or doubled by the page:
//  - one action at a time: while an answer or skip is in flight, further keys and clicks are ignored,
//    and so are a held key's repeats and the second click of a double click;
//  - the task on screen and an answer being sent are kept in sessionStorage, so a reload shows the same
//    task again (asking for the next one would skip it: the broker never offers a worker a task it
//    holds) and sends an interrupted answer again; the broker refuses a second copy (duplicate-answer),
//    which the page takes as "already counted";
//  - an answer is retried only when the broker asks for it (503) or could not be reached.
'use strict';

(function () {
  const KEY_WORKER = 'alstream.worker';
  const KEY_TASK = 'alstream.task';
  const KEY_PENDING = 'alstream.pending-answer';
  const WORKER_ID = /^[A-Za-z0-9_.@:-]{1,128}$/;
  const POLL_EMPTY_MS = 3000;
  const RETRY_FOR_MS = 30000;
  const FEATURE_TABLE_MAX = 48;

  const $ = (id) => document.getElementById(id);
  const state = {
    worker: null,          // {workerId, token}
    settings: {},          // GET worker/settings.json
    task: null,            // the leased TaskView on screen
    skewMs: 0,             // server clock minus ours, from the Date header
    busy: false,           // an answer, skip or lease in flight
    expired: false,
    keys: new Map(),       // key -> class index
    filtered: [],          // class indices the search box leaves
    pollTimer: null,
    tickTimer: null,
  };

  // ------------------------------------------------------------------ storage

  function load(key) {
    try {
      const v = sessionStorage.getItem(key);
      return v === null ? null : JSON.parse(v);
    } catch (e) {
      return null;
    }
  }

  function save(key, value) {
    if (value === null) {
      sessionStorage.removeItem(key);
    } else {
      sessionStorage.setItem(key, JSON.stringify(value));
    }
  }

  // ------------------------------------------------------------------ the API

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error) || ('HTTP ' + status));
      this.status = status;
      this.reason = body && body.reason;
    }
  }

  function path(...segments) {
    return 'v1/workers/' + segments.map(encodeURIComponent).join('/');
  }

  // One HTTP call. Returns {status, body}; throws ApiError for a status the caller did not expect.
  async function call(method, url, body, okStatuses) {
    const headers = {'Authorization': 'Bearer ' + state.worker.token};
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const r = await fetch(url, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store', credentials: 'omit', redirect: 'error', referrerPolicy: 'no-referrer',
    });
    const date = r.headers.get('Date');
    if (date) {
      state.skewMs = Date.parse(date) + 500 - Date.now(); // Date has whole seconds: take the middle
    }
    const text = await r.text();
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch (e) {
        json = {error: text};
      }
    }
    if (!okStatuses.includes(r.status)) {
      throw new ApiError(r.status, json);
    }
    return {status: r.status, body: json};
  }

  // The same call again while the broker says 503 or cannot be reached; for calls that are safe to
  // repeat (an answer: a second copy is refused as duplicate-answer; a skip: a second one finds no lease).
  async function callRetrying(method, url, body, okStatuses) {
    const until = Date.now() + RETRY_FOR_MS;
    let wait = 250;
    for (;;) {
      try {
        return await call(method, url, body, okStatuses);
      } catch (e) {
        const retry = !(e instanceof ApiError) || e.status === 503;
        if (!retry || Date.now() + wait > until) {
          throw e;
        }
        status('The broker is busy; trying again…');
        await new Promise((res) => setTimeout(res, wait));
        wait = Math.min(wait * 2, 4000);
      }
    }
  }

  // ------------------------------------------------------------------ screens

  function show(signedIn) {
    $('sign-in').hidden = signedIn;
    for (const id of ['work', 'stats', 'keys', 'who']) {
      $(id).hidden = !signedIn;
    }
  }

  function status(text, kind) {
    const el = $('status');
    el.textContent = text;
    el.className = kind || '';
  }

  function signInError(text) {
    const el = $('sign-in-error');
    el.textContent = text;
    el.hidden = !text;
  }

  async function signIn(event) {
    event.preventDefault();
    let workerId = $('worker-id').value.trim();
    const token = $('token').value.trim();
    if (!token) {
      signInError('Enter your token.');
      $('token').focus();
      return;
    }
    if (!workerId && token.lastIndexOf('.') > 0) {
      workerId = token.substring(0, token.lastIndexOf('.'));
    }
    if (!WORKER_ID.test(workerId)) {
      signInError(workerId ? 'A worker id has only letters, digits and _ . @ : - (at most 128).'
        : 'Enter your worker id: this token does not start with it.');
      $('worker-id').focus();
      return;
    }
    $('sign-in-button').disabled = true;
    state.worker = {workerId, token};
    try {
      await call('GET', path(workerId, 'stats'), undefined, [200]);
    } catch (e) {
      state.worker = null;
      $('sign-in-button').disabled = false;
      signInError(signInMessage(e));
      $('token').focus();
      $('token').select();
      return;
    }
    $('sign-in-button').disabled = false;
    $('token').value = '';
    signInError('');
    save(KEY_WORKER, state.worker);
    start();
  }

  function signInMessage(e) {
    if (!(e instanceof ApiError)) {
      return 'Cannot reach the label broker: ' + e.message;
    }
    switch (e.reason) {
      case 'unknown-token': return 'Wrong token: the broker does not know it. Check it, or ask for a new one.';
      case 'wrong-worker': return 'This token belongs to another worker: check your worker id.';
      case 'missing-token': return 'Enter your token.';
      default: return 'Cannot sign in: ' + e.message + ' (HTTP ' + e.status + ').';
    }
  }

  async function signOut() {
    const task = state.task;
    stopTimers();
    if (task && !state.expired) {
      try { // give it back at once rather than let it wait out its lease
        await call('POST', path(state.worker.workerId, 'tasks', task.requestId, 'release'), undefined, [200, 409, 404]);
      } catch (e) {
        // the lease expires on its own
      }
    }
    forget();
    $('worker-id').focus();
  }

  // Signed out: nothing of the worker stays in memory or in the tab's storage.
  function forget() {
    state.worker = null;
    state.task = null;
    save(KEY_WORKER, null);
    save(KEY_TASK, null);
    save(KEY_PENDING, null);
    show(false);
  }

  // ------------------------------------------------------------------ tasks

  function stopTimers() {
    clearTimeout(state.pollTimer);
    clearInterval(state.tickTimer);
    state.pollTimer = null;
    state.tickTimer = null;
  }

  async function start() {
    show(true);
    $('who-id').textContent = 'Signed in as ' + state.worker.workerId;
    if (document.activeElement && document.activeElement.tagName === 'INPUT') {
      document.activeElement.blur(); // keys go to the task, not to the hidden sign-in form
    }
    await refreshStats(); // also learns the broker's clock, which the lease's expiry is on
    const pending = load(KEY_PENDING);
    if (pending) { // an answer a reload interrupted: send it again, the broker counts it once
      state.task = load(KEY_TASK);
      await sendAnswer(pending.requestId, pending.label, true);
      return;
    }
    const saved = load(KEY_TASK);
    if (saved && saved.leaseExpiresAt > serverNow()) {
      display(saved);
      return;
    }
    save(KEY_TASK, null);
    nextTask();
  }

  function serverNow() {
    return Date.now() + state.skewMs;
  }

  async function nextTask() {
    stopTimers();
    if (state.busy || !state.worker) {
      return;
    }
    state.busy = true;
    refreshStats(); // after an answer, a skip or a lease that ran out
    clearTask('Asking for a task…');
    let r;
    try {
      r = await call('POST', path(state.worker.workerId, 'tasks', 'next'), undefined, [200, 204]);
    } catch (e) {
      state.busy = false;
      if (authLost(e)) {
        return;
      }
      status('Could not get a task: ' + e.message + '. Trying again shortly.', 'error');
      state.pollTimer = setTimeout(nextTask, POLL_EMPTY_MS);
      return;
    }
    state.busy = false;
    if (r.status === 204) {
      clearTask('No task for you right now; checking again every few seconds.');
      state.pollTimer = setTimeout(nextTask, POLL_EMPTY_MS);
      return;
    }
    save(KEY_TASK, r.body);
    display(r.body);
  }

  function clearTask(message) {
    state.task = null;
    state.expired = false;
    $('item').replaceChildren();
    $('classes').replaceChildren();
    $('search-box').hidden = true;
    $('lease').hidden = true;
    $('skip').hidden = true;
    $('next').hidden = true;
    $('task-title').textContent = 'Task';
    status(message);
  }

  function display(task) {
    state.task = task;
    state.expired = false;
    $('task-title').textContent = 'Task ' + task.requestId;
    $('item').dataset.requestId = task.requestId;
    renderItem(task);
    renderClasses(task);
    $('skip').hidden = false;
    $('skip').disabled = false;
    $('next').hidden = true;
    $('lease').hidden = false;
    status('Answer with a key or a click.');
    tick();
    state.tickTimer = setInterval(tick, 1000);
  }

  function tick() {
    if (!state.task) {
      return;
    }
    const left = state.task.leaseExpiresAt - serverNow();
    if (left <= 0) {
      expire();
      return;
    }
    const s = Math.ceil(left / 1000);
    $('lease-left').textContent = 'Time left: ' + Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0') + '.';
    $('lease').className = s <= 30 ? 'lease soon' : 'lease';
  }

  function expire() {
    clearInterval(state.tickTimer);
    state.expired = true;
    save(KEY_TASK, null);
    $('lease-left').textContent = 'Time ran out.';
    $('lease').className = 'lease over';
    for (const b of $('classes').querySelectorAll('button')) {
      b.disabled = true;
    }
    $('skip').hidden = true;
    $('next').hidden = false;
    status('Time ran out: this task went back to the queue for another worker. Press N for the next task.', 'warn');
  }

  // ------------------------------------------------------------------ answers

  async function answer(label) {
    if (!state.task || state.busy || state.expired) {
      return;
    }
    if (state.task.leaseExpiresAt <= serverNow()) {
      expire();
      return;
    }
    const requestId = state.task.requestId;
    save(KEY_PENDING, {requestId, label});
    await sendAnswer(requestId, label, false);
  }

  // resent: the copy a reload interrupted, which may or may not have reached the broker
  async function sendAnswer(requestId, label, resent) {
    state.busy = true;
    clearInterval(state.tickTimer);
    setButtonsDisabled(true);
    const name = className(state.task, label);
    status('Sending ' + name + '…');
    let message;
    let kind = '';
    try {
      const r = await callRetrying('POST', path(state.worker.workerId, 'tasks', requestId, 'answer'), {label}, [200, 202]);
      message = r.status === 200 ? 'Answered ' + name + '.' : 'Answered ' + name + ' (the broker will count it shortly).';
    } catch (e) {
      if (authLost(e)) {
        state.busy = false;
        return;
      }
      kind = 'warn';
      message = answerRefused(e, resent);
      if (message === null) { // nothing was decided: keep the task and let the person try again
        save(KEY_PENDING, null);
        state.busy = false;
        setButtonsDisabled(false);
        state.tickTimer = setInterval(tick, 1000);
        status('The answer was not sent: ' + e.message + '. Try again.', 'error');
        return;
      }
    }
    save(KEY_PENDING, null);
    save(KEY_TASK, null);
    state.busy = false;
    await nextTask();
    status(message + ' ' + $('status').textContent, kind);
  }

  // What a refusal means for the person; null when the answer may simply be sent again.
  function answerRefused(e, resent) {
    if (!(e instanceof ApiError)) {
      return null;
    }
    switch (e.reason) {
      case 'duplicate-answer': return 'That answer was already counted.';
      case 'lease-expired': return 'Too late: the time ran out and the answer was not counted.';
      case 'request-closed': return resent
        ? 'That item is labelled now; your answer from before the reload counted if it arrived first.'
        : 'Others had already labelled that item; the answer was not needed.';
      case 'lease-released': return 'You had skipped that task; the answer was not counted.';
      case 'no-lease': return 'You no longer held that task; the answer was not counted.';
      case 'unknown-request': return 'The broker does not know that task any more.';
      default: return e.status >= 500 ? null : 'The answer was refused: ' + e.message;
    }
  }

  async function skip() {
    if (!state.task || state.busy || state.expired) {
      return;
    }
    state.busy = true;
    clearInterval(state.tickTimer);
    setButtonsDisabled(true);
    const requestId = state.task.requestId;
    status('Skipping…');
    try {
      // 409: no lease any more (a reload after the skip went through) - skipped either way
      await callRetrying('POST', path(state.worker.workerId, 'tasks', requestId, 'release'), undefined, [200, 409]);
    } catch (e) {
      state.busy = false;
      if (authLost(e)) {
        return;
      }
      setButtonsDisabled(false);
      state.tickTimer = setInterval(tick, 1000);
      status('Could not skip: ' + e.message + '.', 'error');
      return;
    }
    save(KEY_TASK, null);
    state.busy = false;
    await nextTask();
    status('Skipped; it will not be offered to you again. ' + $('status').textContent);
  }

  // A token the broker stopped accepting: back to the sign-in form, with why.
  function authLost(e) {
    if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) {
      return false;
    }
    stopTimers();
    forget();
    signInError(signInMessage(e));
    $('token').focus();
    return true;
  }

  function setButtonsDisabled(disabled) {
    for (const b of $('classes').querySelectorAll('button')) {
      b.disabled = disabled;
    }
    $('skip').disabled = disabled;
  }

  // ------------------------------------------------------------------ stats

  async function refreshStats() {
    if (!state.worker) {
      return;
    }
    let s;
    try {
      s = (await call('GET', path(state.worker.workerId, 'stats'), undefined, [200])).body;
    } catch (e) {
      return; // the numbers stay as they were; the next action refreshes them
    }
    const rejected = Object.values(s.answersRejected || {}).reduce((a, b) => a + b, 0);
    $('stat-accepted').textContent = String(s.answersAccepted);
    $('stat-released').textContent = String(s.leasesReleased);
    $('stat-expired').textContent = String(s.leasesExpired);
    $('stat-rejected').textContent = String(rejected);
    $('stat-agreement').textContent = s.agreementRate == null ? '–' : percent(s.agreementRate);
    const models = Object.values(s.models || {});
    $('stat-accuracy').textContent = models.length === 0 ? '–'
      : models.map((m) => percent(m.estimatedAccuracy) + (models.length > 1 ? ' (' + m.numClasses + ' classes)' : '')).join(', ');
  }

  function percent(x) {
    return (100 * x).toFixed(1) + '%';
  }

  // ------------------------------------------------------------------ the item

  function renderItem(task) {
    const item = $('item');
    item.replaceChildren();
    const f = task.features || [];
    const w = state.settings.imageWidth;
    const h = state.settings.imageHeight;
    let shown = false;
    if (w && h && f.length === w * h) {
      item.append(image(f, w, h));
      shown = true;
    }
    if (task.payloadText) {
      const p = document.createElement('p');
      p.className = 'payload-text';
      p.textContent = task.payloadText;
      item.append(p);
      shown = true;
    }
    if (task.payloadUri) {
      item.append(link(task.payloadUri));
      shown = true;
    }
    if (!shown) {
      item.append(featureTable(f));
    }
    if (task.attributes && Object.keys(task.attributes).length > 0) {
      item.append(attributeTable(task.attributes));
    }
  }

  // Grey image, row by row; values scaled between their own minimum and maximum, the largest darkest.
  function image(f, w, h) {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    canvas.className = 'item-image';
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', w + ' by ' + h + ' grey image to label');
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of f) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const span = hi > lo ? hi - lo : 1;
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(w, h);
    for (let i = 0; i < f.length; i++) {
      const g = Math.round(255 * (1 - (f[i] - lo) / span));
      img.data[4 * i] = g;
      img.data[4 * i + 1] = g;
      img.data[4 * i + 2] = g;
      img.data[4 * i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    return canvas;
  }

  function link(uri) {
    const p = document.createElement('p');
    p.className = 'payload-uri';
    let url = null;
    try {
      url = new URL(uri);
    } catch (e) {
      // not a URL: shown as text
    }
    if (url && (url.protocol === 'https:' || url.protocol === 'http:')) {
      const a = document.createElement('a');
      a.href = url.href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      a.textContent = 'Open the item: ' + url.href;
      p.append(a);
    } else {
      p.textContent = 'Item: ' + uri;
    }
    return p;
  }

  function featureTable(f) {
    const table = document.createElement('table');
    table.className = 'features';
    const caption = document.createElement('caption');
    caption.textContent = f.length + ' features' + (f.length > FEATURE_TABLE_MAX ? ' (the first ' + FEATURE_TABLE_MAX + ')' : '');
    table.append(caption);
    const body = document.createElement('tbody');
    const perRow = 4;
    const n = Math.min(f.length, FEATURE_TABLE_MAX);
    for (let i = 0; i < n; i += perRow) {
      const tr = document.createElement('tr');
      for (let j = i; j < Math.min(n, i + perRow); j++) {
        const th = document.createElement('th');
        th.scope = 'row';
        th.textContent = String(j);
        const td = document.createElement('td');
        td.textContent = Number(f[j]).toPrecision(3);
        tr.append(th, td);
      }
      body.append(tr);
    }
    table.append(body);
    return table;
  }

  function attributeTable(attributes) {
    const table = document.createElement('table');
    table.className = 'attributes';
    const body = document.createElement('tbody');
    for (const k of Object.keys(attributes).sort()) {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = k;
      const td = document.createElement('td');
      td.textContent = attributes[k];
      tr.append(th, td);
      body.append(tr);
    }
    table.append(body);
    return table;
  }

  // ------------------------------------------------------------------ classes and keys

  function classNames(task) {
    const names = [];
    for (let i = 0; i < task.numClasses; i++) {
      names.push(task.classNames && task.classNames[i] ? task.classNames[i] : String(i));
    }
    return names;
  }

  function className(task, label) {
    return task ? classNames(task)[label] : String(label);
  }

  // Classes named by their own digits (0..9) answer to that digit; otherwise 1-9 then 0 take the
  // first ten classes in order.
  function keysFor(names) {
    const keys = new Map();
    if (names.length <= 10 && names.every((n, i) => n === String(i))) {
      names.forEach((n, i) => keys.set(n, i));
      return keys;
    }
    for (let i = 0; i < Math.min(10, names.length); i++) {
      keys.set(String((i + 1) % 10), i);
    }
    return keys;
  }

  function renderClasses(task) {
    const names = classNames(task);
    state.keys = keysFor(names);
    const keyOf = new Map();
    for (const [k, i] of state.keys) {
      keyOf.set(i, k);
    }
    const box = $('classes');
    box.replaceChildren();
    names.forEach((name, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.label = String(i);
      if (keyOf.has(i)) {
        const kbd = document.createElement('kbd');
        kbd.textContent = keyOf.get(i);
        b.append(kbd, ' ');
        b.setAttribute('aria-keyshortcuts', keyOf.get(i));
      }
      b.append(name);
      b.addEventListener('click', (e) => {
        if (e.detail > 1) {
          return; // the second click of a double click: one answer per task
        }
        answer(i);
      });
      box.append(b);
    });
    const many = names.length > 10;
    $('search-box').hidden = !many;
    $('class-search').value = '';
    filter();
  }

  function filter() {
    if (!state.task) {
      return;
    }
    const q = $('class-search').value.trim().toLowerCase();
    const names = classNames(state.task);
    state.filtered = [];
    for (const b of $('classes').querySelectorAll('button')) {
      const i = Number(b.dataset.label);
      const match = !q || names[i].toLowerCase().includes(q);
      b.hidden = !match;
      b.classList.remove('first');
      if (match) {
        state.filtered.push(i);
      }
    }
    if (q && state.filtered.length > 0) {
      $('classes').querySelector('button[data-label="' + state.filtered[0] + '"]').classList.add('first');
    }
  }

  function onSearchKey(e) {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (!e.repeat && state.filtered.length > 0 && $('class-search').value.trim()) {
        answer(state.filtered[0]);
      }
    } else if (e.key === 'Escape') {
      e.preventDefault();
      $('class-search').value = '';
      filter();
      $('class-search').blur();
    }
  }

  function onKey(e) {
    if (!state.worker || e.ctrlKey || e.metaKey || e.altKey) {
      return;
    }
    const t = e.target;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA')) {
      return; // typing in a field
    }
    if (e.repeat) {
      return; // a held key answers once
    }
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (state.task && !state.expired && state.keys.has(key)) {
      e.preventDefault();
      answer(state.keys.get(key));
    } else if (key === 's') {
      e.preventDefault();
      skip();
    } else if (key === 'n') {
      if (!state.busy && (state.expired || !state.task)) {
        e.preventDefault();
        nextTask();
      }
    } else if (key === '/' && !$('search-box').hidden) {
      e.preventDefault();
      $('class-search').focus();
    }
  }

  // ------------------------------------------------------------------ start

  async function init() {
    $('sign-in-form').addEventListener('submit', signIn);
    $('sign-out').addEventListener('click', signOut);
    $('skip').addEventListener('click', (e) => { if (e.detail <= 1) skip(); });
    $('next').addEventListener('click', () => nextTask());
    $('class-search').addEventListener('input', filter);
    $('class-search').addEventListener('keydown', onSearchKey);
    document.addEventListener('keydown', onKey);
    try {
      const r = await fetch('worker/settings.json', {cache: 'no-store', credentials: 'omit'});
      state.settings = r.ok ? await r.json() : {};
    } catch (e) {
      state.settings = {};
    }
    state.worker = load(KEY_WORKER);
    if (state.worker) {
      start();
    } else {
      show(false);
      $('worker-id').focus();
    }
  }

  document.addEventListener('DOMContentLoaded', init);
})();
