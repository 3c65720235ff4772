import { api } from "./api.js";
import { bjTime, esc } from "./format.js";

const OUTCOME = { attempted: "执行前记录", ok: "成功", denied: "拒绝", failed: "失败" };

/** 安全审计 (audit administrators): the hash-chained security audit, newest first, and the chain check. */
export function renderSecurityAudit(view, _me, params, { flash }) {
  view.innerHTML = `<h1>安全审计</h1><p id="audit-chain" class="muted">校验中…</p>
    <div class="card"><table id="audit-table"><thead><tr><th>序号</th><th>时间</th><th>操作人</th><th>操作</th><th>结果</th><th>来源地址</th><th>对象</th><th>详情</th></tr></thead><tbody></tbody></table></div>`;
  const actor = params.get("actor");
  api(`security/audit?size=200${actor ? `&actor=${encodeURIComponent(actor)}` : ""}`)
    .then((data) => {
      view.querySelector("#audit-table tbody").innerHTML = data.records
        .map((r) => `<tr data-seq="${r.seq}"><td>${r.seq}</td><td>${esc(bjTime(r.at))}</td><td>${esc(r.actor)}</td><td>${esc(r.action)}</td><td class="${r.outcome === "ok" || r.outcome === "attempted" ? "" : "error"}">${OUTCOME[r.outcome] ?? esc(r.outcome)}</td><td>${esc(r.source)}</td><td>${esc(r.target ?? "")}</td><td>${esc(r.details?.summary ?? "")}</td></tr>`)
        .join("");
    })
    .catch((error) => flash(`审计记录加载失败：${error.message}`));
  api("security/audit/verify")
    .then((v) => {
      const el = view.querySelector("#audit-chain");
      el.textContent = v.ok ? `哈希链完整：共 ${v.records} 条记录` : `哈希链异常：${v.problems.join("；")}`;
      el.className = v.ok ? "muted" : "error";
    })
    .catch((error) => flash(`审计校验失败：${error.message}`));
  return () => {};
}

const ROLE_NAMES = { duty_officer: "值班员", dept_head: "部门负责人", analyst: "分析员", sys_admin: "系统管理员", sec_admin: "安全管理员", audit_admin: "审计管理员" };

