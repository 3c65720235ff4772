import { ApiError, api, getToken, onUnauthenticated, serverNow, setCsrf, setToken } from "./api.js";
import { renderSecurityAudit, renderUsers } from "./admin.js";
import { renderAccountability } from "./accountability.js";
import { renderBoard } from "./board.js";
import { renderBrief } from "./brief.js";
import { renderConfigAdmin } from "./config-admin.js";
import { renderDocument } from "./doc.js";
import { renderDetail } from "./detail.js";
import { renderElsewhere } from "./elsewhere.js";
import { renderInbox } from "./inbox.js";
import { bjTime, esc } from "./format.js";
import { renderSearch } from "./search.js";
import { renderTrends } from "./trends.js";

const view = document.getElementById("view");
const banner = document.getElementById("banner");
const loginDialog = document.getElementById("login");
let cleanup = () => {};
let me = null;
let bannerTimer;

const ROLE_NAMES = { duty_officer: "值班员", dept_head: "部门负责人", analyst: "分析员", sys_admin: "系统管理员", sec_admin: "安全管理员", audit_admin: "审计管理员" };

/** Show a message at the top: errors stay until replaced, confirmations fade. */
function flash(message, ok = false) {
  banner.textContent = message;
  banner.className = ok ? "banner ok" : "banner";
  banner.hidden = false;
  clearTimeout(bannerTimer);
  bannerTimer = setTimeout(() => (banner.hidden = true), ok ? 3000 : 15000);
}

/** What the signed-in user may do, from their roles (the API enforces the same rules). */
function capabilities(user) {
  const roles = new Set(user.roles);
  const wide = roles.has("duty_officer") || roles.has("analyst");
  return {
    ...user,
    scope: wide ? "all" : "department",
    can: {
      business: roles.has("duty_officer") || roles.has("analyst") || roles.has("dept_head"),
      documents: roles.has("duty_officer") || roles.has("analyst"),
      transition: roles.has("duty_officer") || roles.has("dept_head"),
      security_audit: roles.has("audit_admin"),
      users: roles.has("sec_admin"),
      config: roles.has("sys_admin") || roles.has("audit_admin"),
      configManage: roles.has("sys_admin"),
    },
  };
}

function showLogin(message) {
  cleanup();
  cleanup = () => {};
  me = null;
  view.innerHTML = "";
  document.getElementById("user").textContent = "";
  document.getElementById("logout").hidden = true;
  const error = document.getElementById("login-error");
  error.textContent = message ?? "";
  error.hidden = !message;
  if (!loginDialog.open) loginDialog.showModal();
}

async function signIn() {
  try {
    const who = await api("me");
    setCsrf(who.csrfToken);
    me = capabilities(who);
  } catch (error) {
    showLogin(error.status === 401 ? (getToken() ? "令牌无效，请重新输入" : undefined) : error.message);
    return false;
  }
  document.getElementById("user").innerHTML = `${esc(me.name)} <span class="muted">${esc(me.roles.map((r) => ROLE_NAMES[r] ?? r).join("、"))}${me.departmentName ? ` · ${esc(me.departmentName)}` : ""}</span>`;
  document.getElementById("logout").hidden = false;
  if (loginDialog.open) loginDialog.close();
  for (const link of document.querySelectorAll("nav a[data-needs]")) link.hidden = !me.can[link.dataset.needs];
  return true;
}

