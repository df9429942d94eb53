"""The operator page: passages live (crop, text, confidence, camera, decision), search, lists.

The page is static; its script calls /v1/passages, /v1/reads and /v1/lists
with the API key the operator types once (kept in the browser's
localStorage), so the page itself needs no key and no server-side templating.
Plain HTML and a little vanilla JS: nothing to build. Text from the database
is only ever set through textContent, never as HTML.
"""

from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("dashboard", __name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LPR passages</title>
<style>
body{font-family:system-ui,sans-serif;margin:1rem;background:#f6f6f6}
section{background:#fff;padding:.6rem;margin-bottom:1rem;border-radius:4px}
table{border-collapse:collapse;width:100%}
td,th{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left}
.plate{font:bold 1.3rem monospace}.low{color:#b00}img{height:40px}
.allow{background:#d9f5d9}.deny{background:#f8d4d4}.unknown{background:#f3f3f3}
.new{animation:flash 2s}@keyframes flash{from{background:#fff3a0}}
#lists{display:flex;gap:2rem}#lists ul{list-style:none;padding:0}
</style></head><body>
<h1>Vehicle passages</h1>
<section><form id="f">Plate <input id="plate" placeholder="AB12* or exact">
Camera <input id="cam" size="8"> Since <input id="since" type="datetime-local">
Until <input id="until" type="datetime-local"> <button id="search">Search</button>
<button type="button" id="key">API key</button> <span id="status"></span></form></section>
<section><table><thead><tr><th>Crop</th><th>Plate</th><th>Confidence</th><th>Camera</th>
<th>First seen (UTC)</th><th>Reads</th><th>Decision</th></tr></thead>
<tbody id="rows"></tbody></table></section>
<section><h2>Allow and deny lists</h2>
<form id="addf">Plate <input id="addplate" required> Note <input id="addnote">
<select id="addlist"><option>allow</option><option>deny</option></select>
<button id="add">Add</button> <input type="file" id="csv" accept=".csv,text/csv">
<button type="button" id="import">Import CSV</button> <span id="liststatus"></span></form>
<div id="lists"><div><h3>allow</h3><ul id="list-allow"></ul></div>
<div><h3>deny</h3><ul id="list-deny"></ul></div></div></section>
<p>Single reads: <a href="/v1/reads">/v1/reads</a> (API, needs X-API-Key).</p>
<script>
const $ = (id) => document.getElementById(id);
const headers = (extra) => { const k = localStorage.getItem("lprKey");
  return Object.assign(k ? {"X-API-Key": k} : {}, extra || {}); };
const seen = new Set();
function cell(text, cls) { const td = document.createElement("td"); td.textContent = text;
  if (cls) td.className = cls; return td; }
function utc(local) { return local ? new Date(local).toISOString() : ""; }
async function thumb(td, url) {
  const r = await fetch(url, {headers: headers()}); if (!r.ok) return;
  const img = document.createElement("img"); img.alt = "plate crop";
  img.src = URL.createObjectURL(await r.blob()); td.appendChild(img);
}
async function refresh() {
  const q = new URLSearchParams({limit: "50"});
  if ($("plate").value) q.set("plate", $("plate").value);
  if ($("cam").value) q.set("camera_id", $("cam").value);
  if ($("since").value) q.set("since", utc($("since").value));
  if ($("until").value) q.set("until", utc($("until").value));
  const r = await fetch("/v1/passages?" + q, {headers: headers()});
  if (!r.ok) { $("status").textContent = (await r.json()).error.message; return; }
  $("status").textContent = "updated " + new Date().toLocaleTimeString();
  const body = $("rows"); body.replaceChildren();
  for (const p of (await r.json()).items) {
    const tr = document.createElement("tr"); const img = document.createElement("td");
    tr.dataset.passage = p.passage_id; tr.className = p.decision;
    if (seen.size && !seen.has(p.passage_id)) tr.classList.add("new");
    seen.add(p.passage_id);
    tr.append(img, cell(p.plate_text, "plate"),
      cell(p.confidence.toFixed(2), p.confidence < 0.8 ? "low" : ""), cell(p.camera_id),
      cell(p.first_seen), cell(String(p.read_count)), cell(p.decision + (p.list_match ?
        " (" + p.list_match.list_name + " " + p.list_match.plate_text + ")" : "")));
    body.appendChild(tr); thumb(img, p.crop_url);
  }
}
async function loadLists() {
  for (const name of ["allow", "deny"]) {
    const r = await fetch("/v1/lists/" + name, {headers: headers()}); if (!r.ok) return;
    const ul = $("list-" + name); ul.replaceChildren();
    for (const e of (await r.json()).items) {
      const li = document.createElement("li"); li.textContent = e.plate_text +
        (e.note ? " - " + e.note : "") + " ";
      const rm = document.createElement("button"); rm.textContent = "remove";
      rm.onclick = async () => { await fetch("/v1/lists/" + name + "/" +
        encodeURIComponent(e.plate_text), {method: "DELETE", headers: headers()}); loadLists(); };
      li.appendChild(rm); ul.appendChild(li);
    }
  }
}
async function addPlate(e) {
  e.preventDefault();
  const r = await fetch("/v1/lists/" + $("addlist").value, {method: "POST",
    headers: headers({"Content-Type": "application/json"}),
    body: JSON.stringify({plate: $("addplate").value, note: $("addnote").value || null})});
  const doc = await r.json();
  $("liststatus").textContent = r.ok ? "added " + doc.plate_text : doc.error.message;
  if (r.ok) { $("addplate").value = ""; $("addnote").value = ""; loadLists(); refresh(); }
}
async function importCsv() {
  const file = $("csv").files[0]; if (!file) return;
  const form = new FormData(); form.append("file", file);
  const r = await fetch("/v1/lists/" + $("addlist").value + "/import",
    {method: "POST", headers: headers(), body: form});
  const doc = await r.json();
  $("liststatus").textContent = r.ok ? `imported: ${doc.added} added, ${doc.updated} updated, ` +
    `${doc.errors.length} refused` : doc.error.message;
  loadLists();
}
$("f").onsubmit = (e) => { e.preventDefault(); refresh(); };
$("addf").onsubmit = addPlate; $("import").onclick = importCsv;
$("key").onclick = () => { const k = prompt("API key");
  if (k !== null) localStorage.setItem("lprKey", k); refresh(); loadLists(); };
refresh(); loadLists(); setInterval(refresh, 2000);
</script></body></html>
"""


@bp.get("/")
def index() -> Response:
    return Response(PAGE, mimetype="text/html")
