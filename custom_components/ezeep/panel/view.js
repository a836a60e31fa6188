/**
 * The release panel's screens: they only render the state module's state (state.js) and
 * call its methods. `t(key, values)` gives the card's texts.
 */
import { html, nothing } from "./lit/lit-element.js";
import { renderIdField, renderKeypad } from "./keypad.js";
import { State } from "./state.js";
import { errorKey, errorValues } from "./texts.js";

/** The text of a message ({kind, key, values} or {kind, error}). */
export function messageText(message, t) {
  if (!message) return "";
  if (message.error) return t(errorKey(message.error), errorValues(message.error));
  if (message.key === "release_summary") return summaryText(message.values, t);
  return t(message.key, message.values);
}

/** "2 printed, 1 failed: <reason>" (and what to do). */
export function summaryText(summary, t) {
  const parts = [];
  if (summary.printed) parts.push(t("summary_printed", { count: summary.printed }));
  if (summary.failed) parts.push(t("summary_failed", { count: summary.failed, reason: summary.reason ?? "?" }));
  if (summary.canceled) parts.push(t("summary_canceled", { count: summary.canceled }));
  if (!parts.length) return t("nothing_printed");
  const after = summary.printed ? t("take_prints") : "";
  return `${parts.join(", ")}. ${after}`.trim();
}

/** The one live region: sign-in, progress milestones, results and errors are read out. */
export function renderLive(model, t) {
  const note = model.announcement;
  let text = "";
  if (note?.message) text = messageText(note.message, t);
  else if (note?.key === "release_summary") text = summaryText(note.values, t);
  else if (note) text = t(note.key, note.values);
  return html`<div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${text}</div>`;
}

function renderMessage(model, t) {
  const message = model.message;
  if (!message) return nothing;
  return html`<div class="message-area">
    <div class="message ${message.kind}"><p>${messageText(message, t)}</p></div>
  </div>`;
}

export function renderSignedOut(model, t) {
  const starting = model.waiting;
  const readers = (model.config.reader_device_ids ?? []).length > 0;
  const signingIn = model.state === State.SIGNING_IN;
  return html`<div class="signed-out">
    <h2>${t("title")}</h2>
    ${starting
      ? html`<p class="prompt starting">${t("station_starting")}</p>`
      : html`<p class="prompt">${t(readers ? "prompt_card_or_id" : "prompt_id")}</p>`}
    ${renderMessage(model, t)} ${renderIdField(model, t)} ${renderKeypad(model, t, false)}
    <button type="button" class="primary big sign-in" ?disabled=${!model.canSignIn || signingIn || !model.typed.trim()} @click=${() => model.signIn("keypad")}>
      ${t(signingIn ? "signing_in" : "sign_in")}
    </button>
  </div>`;
}

function renderWarning(model, t) {
  if (!model.warning) return nothing;
  return html`<div class="warning">
    <p>${t("idle_warning", { seconds: model.warningSeconds })}</p>
    <button type="button" class="primary stay" @click=${() => model.stay()}>${t("stay_signed_in")}</button>
  </div>`;
}

export function renderSignedIn(model, t, fmt) {
  const modal = !!model.confirm;
  return html`<div class="signed-in">
    <div class="head" ?inert=${modal}>
      <h2 tabindex="-1">${model.name ? t("hello", { name: model.name }) : t("signed_in")}</h2>
      <button type="button" class="secondary sign-out" @click=${() => model.signOut()}>${t("sign_out")}</button>
    </div>
    <div class="notes" ?inert=${modal}>${renderWarning(model, t)}${renderMessage(model, t)}</div>
    ${renderConfirm(model, t)} ${renderRelease(model, t)}
    <section class="jobs" aria-labelledby="jobs-title" ?inert=${modal}>
      <h3 id="jobs-title">${t("your_jobs")}</h3>
      ${model.jobs.length
        ? html`<ul class="job-list">${model.jobs.map((job, index) => renderJob(model, t, fmt, job, index))}</ul>`
        : html`<p class="empty">${t("no_jobs")}</p>`}
    </section>
    ${renderActions(model, t, modal)}
  </div>`;
}

function renderActions(model, t, modal) {
  const releasing = model.state === State.RELEASING;
  const blocked = model.busy || releasing;
  const canceling = !!model.release?.canceling;
  return html`<div class="actions" ?inert=${modal}>
    <div class="copies" role="group" aria-label=${t("copies")}>
      <button type="button" class="step" aria-label=${t("fewer_copies")} ?disabled=${model.copies <= 1} @click=${() => model.setCopies(model.copies - 1)}>−</button>
      <label>
        <span>${t("copies")}</span>
        <input type="number" min="1" max="99" .value=${String(model.copies)} @change=${(ev) => model.setCopies(ev.target.value)} />
      </label>
      <button type="button" class="step" aria-label=${t("more_copies")} ?disabled=${model.copies >= 99} @click=${() => model.setCopies(model.copies + 1)}>+</button>
    </div>
    ${model.selectable
      ? html`<button type="button" class="big release-selected" ?disabled=${blocked || !model.selectedJobs().length} @click=${() => model.releaseJobs(model.selectedJobs())}>
          ${t("release_selected")}
        </button>`
      : nothing}
    <button type="button" class="primary big release-all" ?disabled=${blocked || !model.releasable().length} @click=${() => model.releaseJobs(null)}>
      ${t("release_all")}
    </button>
    ${releasing
      ? html`<button type="button" class="danger big cancel" ?disabled=${canceling} @click=${() => model.cancel()}>${t(canceling ? "canceling" : "cancel")}</button>`
      : nothing}
  </div>`;
}

