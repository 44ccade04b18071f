/**
 * The status page's markup and styles. Static: no data and no inline script or style, so the page
 * can be served to anyone under a strict Content-Security-Policy; its script fetches the data with
 * the operator's key. Kept in TypeScript strings so the bundle carries them (the image ships only
 * the bundle files).
 */
export const ADMIN_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>LambdaFlex admin</title>
<link rel="stylesheet" href="/admin/ui/admin.css">
<script src="/admin/ui/chart.umd.js" defer></script>
<script type="module" src="/admin/ui/admin.js"></script>
</head>
<body>
<header>
  <h1>LambdaFlex <span id="service"></span></h1>
  <form id="key-form" autocomplete="off">
    <label for="key">Admin key</label>
    <input id="key" name="key" type="password" spellcheck="false" required>
    <button type="submit">Use key</button>
  </form>
  <button id="forget" type="button" hidden>Forget key</button>
</header>
<p id="message" role="status" aria-live="polite">Enter an admin key to see the service.</p>
<main id="dashboard" hidden>
  <section class="cards">
    <div class="card"><h2>Phase</h2><p id="phase" class="phase">…</p></div>
    <div class="card"><h2>Mode</h2><p id="mode">…</p></div>
    <div class="card"><h2>Policy</h2><p id="generation">…</p></div>
    <div class="card"><h2>Fargate tier</h2><p id="fargate">…</p></div>
  </section>
  <section>
    <h2>Traffic weights</h2>
    <div class="bar" id="weights" role="img" aria-label="traffic weights">
      <div id="weight-api" class="api"></div><div id="weight-alb" class="alb"></div>
    </div>
    <p class="legend"><span class="key-api">API Gateway → Lambda <b id="weight-api-label">–</b></span>
      <span class="key-alb">ALB → Fargate <b id="weight-alb-label">–</b></span></p>
  </section>
  <section>
    <h2>Actions</h2>
    <div class="actions">
      <label for="pin-for">Pin for</label>
      <select id="pin-for">
        <option value="">until cleared</option>
        <option value="1">1 hour</option>
        <option value="4">4 hours</option>
        <option value="24">24 hours</option>
      </select>
      <button type="button" data-action="pin-lambda">Pin Lambda</button>
      <button type="button" data-action="pin-fargate">Pin Fargate</button>
      <button type="button" data-action="clear">Clear override</button>
      <button type="button" data-action="pause">Pause</button>
      <button type="button" data-action="resume">Resume</button>
    </div>
  </section>
  <section>
    <h2>Conditions</h2>
    <table><thead><tr><th>Type</th><th>Status</th><th>Reason</th><th>Message</th></tr></thead>
      <tbody id="conditions"></tbody></table>
  </section>
  <section>
    <h2>Timeline</h2>
    <div class="chart"><canvas id="timeline" aria-label="phase and request rate over time"></canvas></div>
    <p id="timeline-note" class="note"></p>
  </section>
  <section>
    <h2>Recent transitions</h2>
    <table><thead><tr><th>When</th><th>From</th><th>To</th><th>Reason</th></tr></thead>
      <tbody id="history"></tbody></table>
  </section>
</main>
</body>
</html>
`;

export const ADMIN_PAGE_CSS = `[hidden] { display: none !important; }
:root { font-family: system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
body { margin: 0 auto; max-width: 1100px; padding: 1rem 1.5rem 3rem; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; justify-content: space-between; }
h1 { font-size: 1.4rem; margin: .5rem 0; } h1 span { color: #5b6475; font-weight: normal; }
h2 { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: #5b6475; margin: 1.5rem 0 .5rem; }
form { display: flex; gap: .5rem; align-items: center; }
input, select, button { font: inherit; padding: .35rem .6rem; border: 1px solid #c4c9d4; border-radius: 6px; background: #fff; }
button { cursor: pointer; } button:hover { background: #eef1f6; } button:disabled { opacity: .5; cursor: wait; }
#message { min-height: 1.4em; color: #5b6475; } #message.error { color: #b42318; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 1rem; }
.card { background: #fff; border: 1px solid #e2e5eb; border-radius: 8px; padding: .25rem 1rem .75rem; }
.card h2 { margin-top: .75rem; } .card p { margin: .25rem 0; font-size: 1.1rem; }
.phase { font-size: 1.6rem !important; font-weight: 600; }
.bar { display: flex; height: 28px; border-radius: 6px; overflow: hidden; background: #e2e5eb; }
.bar .api { background: #ff9900; } .bar .alb { background: #2e6fdb; }
.legend { display: flex; gap: 2rem; font-size: .9rem; }
.key-api::before, .key-alb::before { content: ""; display: inline-block; width: .8em; height: .8em; margin-right: .4em; border-radius: 2px; }
.key-api::before { background: #ff9900; } .key-alb::before { background: #2e6fdb; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid #e2e5eb; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #eef0f4; font-size: .92rem; }
td.True { color: #067647; font-weight: 600; } td.False { color: #5b6475; }
tr.degraded td { background: #fef3f2; }
.chart { position: relative; height: 260px; background: #fff; border: 1px solid #e2e5eb; border-radius: 8px; padding: .5rem; }
.note { font-size: .85rem; color: #5b6475; }
`;
