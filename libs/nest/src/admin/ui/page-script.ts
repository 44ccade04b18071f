/**
 * The status page's script, an ES module served at /admin/ui/admin.js. Plain browser JavaScript with
 * no build step. It keeps the key in sessionStorage (gone with the tab), sends it as a Bearer token,
 * and writes data into the page with textContent only, never as markup.
 */
export const ADMIN_PAGE_SCRIPT = String.raw`
const KEY_STORAGE = 'lambdaflex.adminKey';
const PHASES = ['lambda', 'warming', 'dual', 'fargate', 'draining'];
const REFRESH_MS = 15000;
const $ = (id) => document.getElementById(id);
let chart;
let timer;

function storedKey() {
  return sessionStorage.getItem(KEY_STORAGE);
}

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || 'HTTP ' + status);
    this.status = status;
    this.body = body;
  }
}

async function api(method, path, body) {
  const headers = { accept: 'application/json', authorization: 'Bearer ' + storedKey() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const data = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function say(text, isError) {
  const el = $('message');
  el.textContent = text;
  el.classList.toggle('error', Boolean(isError));
}

function explain(err) {
  if (!(err instanceof ApiError)) return 'The API did not answer: ' + err.message;
  if (err.status === 401) return 'The key was refused. Enter a valid admin key.';
  if (err.status === 403) return 'This key may only read; pinning, pausing and resuming need an operate key.';
  if (err.status === 429) return 'Too many admin requests from here; try again in a minute.';
  const fields = err.body && Array.isArray(err.body.errors) ? ' (' + err.body.errors.map((e) => e.field + ': ' + e.rule).join(', ') + ')' : '';
  return err.message + fields;
}

function describeMode(mode) {
  if (!mode) return 'auto (defaults)';
  if (mode.type === 'pinned') return 'pinned to ' + mode.tier + (mode.until ? ' until ' + new Date(mode.until).toLocaleString() : '');
  return mode.type;
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  row.appendChild(td);
}

function renderStatus(status) {
  $('service').textContent = status.service;
  $('phase').textContent = status.phase;
  const effective = status.policy.effectiveMode;
  const stored = status.policy.mode;
  $('mode').textContent = status.policy.valid
    ? describeMode(effective) + (stored && effective && stored.type !== effective.type ? ' (pin lapsed)' : '')
    : 'stored policy invalid';
  $('generation').textContent =
    'generation ' + (status.policy.generation === undefined ? '–' : status.policy.generation) +
    ', observed ' + status.observedGeneration + (status.upToDate ? ' ✓' : ' (not yet acted on)');
  const fargate = status.tiers.fargate;
  $('fargate').textContent = fargate.health + (fargate.desiredTasks ? ', ' + fargate.desiredTasks + ' task(s)' : '');
  const { api: apiWeight, alb } = status.weights;
  $('weight-api').style.width = apiWeight + '%';
  $('weight-alb').style.width = alb + '%';
  $('weight-api-label').textContent = apiWeight + '%';
  $('weight-alb-label').textContent = alb + '%';
  $('weights').setAttribute('aria-label', 'Lambda ' + apiWeight + '%, Fargate ' + alb + '%');
  const rows = $('conditions');
  rows.replaceChildren();
  for (const c of status.conditions) {
    const tr = document.createElement('tr');
    if (c.type === 'Degraded' && c.status === 'True') tr.className = 'degraded';
    cell(tr, c.type);
    cell(tr, c.status, c.status);
    cell(tr, c.reason);
    cell(tr, c.message);
    rows.appendChild(tr);
  }
}

function renderNoStatus(policy) {
  $('phase').textContent = 'no status yet';
  $('mode').textContent = describeMode(policy && policy.mode);
  $('generation').textContent = 'the reconciler has not finished a tick';
  $('fargate').textContent = '–';
  $('conditions').replaceChildren();
}

function renderHistory(items) {
  const rows = $('history');
  rows.replaceChildren();
  for (const t of items) {
    const tr = document.createElement('tr');
    cell(tr, new Date(t.at).toLocaleString());
    cell(tr, t.from);
    cell(tr, t.to);
    cell(tr, t.reason);
    tr.title = t.message;
    rows.appendChild(tr);
  }
}

function phasePoints(status, items) {
  // History comes newest first; the chart reads oldest first, ending with the phase of now.
  const oldestFirst = items.slice().reverse();
  const points = [];
  if (oldestFirst.length) points.push({ x: Date.parse(oldestFirst[0].at), y: PHASES.indexOf(oldestFirst[0].from) });
  for (const t of oldestFirst) points.push({ x: Date.parse(t.at), y: PHASES.indexOf(t.to) });
  if (status) points.push({ x: Date.now(), y: PHASES.indexOf(status.phase) });
  return points;
}

function renderTimeline(status, items) {
  const rates = (status && status.requestRates) || [];
  const datasets = [
    { label: 'phase', data: phasePoints(status, items), yAxisID: 'phase', stepped: 'before', borderColor: '#2e6fdb', backgroundColor: '#2e6fdb', pointRadius: 3 },
  ];
  if (rates.length) {
    datasets.push({ label: 'requests/s (both tiers)', data: rates.map((r) => ({ x: Date.parse(r.at), y: r.totalRps })), yAxisID: 'rps', borderColor: '#ff9900', backgroundColor: '#ff9900', pointRadius: 0 });
    datasets.push({ label: 'requests/s (ALB)', data: rates.map((r) => ({ x: Date.parse(r.at), y: r.albRps })), yAxisID: 'rps', borderColor: '#7a5af8', backgroundColor: '#7a5af8', pointRadius: 0 });
  }
  $('timeline-note').textContent = rates.length ? '' : 'Request rates appear here once the reconciler records them in the status.';
  if (typeof window.Chart !== 'function') {
    $('timeline-note').textContent = 'The chart library did not load.';
    return;
  }
  const options = {
    animation: false,
    maintainAspectRatio: false,
    parsing: true,
    interaction: { mode: 'nearest', intersect: false },
    scales: {
      x: { type: 'linear', ticks: { callback: (v) => new Date(v).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }), maxTicksLimit: 8 } },
      phase: { type: 'linear', position: 'left', min: 0, max: PHASES.length - 1, ticks: { stepSize: 1, callback: (v) => PHASES[v] || '' } },
      rps: { type: 'linear', position: 'right', display: rates.length > 0, beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'requests/s' } },
    },
    plugins: { legend: { position: 'bottom' } },
  };
  if (chart) {
    chart.data.datasets = datasets;
    chart.options = options;
    chart.update();
  } else {
    chart = new window.Chart($('timeline'), { type: 'line', data: { datasets }, options });
  }
}

async function refresh() {
  if (!storedKey()) return;
  try {
    const [status, history] = await Promise.all([
      api('GET', '/admin/status').catch((err) => {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }),
      api('GET', '/admin/history?limit=50'),
    ]);
    if (status) renderStatus(status);
    else renderNoStatus(await api('GET', '/admin/policy').catch(() => null));
    renderHistory(history.items);
    renderTimeline(status, history.items);
    $('dashboard').hidden = false;
    say('Updated ' + new Date().toLocaleTimeString() + '.');
  } catch (err) {
    say(explain(err), true);
    if (err instanceof ApiError && err.status === 401) showKeyForm();
  }
}

function pinUntil() {
  const hours = Number($('pin-for').value);
  return hours > 0 ? new Date(Date.now() + hours * 3600000).toISOString() : undefined;
}

const ACTIONS = {
  'pin-lambda': () => api('PUT', '/admin/override', { tier: 'lambda', until: pinUntil() }),
  'pin-fargate': () => api('PUT', '/admin/override', { tier: 'fargate', until: pinUntil() }),
  clear: () => api('DELETE', '/admin/override'),
  pause: () => api('POST', '/admin/pause'),
  resume: () => api('POST', '/admin/resume'),
};

async function act(button) {
  const buttons = document.querySelectorAll('[data-action]');
  buttons.forEach((b) => (b.disabled = true));
  try {
    const policy = await ACTIONS[button.dataset.action]();
    await refresh();
    say(button.textContent + ': done; the mode is now ' + describeMode(policy.mode) + '.');
  } catch (err) {
    say(explain(err), true);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

function showKeyForm() {
  $('key-form').hidden = false;
  $('forget').hidden = true;
}

function start() {
  $('key-form').hidden = true;
  $('forget').hidden = false;
  clearInterval(timer);
  timer = setInterval(refresh, REFRESH_MS);
  return refresh();
}

$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('key');
  sessionStorage.setItem(KEY_STORAGE, input.value.trim());
  input.value = '';
  say('Loading…');
  start();
});

$('forget').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORAGE);
  clearInterval(timer);
  $('dashboard').hidden = true;
  showKeyForm();
  say('Key forgotten. Enter an admin key to see the service.');
});

for (const button of document.querySelectorAll('[data-action]')) {
  button.addEventListener('click', () => act(button));
}

if (storedKey()) start();
`;
