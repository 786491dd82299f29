import { createHash } from "node:crypto";
import { Hono } from "hono";

/**
 * The UI's static files, served by the app itself (the service runs on internal
 * networks: no CDN). They are files, not inline `<style>`, so the Content-Security-Policy
 * can forbid every inline style and script. Each URL carries a hash of its content, so
 * browsers may keep a file as long as they like and still get the new one after a deploy.
 */
const APP_CSS = `
:root{--ink:#1b1f24;--muted:#5c6773;--line:#d8dde3;--bg:#f5f6f8;--brand:#1d3557;--ok:#1e6b3a;--warn:#8a5a00;--bad:#a4161a;--focus:#ffbf47}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg)}
a{color:var(--brand)}a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid var(--focus);outline-offset:1px}
header.top{background:var(--brand);color:#fff;display:flex;align-items:center;gap:1rem;padding:.5rem 1.5rem;flex-wrap:wrap}
header.top a{color:#fff;text-decoration:none;padding:.25rem .1rem;border-bottom:2px solid transparent}header.top a[aria-current=page]{border-color:#fff}
header.top .brand{font-weight:700;margin-right:.5rem}header.top nav{font-size:.95em}header.top .me{margin-left:auto;display:flex;gap:.8rem;align-items:center;font-size:.9em}
main{max-width:1180px;margin:0 auto;padding:1.2rem 1.5rem 3rem}h1{font-size:1.5rem;margin:.4rem 0 1rem}h2{font-size:1.15rem;margin:1.6rem 0 .6rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:.8rem}.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:.8rem 1rem}
.card .n{font-size:1.6rem;font-weight:700}.card .l{color:var(--muted)}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line)}th,td{padding:.45rem .6rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#eef1f4;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;border-radius:99px;padding:0 .55rem;font-size:.85em;font-weight:600;border:1px solid}
.b-paid,.b-succeeded,.b-settled{color:var(--ok);border-color:var(--ok)}.b-unpaid,.b-failed,.b-rejected,.b-masp3_trigger{color:var(--bad);border-color:var(--bad)}
.b-partial,.b-pending,.b-open,.b-unpaid_rent,.b-running{color:var(--warn);border-color:var(--warn)}.b-upcoming,.b-acknowledged,.b-closed,.b-sent,.b-abandoned{color:var(--muted);border-color:var(--muted)}
.calendar{display:grid;grid-template-columns:repeat(6,1fr);gap:.4rem;list-style:none;margin:0;padding:0}.calendar li{border-radius:6px;padding:.4rem;background:#fff;border:2px solid var(--line);font-size:.9em}
.calendar .paid{border-color:var(--ok);background:#e7f4ec}.calendar .unpaid{border-color:var(--bad);background:#fbe9e9}.calendar .partial{border-color:var(--warn);background:#fff4dc}
form.inline{display:inline}label{display:block;font-weight:600;margin:.6rem 0 .2rem}input,select,textarea{font:inherit;padding:.4rem .5rem;border:1px solid #8a939d;border-radius:4px;width:100%;max-width:28rem;background:#fff}
button,.button{font:inherit;background:var(--brand);color:#fff;border:0;border-radius:4px;padding:.45rem 1rem;cursor:pointer;text-decoration:none;display:inline-block}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:0 1.5rem}
.error{background:#fbe9e9;border-left:4px solid var(--bad);padding:.6rem .8rem;margin:.8rem 0}.notice{background:#e7f4ec;border-left:4px solid var(--ok);padding:.6rem .8rem;margin:.8rem 0}
.muted{color:var(--muted)}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}dt{color:var(--muted)}dd{margin:0}
.alert-masp3{border-left:5px solid var(--bad)}.alert-unpaid_rent{border-left:5px solid var(--warn)}
.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
.skip{position:absolute;left:-999px;top:.5rem;background:var(--focus);color:var(--ink);padding:.4rem .8rem;z-index:10}.skip:focus{left:.5rem}
.grid3{display:grid;grid-template-columns:1fr 1fr 1fr;gap:0 1.5rem}.grid2>.field,.grid3>.field{min-width:0}
.hint{color:var(--muted);margin:0 0 .25rem;font-size:.92em}.field-error{color:var(--bad);font-weight:600;margin:0 0 .25rem}
.invalid input,.invalid select,.invalid textarea,input[aria-invalid=true]{border:2px solid var(--bad)}
.error ul{margin:.4rem 0 0;padding-left:1.2rem}.error a{color:var(--bad);font-weight:600}
fieldset{border:1px solid var(--line);border-radius:6px;margin:.8rem 0;padding:.4rem .9rem .8rem;background:#fff}legend{font-weight:600;padding:0 .3rem}
fieldset.invalid{border:2px solid var(--bad)}.checks{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:.15rem 1rem}
.printable{background:#fff;border:1px solid var(--line);padding:1.2rem 1.6rem}.printable address{font-style:normal;margin:0 0 1rem auto;width:max-content}
@media print{header.top,.skip,.crumbs,.actions{display:none}body{background:#fff}main{padding:0}.printable{border:0;padding:0}}
.check{display:flex;gap:.5rem;align-items:flex-start;margin:.5rem 0}.check input{width:auto;margin-top:.3rem}.check label{font-weight:400;margin:0}.field.check{flex-wrap:wrap}.field.check .hint,.field.check .field-error{flex-basis:100%;margin-left:1.6rem}
.title-row{display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap}.crumbs{margin:.2rem 0;color:var(--muted)}
.actions{display:flex;gap:1rem;align-items:center;margin-top:1.2rem}.search .row{display:flex;gap:.5rem;max-width:36rem}
.row-form{display:flex;gap:1rem;align-items:flex-end;flex-wrap:wrap}.row-form label{margin-top:0}.narrow{max-width:28rem}
.subnav{display:flex;gap:1.2rem;flex-wrap:wrap;margin:0 0 1rem;border-bottom:1px solid var(--line);padding-bottom:.4rem}.subnav a[aria-current=page]{font-weight:700;text-decoration:none}
.dropzone{border:2px dashed #8a939d;border-radius:8px;padding:.8rem 1rem;background:#fafbfc}.dropzone.over{border-color:var(--brand);background:#e8eef6}.dropzone label{margin-top:0}
.detail{display:block;font-size:.9em;color:var(--muted)}.parts fieldset{margin:.5rem 0}
.b-consistent,.b-reconciled,.b-line-matched,.b-line-settled_order{color:var(--ok);border-color:var(--ok)}.b-inconsistent,.b-difference,.b-line-rejected_order,.b-line-returned_order{color:var(--bad);border-color:var(--bad)}
.b-line-suspense,.b-line-new,.b-pending_approval{color:var(--warn);border-color:var(--warn)}
.summary{display:flex;flex-wrap:wrap;gap:.1rem .8rem;font-size:.9em}.iban{font-family:ui-monospace,monospace;font-size:.9em}
.preview{margin-top:1.2rem}.card>h2:first-child{margin-top:.2rem}.alert-title{margin-top:0}.alert-actions{display:flex;gap:1rem;margin-top:.6rem;align-items:flex-end;flex-wrap:wrap}.card.alert-masp3,.card.alert-unpaid_rent{margin:.8rem 0}
button.secondary,.button.secondary{background:#fff;color:var(--brand);border:1px solid var(--brand)}
@media (max-width:800px){.grid2,.grid3{grid-template-columns:1fr}.calendar{grid-template-columns:repeat(3,1fr)}}
.top nav{display:flex;gap:1rem;flex-wrap:wrap}.me .role{opacity:.85}
.combobox{position:relative;max-width:36rem}.combobox [role=listbox]{position:absolute;z-index:5;left:0;right:0;margin:.1rem 0 0;padding:0;list-style:none;background:#fff;border:1px solid var(--line);border-radius:6px;box-shadow:0 4px 12px rgba(0,0,0,.12);max-height:18rem;overflow:auto}
.combobox [role=option]{padding:.35rem .6rem;cursor:pointer}.combobox [role=option][aria-selected=true]{background:var(--brand);color:#fff}
.choices{border:0;padding:0;margin:0 0 .8rem}.choices label{display:block;font-weight:400}.locked input[readonly]{background:var(--bg);color:var(--ink)}
`;

