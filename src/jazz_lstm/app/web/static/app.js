// jazz-lstm studio: plain JS over the JSON API (no CDN, no build step).
const $ = (id) => document.getElementById(id);
const state = { tune: null, model: "default", job: null };

async function api(path, options = {}) {
  const res = await fetch(path, options);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.detail || `HTTP ${res.status}`);
  return body;
}
function status(id, text, error = false) { $(id).textContent = text; $(id).className = "status" + (error ? " error" : ""); }
const pct = (x) => Math.round(x * 100) + "%";

function showTune(t) {
  state.tune = t;
  $("tune-info").hidden = false;
  $("tune-summary").textContent = `${t.name}: ${t.notes} notes, ${t.bars} bars, ${t.tempo} bpm; melody ${t.melody_track}; chords ${t.chord_origin}.`;
  const sel = $("melody"); sel.innerHTML = "";
  const body = $("ranking").querySelector("tbody"); body.innerHTML = "";
  for (const r of t.ranking) {
    const opt = document.createElement("option");
    opt.value = r.index; opt.textContent = `${r.index}: ${r.name}`;
    if (t.melody_track.startsWith(r.index + ":")) opt.selected = true;
    sel.appendChild(opt);
    const tr = document.createElement("tr");
    for (const v of [r.index, r.name, r.n_notes, r.monophony.toFixed(2), r.register.toFixed(2), r.fit.toFixed(2), r.score.toFixed(2)]) {
      const td = document.createElement("td"); td.textContent = v; tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  $("tune-roll").src = t.pianoroll + "?t=" + Date.now();
  $("chart").value = t.chart.trim();
  $("progression").value = "";
  $("bars").value = Math.min(t.bars, 64);
  $("tempo").value = t.tempo;
  $("train-button").disabled = false;
  status("tune-status", "loaded");
}

function showChart(c) {
  $("chart").value = c.chart.trim();
  $("progression").value = "";
  $("bars").value = Math.min(c.bars, 256);
  if (c.tempo) $("tempo").value = c.tempo;
}

$("file").addEventListener("change", async (e) => {
  const f = e.target.files[0]; if (!f) return;
  const form = new FormData(); form.append("file", f);
  status("tune-status", "reading…");
  try {
    const r = await api("/api/tunes", { method: "POST", body: form });
    if (r.chart_only) { showChart(r); status("tune-status", `${r.name}: a chart without a melody; its changes are below`); }
    else showTune(r);
  } catch (err) { status("tune-status", err.message, true); }
});

let searchTimer = null;
$("chart-search").addEventListener("input", (e) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const sel = $("chart-results"); sel.innerHTML = "";
    if (!e.target.value.trim()) { sel.hidden = true; return; }
    try {
      const r = await api("/api/charts?q=" + encodeURIComponent(e.target.value));
      const head = document.createElement("option"); head.value = "";
      head.textContent = r.matches.length ? `${r.matches.length} match${r.matches.length > 1 ? "es" : ""} of ${r.total}` : `no match among ${r.total}`;
      sel.appendChild(head);
      for (const m of r.matches) {
        const opt = document.createElement("option"); opt.value = m.id;
        opt.textContent = m.title + (m.composer ? ` (${m.composer})` : "");
        sel.appendChild(opt);
      }
      sel.hidden = false;
    } catch (err) { status("generate-status", err.message, true); }
  }, 200);
});
$("chart-results").addEventListener("change", async (e) => {
  if (e.target.value === "") return;
  try { const c = await api("/api/charts/" + e.target.value); showChart(c); status("generate-status", `chart: ${c.name}`); }
  catch (err) { status("generate-status", err.message, true); }
});
$("use-default").addEventListener("click", async () => {
  status("tune-status", "reading…");
  try { showTune(await api("/api/tunes/default", { method: "POST" })); }
  catch (err) { status("tune-status", err.message, true); }
});
$("melody").addEventListener("change", async (e) => {
  try { showTune(await api(`/api/tunes/${state.tune.tune_id}/melody?track=${e.target.value}`, { method: "POST" })); }
  catch (err) { status("tune-status", err.message, true); }
});

