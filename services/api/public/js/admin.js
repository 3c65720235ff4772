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

/** 用户 (security administrators): accounts and token users with their roles. */
export function renderUsers(view, _me, _params, { flash }) {
  view.innerHTML = `<h1>用户与角色</h1><div class="card"><table id="users-table"><thead><tr><th>用户名</th><th>姓名</th><th>角色</th><th>部门</th><th>登录方式</th><th>状态</th></tr></thead><tbody></tbody></table></div>
    <p class="hint">新增账号：<code>pnpm liaowang user add &lt;用户名&gt; --role &lt;角色&gt;</code>，或 POST /api/v1/users。三员分立：一个账号最多担任系统、安全、审计管理员之一。</p>`;
  api("users")
    .then((data) => {
      view.querySelector("#users-table tbody").innerHTML = data.users
        .map((u) => `<tr><td>${esc(u.id)}</td><td>${esc(u.name)}</td><td>${esc(u.roles.map((r) => ROLE_NAMES[r] ?? r).join("、"))}</td><td>${esc(u.department ?? "")}</td><td>${u.kind === "password" ? `密码${u.totp ? " + 动态码" : ""}` : "访问令牌"}</td><td>${u.disabled ? "已停用" : "正常"}</td></tr>`)
        .join("");
    })
    .catch((error) => flash(`用户加载失败：${error.message}`));
  return () => {};
}
