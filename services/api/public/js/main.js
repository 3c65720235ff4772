import { api, getToken, onUnauthenticated, serverNow, setToken } from "./api.js";
import { renderAccountability } from "./accountability.js";
import { renderBoard } from "./board.js";
import { renderBrief } from "./brief.js";
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

const ROLE_NAMES = { duty_officer: "值班员", dept_head: "部门负责人", analyst: "分析员", admin: "管理员" };

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
  const wide = roles.has("duty_officer") || roles.has("admin") || roles.has("analyst");
  return {
    ...user,
    scope: wide ? "all" : "department",
    can: {
      documents: roles.has("duty_officer") || roles.has("admin") || roles.has("analyst"),
      transition: roles.has("duty_officer") || roles.has("admin") || roles.has("dept_head"),
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
    me = capabilities(await api("me"));
  } catch (error) {
    showLogin(error.status === 401 ? "令牌无效，请重新输入" : error.message);
    return false;
  }
  document.getElementById("user").innerHTML = `${esc(me.name)} <span class="muted">${esc(me.roles.map((r) => ROLE_NAMES[r] ?? r).join("、"))}${me.departmentName ? ` · ${esc(me.departmentName)}` : ""}</span>`;
  document.getElementById("logout").hidden = false;
  for (const link of document.querySelectorAll("nav a[data-needs=documents]")) link.hidden = !me.can.documents;
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
  else if (name === "accountability") cleanup = renderAccountability(page, me, params, ctx);
  else if (name === "brief") cleanup = renderBrief(page, me, params, ctx);
  else if (name === "elsewhere") cleanup = renderElsewhere(page);
  else if (name === "doc" && id) cleanup = renderDocument(page, me, decodeURIComponent(id), ctx);
  else if (name === "inbox" || (!name && me.scope === "department")) cleanup = renderInbox(page, me, params, ctx);
  else cleanup = renderBoard(page, me, ctx);
  document.title = `瞭望 · ${{ alert: "事件详情", search: "检索", trends: "趋势", accountability: "问责统计", brief: "舆情日报", doc: "原文", inbox: "部门待办", elsewhere: "外地/境外关注" }[name] ?? (me.scope === "department" ? "部门待办" : "值班台")}`;
}

async function start() {
  // A login link (`pnpm start` prints one in demo mode) carries the token in the fragment, never sent to servers.
  const fromLink = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (fromLink) {
    setToken(decodeURIComponent(fromLink[1]));
    history.replaceState(null, "", `${location.pathname}#/board`);
  }
  if (!getToken()) return showLogin();
  if (await signIn()) route();
}

document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  setToken(document.getElementById("login-token").value.trim());
  if (await signIn()) {
    loginDialog.close();
    route();
  }
});
document.getElementById("logout").addEventListener("click", () => {
  setToken("");
  showLogin();
});
onUnauthenticated(() => showLogin("登录已失效，请重新输入令牌"));
window.addEventListener("hashchange", route);
setInterval(() => (document.getElementById("clock").textContent = `北京时间 ${bjTime(new Date(serverNow()).toISOString())}`), 1000);
void start();