$("train-button").addEventListener("click", async () => {
  try {
    const job = await api("/api/train", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ tune_id: state.tune.tune_id, epochs: parseInt($("epochs").value, 10) }) });
    state.job = job.id; $("train-button").disabled = true; $("cancel-button").disabled = false;
    poll();
  } catch (err) { status("train-status", err.message, true); }
});
$("cancel-button").addEventListener("click", () => state.job && api(`/api/jobs/${state.job}/cancel`, { method: "POST" }));
$("use-pretrained").addEventListener("click", () => { state.model = "default"; status("train-status", "Model: pretrained default"); });

async function poll() {
  const job = await api(`/api/jobs/${state.job}`);
  $("train-progress").max = job.epochs; $("train-progress").value = job.epoch;
  const loss = job.losses.length ? ` loss ${job.losses[job.losses.length - 1].toFixed(2)}` : "";
  if (job.status === "queued" || job.status === "running") {
    status("train-status", `training: epoch ${job.epoch}/${job.epochs}${loss}`);
    setTimeout(poll, 250); return;
  }
  $("train-button").disabled = false; $("cancel-button").disabled = true;
  if (job.status === "failed") { status("train-status", job.error, true); return; }
  state.model = job.model_id;
  status("train-status", `Model: trained on ${state.tune.name} (${job.status}, ${job.epoch} epochs,${loss})`);
}

(async () => {
  const progs = await api("/api/progressions");
  for (const [name, chart] of Object.entries(progs)) {
    const opt = document.createElement("option"); opt.value = chart; opt.textContent = name;
    $("progression").appendChild(opt);
  }
})();
$("progression").addEventListener("change", (e) => {
  if (!e.target.value) { if (state.tune) $("chart").value = state.tune.chart.trim(); return; }
  $("chart").value = e.target.value;
  $("bars").value = e.target.value.split("|").filter((b) => b.trim()).length;
});

$("generate-button").addEventListener("click", async () => {
  status("generate-status", "improvising…"); $("generate-button").disabled = true;
  try {
    const r = await api("/api/generate", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model_id: state.model, chart: $("chart").value, bars: parseInt($("bars").value, 10),
        tempo: parseFloat($("tempo").value), temperature: $("temperature").value === "" ? null : parseFloat($("temperature").value), seed: parseInt($("seed").value, 10),
        formats: ["wav", "png", "musicxml", "svg"] }) });
    $("result").hidden = false;
    $("player").src = r.files.wav;
    $("result-roll").src = r.files.png;
    $("score").innerHTML = await (await fetch(r.files.svg)).text();
    $("downloads").innerHTML = "";
    for (const [fmt, label] of [["mid", "MIDI"], ["musicxml", "MusicXML"], ["wav", "WAV"], ["json", "manifest"]]) {
      if (!r.files[fmt]) continue;
      const a = document.createElement("a"); a.href = r.files[fmt]; a.textContent = label; a.download = "solo." + fmt;
      $("downloads").appendChild(a); $("downloads").append(" ");
    }
    const m = r.metrics, body = $("metrics").querySelector("tbody"); body.innerHTML = "";
    for (const [k, v] of [["chord tones", pct(m.chord_tones)], ["scale tones", pct(m.scale_tones)], ["approach tones", pct(m.approach_tones)],
      ["pitch-class entropy H1", m.H1.toFixed(2) + " bits"], ["notes per bar", m.notes_per_bar.toFixed(1)], ["pitch range", m.pitch_range + " semitones"]]) {
      const tr = document.createElement("tr"); tr.innerHTML = `<td>${k}</td><td>${v}</td>`; body.appendChild(tr);
    }
    status("generate-status", `${r.notes} notes over ${r.bars} bars (${r.synth})`);
  } catch (err) { status("generate-status", err.message, true); }
  $("generate-button").disabled = false;
});