/**
 * The Banque upload's drop zone: progressive enhancement only. Without this script the
 * form is a plain file input posted as multipart; with it, a file dropped anywhere on the
 * zone lands in that input (and its name is shown). No inline script: the CSP forbids it.
 */
const BANK_UPLOAD_JS = `
document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
  var input = zone.querySelector("input[type=file]");
  var shown = zone.querySelector(".dropzone-file");
  if (!input) return;
  var show = function () { if (shown) shown.textContent = input.files && input.files.length ? "Fichier choisi : " + input.files[0].name : ""; };
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) { input.files = event.dataTransfer.files; show(); }
  });
  input.addEventListener("change", show);
});
`;

/** The URL of the drop zone's script (every page works without it). */

const API_REFERENCE_CSS = `
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#1d3557;color:#fff;padding:1.2rem 2rem}header p{margin:.2rem 0 0;opacity:.85}
main{max-width:960px;margin:0 auto;padding:1rem 2rem 4rem}
nav a{margin-right:1rem}
section.op{background:#fff;border:1px solid #d8dde3;border-radius:8px;padding:1rem 1.2rem;margin:1rem 0}
.m{display:inline-block;min-width:4.2rem;text-align:center;font-weight:700;border-radius:4px;padding:.1rem .4rem;color:#fff;margin-right:.6rem}
.get{background:#2a6f97}.post{background:#2d6a4f}.put{background:#8a5a00}.delete{background:#9b2226}.patch{background:#6a4c93}
code{font-family:ui-monospace,monospace;font-size:.92em}.type{color:#5c6773}.req{color:#9b2226;font-size:.8em;margin-left:.4rem}
ul.fields{margin:.2rem 0 .2rem 1rem;padding-left:1rem}h2{margin-top:2rem;border-bottom:2px solid #1d3557}
table{border-collapse:collapse}td,th{border-bottom:1px solid #e3e6ea;padding:.2rem .6rem;text-align:left}
header a{color:#fff}
`;

