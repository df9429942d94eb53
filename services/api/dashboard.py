"""The operator page: recent reads with crop thumbnails, refreshed every few seconds.

The page is static; its script calls /v1/reads with the API key the operator
types once (kept in the browser's localStorage), so the page itself needs no
key and no server-side templating of reads.
"""

from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("dashboard", __name__)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>LPR reads</title>
<style>
body{font-family:system-ui,sans-serif;margin:1rem;background:#f6f6f6}
table{border-collapse:collapse;width:100%;background:#fff}
td,th{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left}
.plate{font:bold 1.3rem monospace}.low{color:#b00}img{height:40px}
</style></head><body>
<h1>Recent plate reads</h1>
<form id="f">Plate <input id="plate" placeholder="AB12* or exact">
Camera <input id="cam" size="8"> <button>Search</button>
<button type="button" id="key">API key</button> <span id="status"></span></form>
<table><thead><tr><th>Crop</th><th>Plate</th><th>Confidence</th><th>Camera</th>
<th>Captured (UTC)</th></tr></thead><tbody id="rows"></tbody></table>
<script>
const $ = (id) => document.getElementById(id);
const headers = () => { const k = localStorage.getItem("lprKey"); return k ? {"X-API-Key": k} : {}; };
function cell(text, cls) { const td = document.createElement("td"); td.textContent = text;
  if (cls) td.className = cls; return td; }
async function thumb(td, url) {
  const r = await fetch(url, {headers: headers()}); if (!r.ok) return;
  const img = document.createElement("img"); img.src = URL.createObjectURL(await r.blob()); td.appendChild(img);
}
async function refresh() {
  const q = new URLSearchParams({limit: "50"});
  if ($("plate").value) q.set("plate", $("plate").value);
  if ($("cam").value) q.set("camera_id", $("cam").value);
  const r = await fetch("/v1/reads?" + q, {headers: headers()});
  if (!r.ok) { $("status").textContent = (await r.json()).error.message; return; }
  $("status").textContent = "updated " + new Date().toLocaleTimeString();
  const body = $("rows"); body.replaceChildren();
  for (const read of (await r.json()).items) {
    const tr = document.createElement("tr"); const img = document.createElement("td");
    tr.append(img, cell(read.plate_text, "plate"),
      cell(read.confidence.toFixed(2), read.confidence < 0.8 ? "low" : ""),
      cell(read.camera_id), cell(read.captured_at));
    body.appendChild(tr); thumb(img, read.crop_url);
  }
}
$("f").onsubmit = (e) => { e.preventDefault(); refresh(); };
$("key").onclick = () => { const k = prompt("API key"); if (k !== null) localStorage.setItem("lprKey", k); refresh(); };
refresh(); setInterval(refresh, 3000);
</script></body></html>
"""


@bp.get("/")
def index() -> Response:
    return Response(PAGE, mimetype="text/html")
