// The duty strip (今日值班) and the policy-document form of the duty board.
import { api } from "./api.js";
import { bjShort, esc } from "./format.js";

/** 今日值班: who holds each role of each department now; the day's kind per the official calendar. */
export function dutyHtml(data) {
  const day = `${esc(data.today.date)} ${data.today.workday ? "工作日" : "休息日"}${data.today.name ? `（${esc(data.today.name)}）` : ""}`;
  const note = data.calendar?.warning ?? (data.today.covered ? null : "节假日数据未覆盖本年度，暂按周一至周五计算工作日");
  const warn = note ? `<span class="error" id="calendar-warning">${esc(note)}</span>` : "";
  const rows = data.departments
    .map((d) => {
      const roles = d.holders
        .map((h) => {
          const who = h.people.length ? h.people.map((p) => esc(p.name)).join("、") : `<span class="muted">无人</span>`;
          const until = h.until ? `<span class="muted">至 ${esc(bjShort(h.until))}</span>` : "";
          const swap = h.via === "override" ? `<span class="chip">换班${h.note ? `：${esc(h.note)}` : ""}</span>` : "";
          return `<span class="duty-role" data-role="${esc(h.role)}"><span class="muted">${esc(h.roleLabel)}</span> <b data-person="${esc(h.people[0]?.id ?? "")}">${who}</b> ${until}${swap}</span>`;
        })
        .join("");
      return `<div class="duty-dept" data-department="${esc(d.id)}"><span class="duty-name">${esc(d.name)}</span>${roles}</div>`;
    })
    .join("");
  return `<details class="card duty" open><summary>今日值班 · ${day} ${warn}</summary>${rows || `<p class="muted">未配置值班表（config/roster.yaml）</p>`}</details>`;
}

function toLocalInput(date) {
  return new Date(date.getTime() + 8 * 3_600_000).toISOString().slice(0, 16);
}

/** The 登记重大政策文件 form: starts the 3-working-day interpretation clock. */
export function policyFormHtml(departments, me) {
  const options = departments
    .filter((d) => me.scope === "all" || d.id === me.department)
    .map((d) => `<option value="${esc(d.id)}">${esc(d.name)}</option>`)
    .join("");
  return `<details class="card" id="policy"><summary>登记重大政策文件（3个工作日内发布解读）</summary>
    <form class="inline" id="policy-form">
      <label>文件标题<input name="title" required maxlength="500"></label>
      <label>文号<input name="docNumber" maxlength="100" placeholder="某政发〔2026〕12号"></label>
      <label>链接<input name="url" type="url" placeholder="https://"></label>
      <label>发布时间（北京时间）<input name="publishedAt" type="datetime-local" required value="${toLocalInput(new Date())}"></label>
      <label>解读责任单位<select name="department" required>${options}</select></label>
      <div class="actions"><button class="primary" type="submit">登记并开始计时</button></div>
    </form></details>`;
}

/** Wire the form: POST /policy-documents, then tell the officer when the interpretation is due. */
export function wirePolicyForm(root, { flash, onDone }) {
  const form = root.querySelector("#policy-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const f = new FormData(form);
    const body = { title: f.get("title"), publishedAt: new Date(`${f.get("publishedAt")}:00+08:00`).toISOString(), department: f.get("department") };
    if (f.get("docNumber")) body.docNumber = f.get("docNumber");
    if (f.get("url")) body.url = f.get("url");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const { alert } = await api("policy-documents", { method: "POST", body });
      const due = alert.deadlines.find((d) => d.clock === "policy_interpretation");
      flash(`已登记，解读材料须于 ${due ? bjShort(due.dueAt) : "3个工作日内"} 前发布`, true);
      form.reset();
      onDone(alert);
    } catch (error) {
      flash(`登记失败：${error.message}`);
    } finally {
      button.disabled = false;
    }
  });
}

/** Load the duty strip and the department list (for the form) once. */
export async function loadDuty() {
  const [duty, departments] = await Promise.all([api("duty"), api("departments")]);
  return { duty, departments: departments.departments };
}