/** 用户与角色 (security administrators): accounts and token users with their roles; create, change, disable, reset. */
export function renderUsers(view, _me, _params, { flash }) {
  const roleBoxes = Object.entries(ROLE_NAMES).map(([r, n]) => `<label class="inline"><input type="checkbox" name="roles" value="${r}"> ${n}</label>`).join(" ");
  view.innerHTML = `<h1>用户与角色</h1><div class="card"><table id="users-table"><thead><tr><th>用户名</th><th>姓名</th><th>角色</th><th>部门</th><th>登录方式</th><th>状态</th><th></th></tr></thead><tbody></tbody></table></div>
    <form id="user-form" class="card form-grid"><h2 id="user-form-title">新增账号</h2>
      <label>用户名 <input name="id" required placeholder="如 zhangsan"></label>
      <label>姓名 <input name="name" required placeholder="如 张三"></label>
      <label>部门（部门负责人必填） <select name="department"><option value="">无</option></select></label>
      <label id="password-row">初始密码 <input name="password" type="password" autocomplete="new-password"></label>
      <div class="roles">角色：${roleBoxes}</div>
      <div class="actions"><button type="submit" class="primary">保存</button> <button type="button" id="user-form-reset" class="ghost">清空</button></div>
      <p class="hint">三员分立：一个账号最多担任系统、安全、审计管理员之一，管理员不兼任业务角色。使用访问令牌的用户由 config/users.yaml 配置。密码至少包含小写字母、大写字母、数字、其他字符中的三类。</p>
    </form>`;
  const form = view.querySelector("#user-form");
  let editing = null;
  let users = [];
  const resetForm = () => {
    editing = null;
    form.reset();
    form.elements.id.readOnly = false;
    view.querySelector("#password-row").hidden = false;
    view.querySelector("#user-form-title").textContent = "新增账号";
  };
  const load = () =>
    api("users")
      .then((data) => {
        users = data.users;
        view.querySelector("#users-table tbody").innerHTML = data.users
          .map(
            (u) => `<tr data-id="${esc(u.id)}"><td>${esc(u.id)}</td><td>${esc(u.name)}</td><td class="roles">${esc(u.roles.map((r) => ROLE_NAMES[r] ?? r).join("、"))}</td><td>${esc(u.department ?? "")}</td><td>${u.kind === "password" ? `密码${u.totp ? " + 动态码" : ""}` : "访问令牌"}</td><td class="state">${u.disabled ? "已停用" : "正常"}</td>
              <td>${u.kind === "password" ? `<button class="ghost edit">修改</button> <button class="ghost toggle">${u.disabled ? "启用" : "停用"}</button> <button class="ghost reset">重设密码</button>` : `<span class="muted">在 users.yaml 中修改</span>`}</td></tr>`,
          )
          .join("");
      })
      .catch((error) => flash(`用户加载失败：${error.message}`));
  api("departments")
    .then((data) => {
      form.elements.department.innerHTML = `<option value="">无</option>${(data.departments ?? []).map((d) => `<option value="${esc(d.id)}">${esc(d.name)}</option>`).join("")}`;
    })
    .catch(() => undefined);
  void load();
  view.querySelector("#user-form-reset").addEventListener("click", resetForm);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const roles = [...form.querySelectorAll('input[name="roles"]:checked')].map((c) => c.value);
    if (roles.length === 0) return flash("请至少选择一个角色（roles）");
    const department = form.elements.department.value;
    try {
      if (editing) {
        await api(`users/${encodeURIComponent(editing)}`, { method: "PATCH", body: { name: form.elements.name.value.trim(), roles, department: department || null } });
        flash(`已修改用户 ${editing}，立即生效`, true);
      } else {
        await api("users", { method: "POST", body: { id: form.elements.id.value.trim(), name: form.elements.name.value.trim(), roles, ...(department ? { department } : {}), password: form.elements.password.value } });
        flash(`已新增用户 ${form.elements.id.value.trim()}`, true);
      }
      resetForm();
      await load();
    } catch (error) {
      flash(error.message);
    }
  });
  view.querySelector("#users-table").addEventListener("click", async (event) => {
    const row = event.target.closest("tr[data-id]");
    if (!row) return;
    const user = users.find((u) => u.id === row.dataset.id);
    try {
      if (event.target.classList.contains("edit")) {
        editing = user.id;
        form.elements.id.value = user.id;
        form.elements.id.readOnly = true;
        form.elements.name.value = user.name;
        form.elements.department.value = user.department ?? "";
        for (const box of form.querySelectorAll('input[name="roles"]')) box.checked = user.roles.includes(box.value);
        view.querySelector("#password-row").hidden = true;
        view.querySelector("#user-form-title").textContent = `修改账号 ${user.id}`;
        form.scrollIntoView();
      } else if (event.target.classList.contains("toggle")) {
        if (!user.disabled && !window.confirm(`停用账号「${user.name}」？其登录会话立即失效。`)) return;
        await api(`users/${encodeURIComponent(user.id)}`, { method: "PATCH", body: { disabled: !user.disabled } });
        flash(`已${user.disabled ? "启用" : "停用"}用户 ${user.id}`, true);
        await load();
      } else if (event.target.classList.contains("reset")) {
        const password = window.prompt(`为「${user.name}」设置新密码（同时解除锁定）：`);
        if (!password) return;
        await api(`users/${encodeURIComponent(user.id)}/password`, { method: "POST", body: { password } });
        flash(`已重设用户 ${user.id} 的密码`, true);
      }
    } catch (error) {
      flash(error.message);
    }
  });
  return () => {};
}