function renderJob(model, t, fmt, job, index) {
  const id = `job-${index}`;
  const releasing = model.state === State.RELEASING;
  const pending = model.pending.get(job.job);
  const locked = !!pending || model.inRelease(job.job);
  const checkable = model.selectable && !job.on_hold;
  const details = html`<span class="job-name">${job.name}</span>
    <span class="job-meta">${fmt.size(job.size)} · ${fmt.age(job.created)}${job.on_hold ? html` · <span class="badge">${t("on_hold")}</span>` : nothing}${pending ? html` · ${t(`pending_${pending}`)}` : nothing}</span>`;
  const holdKey = job.on_hold ? "release_hold" : "hold";
  return html`<li class="job ${job.on_hold ? "held" : ""}" aria-label=${job.name}>
    ${checkable
      ? html`<input type="checkbox" id=${id} .checked=${model.selected.has(job.job)} ?disabled=${releasing || locked} @change=${(ev) => model.toggle(job.job, ev.target.checked)} />
          <label class="job-text" for=${id}>${details}</label>`
      : html`${model.selectable ? html`<span class="check-space"></span>` : nothing}<div class="job-text">${details}</div>`}
    ${model.selectable
      ? html`<div class="job-actions">
          <button type="button" class="hold" aria-label=${t(`${holdKey}_job`, { name: job.name })} ?disabled=${locked} @click=${() => model.hold(job.job, !job.on_hold)}>
            ${t(holdKey)}
          </button>
          <button type="button" class="danger-outline delete" aria-label=${t("delete_job", { name: job.name })} ?disabled=${locked} @click=${() => model.askDelete(job)}>
            ${t("delete")}
          </button>
        </div>`
      : nothing}
  </li>`;
}

function renderConfirm(model, t) {
  const job = model.confirm;
  if (!job) return nothing;
  const trap = (ev) => {
    if (ev.key === "Escape") model.closeConfirm();
    if (ev.key !== "Tab") return;
    const buttons = [...ev.currentTarget.querySelectorAll("button")];
    const index = buttons.indexOf(ev.composedPath()[0]);
    const next = buttons[(index + (ev.shiftKey ? buttons.length - 1 : 1)) % buttons.length];
    ev.preventDefault();
    next.focus();
  };
  return html`<div class="confirm" role="alertdialog" aria-modal="true" aria-labelledby="confirm-text" @keydown=${trap}>
    <p id="confirm-text">${t("confirm_delete", { name: job.name })}</p>
    <div class="confirm-buttons">
      <button type="button" class="keep" @click=${() => model.closeConfirm()}>${t("confirm_no")}</button>
      <button type="button" class="danger" @click=${() => model.deleteJob(job.job)}>${t("confirm_yes")}</button>
    </div>
  </div>`;
}

function renderRelease(model, t) {
  const release = model.release;
  if (!release || !release.jobs.length) return nothing;
  const finished = model.state === State.FINISHED;
  return html`<section class="release" aria-labelledby="release-title" ?inert=${!!model.confirm}>
    <h3 id="release-title">${t(finished ? "release_finished" : "printing")}</h3>
    <ul>
      ${release.jobs.map((job) => {
        const percent = jobPercent(job);
        const text = progressText(job, t);
        return html`<li class="release-job ${job.status}">
          <span class="job-name">${job.name}</span>
          <div class="bar" role="progressbar" aria-label=${job.name} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${percent ?? nothing} aria-valuetext=${text}>
            <div class="fill" style="width: ${percent ?? 0}%"></div>
          </div>
          <span class="status">${text}</span>
        </li>`;
      })}
    </ul>
  </section>`;
}

export function jobPercent(job) {
  if (job.status === "completed") return 100;
  if (job.unit === "percent") return Math.max(0, Math.min(100, job.done ?? 0));
  if (job.total) return Math.round((100 * (job.done ?? 0)) / job.total);
  return job.status === "queued" ? 0 : null;
}

export function progressText(job, t) {
  const status = t(`status_${job.status}`);
  if (job.status === "failed" && job.error) return `${status}: ${job.error}`;
  if (job.status !== "printing") return status;
  if (job.unit === "percent") return `${status} · ${t("progress_percent", { done: job.done })}`;
  const key = job.total ? "progress_pages" : "progress_pages_unknown";
  return `${status} · ${t(key, { done: job.done, total: job.total })}`;
}

/** Sizes and ages in the person's language. */
export function formatters(language) {
  return {
    size(bytes) {
      const units = [
        ["gigabyte", 1e9],
        ["megabyte", 1e6],
        ["kilobyte", 1e3],
      ];
      const [unit, factor] = units.find(([, f]) => bytes >= f) ?? ["byte", 1];
      return new Intl.NumberFormat(language, { style: "unit", unit, maximumFractionDigits: 1 }).format(bytes / factor);
    },
    age(created) {
      const seconds = Math.round((new Date(created).getTime() - Date.now()) / 1000);
      const format = new Intl.RelativeTimeFormat(language, { numeric: "auto" });
      for (const [unit, size] of [
        ["day", 86400],
        ["hour", 3600],
        ["minute", 60],
      ]) {
        if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
      }
      return format.format(0, "minute");
    },
  };
}