function route() {
  if (!me) return;
  cleanup();
  const [path, query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const params = new URLSearchParams(query);
  const [name, id] = path.split("/");
  for (const link of document.querySelectorAll("nav a")) link.classList.toggle("active", link.dataset.route === (name === "alert" ? "board" : name || (me.scope === "department" ? "inbox" : "board")));
  // a fresh container per page, so listeners of the previous page go with it
  const page = document.createElement("section");
  view.replaceChildren(page);
  const ctx = { flash };
  if (name === "alert" && id) cleanup = renderDetail(page, me, decodeURIComponent(id), ctx);
  else if (name === "search" && me.can.documents) cleanup = renderSearch(page, me, params, ctx);
  else if (name === "trends" && me.can.documents) cleanup = renderTrends(page, me, params, ctx);
  else if (name === "accountability" && me.can.business) cleanup = renderAccountability(page, me, params, ctx);
  else if (name === "brief" && me.can.business) cleanup = renderBrief(page, me, params, ctx);
  else if (name === "elsewhere" && me.can.business) cleanup = renderElsewhere(page);
  else if (name === "doc" && id && me.can.business) cleanup = renderDocument(page, me, decodeURIComponent(id), ctx);
  else if (name === "security-audit" && me.can.security_audit) cleanup = renderSecurityAudit(page, me, params, ctx);
  else if (name === "users" && me.can.users) cleanup = renderUsers(page, me, params, ctx);
  else if (name === "admin" && me.can.config) cleanup = renderConfigAdmin(page, me, id, ctx);
  else if (me.can.business && (name === "inbox" || (!name && me.scope === "department"))) cleanup = renderInbox(page, me, params, ctx);
  else if (me.can.business) cleanup = renderBoard(page, me, ctx);
  else if (me.can.security_audit) cleanup = renderSecurityAudit(page, me, params, ctx);
  else if (me.can.users) cleanup = renderUsers(page, me, params, ctx);
  else if (me.can.configManage) cleanup = renderConfigAdmin(page, me, "sources", ctx);
  else page.innerHTML = `<p class="muted">该账号没有值班台权限（${esc(me.roles.map((r) => ROLE_NAMES[r] ?? r).join("、"))}）。</p>`;
  document.title = `瞭望 · ${{ alert: "事件详情", search: "检索", trends: "趋势", accountability: "问责统计", brief: "舆情日报", doc: "原文", inbox: "部门待办", "security-audit": "安全审计", users: "用户", admin: "系统配置", elsewhere: "外地/境外关注" }[name] ?? (me.scope === "department" ? "部门待办" : "值班台")}`;
}

/** Who a bearer token (or, without one, the session cookie) belongs to, without adopting it or showing the login. */
async function whoIs(token) {
  const res = await fetch("/api/v1/session", { headers: token ? { authorization: `Bearer ${token}` } : {}, cache: "no-store", credentials: "same-origin" });
  return res.ok ? ((await res.json()).user ?? null) : null;
}

async function start() {
  // A login link (`pnpm start` prints one in demo mode) carries the token in the fragment, never sent to servers.
  const fromLink = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (fromLink) {
    const token = decodeURIComponent(fromLink[1]);
    history.replaceState(null, "", `${location.pathname}#/board`);
    // Someone may be signed in already: a link must not silently replace who is acting at this desk.
    const current = await whoIs(getToken());
    const next = await whoIs(token);
    if (!next) {
      if (!current) return showLogin("登录链接无效或已过期");
    } else if (!current || current.id === next.id || window.confirm(`此链接将以「${next.name}」身份登录，替换当前登录的「${current.name}」。确定替换吗？`)) {
      if (current && current.id !== next.id && !getToken()) {
        // End the replaced cookie session rather than leave it behind.
        const who = await api("me").catch(() => null);
        setCsrf(who?.csrfToken);
        await api("session", { method: "DELETE" }).catch(() => undefined);
      }
      setToken(token);
    }
  }
  // Ask who is signed in first (never a 401): a fresh desk gets the sign-in form without a failed request.
  if (!(await whoIs(getToken()))) {
    if (getToken()) setToken("");
    return showLogin();
  }
  if (await signIn()) route();
}

const loginMode = document.getElementById("login-mode");
function useTokenMode(on) {
  document.getElementById("login-password").hidden = on;
  document.getElementById("login-token-row").hidden = !on;
  for (const id of ["login-username", "login-pass"]) document.getElementById(id).required = !on;
  document.getElementById("login-token").required = on;
  loginMode.textContent = on ? "使用用户名和密码登录" : "使用访问令牌登录";
  loginMode.dataset.token = on ? "1" : "";
}
loginMode.addEventListener("click", () => useTokenMode(!loginMode.dataset.token));

document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const error = document.getElementById("login-error");
  if (loginMode.dataset.token) {
    setToken(document.getElementById("login-token").value.trim());
  } else {
    const totp = document.getElementById("login-totp").value.trim();
    try {
      const result = await api("session", { method: "POST", body: { username: document.getElementById("login-username").value.trim(), password: document.getElementById("login-pass").value, ...(totp ? { totp } : {}) } });
      setToken("");
      setCsrf(result.csrfToken);
      document.getElementById("login-pass").value = "";
      document.getElementById("login-totp").value = "";
    } catch (failure) {
      if (failure instanceof ApiError && failure.reason === "totp_required") document.getElementById("login-totp-row").hidden = false;
      error.textContent = failure.message;
      error.hidden = false;
      return;
    }
  }
  if (await signIn()) {
    loginDialog.close();
    route();
  }
});
document.getElementById("logout").addEventListener("click", async () => {
  if (!getToken()) await api("session", { method: "DELETE" }).catch(() => undefined);
  setToken("");
  setCsrf("");
  showLogin();
});
onUnauthenticated(() => showLogin("登录已失效，请重新登录"));
window.addEventListener("hashchange", route);
setInterval(() => (document.getElementById("clock").textContent = `北京时间 ${bjTime(new Date(serverNow()).toISOString())}`), 1000);
void start();