/** The UI's icon: the initials on the brand's colour, drawn here (no file from elsewhere). */
const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d3557"/><text x="16" y="22" font-family="system-ui,sans-serif" font-size="15" font-weight="700" fill="#fff" text-anchor="middle">M2</text></svg>`;

/**
 * The beneficiary picker of the credit form, as a WAI-ARIA combobox (APG "list
 * autocomplete"): the search field gets role=combobox and a listbox of the people
 * `data-combobox` names as JSON ({ items: [{ id, label }] }); arrows move, Enter or a
 * click chooses, Escape closes; the choice becomes the one checked radio of the
 * fieldset `data-target` names. Without this script the same field is a search form
 * whose results are those radios.
 */
const COMBOBOX_JS = `(() => {
  const input = document.querySelector("input[data-combobox]");
  const target = input && document.getElementById(input.dataset.target);
  if (!input || !target) return;
  const wrap = document.createElement("div");
  wrap.className = "combobox";
  input.parentNode.insertBefore(wrap, input);
  wrap.appendChild(input);
  const list = document.createElement("ul");
  list.id = input.id + "-options";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Bénéficiaires trouvés");
  list.hidden = true;
  wrap.appendChild(list);
  const status = document.createElement("p");
  status.className = "sr-only";
  status.setAttribute("role", "status");
  wrap.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");
  let items = [];
  let active = -1;
  let asked = 0;
  let timer;
  const show = () => {
    list.replaceChildren(...items.map((item, i) => {
      const li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === active));
      li.textContent = item.label;
      li.addEventListener("mousedown", (e) => { e.preventDefault(); choose(i); });
      return li;
    }));
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", String(!list.hidden));
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", list.id + "-" + active);
      document.getElementById(list.id + "-" + active).scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  };
  const close = () => { items = []; active = -1; show(); };
  const search = async () => {
    const q = input.value.trim();
    const mine = ++asked;
    if (q.length < 2) return close();
    const res = await fetch(input.dataset.combobox + "?q=" + encodeURIComponent(q), { headers: { accept: "application/json" }, credentials: "same-origin" });
    if (!res.ok || mine !== asked) return;
    items = (await res.json()).items;
    active = -1;
    show();
    status.textContent = items.length === 0 ? "Aucun bénéficiaire trouvé." : items.length + " bénéficiaire(s) trouvé(s) : flèches pour parcourir, Entrée pour choisir.";
  };
  const choose = (i) => {
    const item = items[i];
    const radio = document.createElement("input");
    radio.type = "radio";
    radio.name = "beneficiaryId";
    radio.value = item.id;
    radio.checked = true;
    const label = document.createElement("label");
    label.append(radio, " " + item.label);
    const legend = target.querySelector("legend");
    target.replaceChildren(...(legend ? [legend] : []), label);
    input.value = item.label;
    close();
    status.textContent = item.label + " : choisi.";
  };
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(search, 150); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (items.length === 0) return;
      active = e.key === "ArrowDown" ? (active + 1) % items.length : (active <= 0 ? items.length - 1 : active - 1);
      show();
    } else if (e.key === "Enter" && active >= 0) {
      e.preventDefault();
      choose(active);
    } else if (e.key === "Escape") close();
  });
  input.addEventListener("blur", close);
})();
`;

const FILES = { app: APP_CSS, apiReference: API_REFERENCE_CSS } as const;
const versioned = (file: string, content: string) => `/static/${file}?v=${createHash("sha256").update(content).digest("hex").slice(0, 12)}`;

/** The URL of each stylesheet, as pages link it. */
export const STYLESHEETS = { app: versioned("app.css", FILES.app), apiReference: versioned("api-reference.css", FILES.apiReference) } as const;
/** The URL of the icon and of the UI's two scripts (progressive enhancements only). */
export const FAVICON = versioned("favicon.svg", FAVICON_SVG);
export const COMBOBOX_SCRIPT = versioned("combobox.js", COMBOBOX_JS);
export const BANK_UPLOAD_SCRIPT = versioned("bank-upload.js", BANK_UPLOAD_JS);

/** `GET /static/*`: public, long-cached, and the only responses without `Cache-Control: no-store`. */
export function staticRoutes() {
  const routes = new Hono();
  const headers = { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=31536000, immutable" };
  routes.get("/static/app.css", (c) => c.body(FILES.app, 200, headers));
  routes.get("/static/api-reference.css", (c) => c.body(FILES.apiReference, 200, headers));
  const cached = headers["Cache-Control"];
  routes.get("/static/favicon.svg", (c) => c.body(FAVICON_SVG, 200, { "Content-Type": "image/svg+xml", "Cache-Control": cached }));
  const script = { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": cached };
  routes.get("/static/combobox.js", (c) => c.body(COMBOBOX_JS, 200, script));
  routes.get("/static/bank-upload.js", (c) => c.body(BANK_UPLOAD_JS, 200, script));
  return routes;
}
