// Small DOM and formatting helpers. Text always goes in as textContent (never HTML).

/** h('a', {href, class}, 'text', child) builds an element. `on*` attributes take functions. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export const $ = (id) => document.getElementById(id);

/** Sets text only when it changed (no churn for screen readers and layout). */
export function setText(el, text) {
  const t = String(text);
  if (el.textContent !== t) el.textContent = t;
}

// Formatters are built once: toLocale*String builds one per call (slow over hundreds of rows).
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
const DAY_MS = 86_400_000;

/** Sets an attribute only when it changed (an equal write still invalidates style). */
export function setAttr(el, name, value) {
  const v = String(value);
  if (el.getAttribute(name) !== v) el.setAttribute(name, v);
}

export function clock(iso) {
  if (!iso) return '';
  const t = Date.parse(iso);
  const midnight = new Date().setHours(0, 0, 0, 0);
  return t >= midnight && t < midnight + DAY_MS ? timeFormat.format(t) : dateTimeFormat.format(t);
}

export function ago(iso, now = Date.now()) {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function bytes(n) {
  if (n === null || n === undefined) return '-';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Copies text: the async clipboard where allowed (https, localhost), else select + execCommand. */
export async function copyText(text, fallbackInput) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (!fallbackInput) return false;
    fallbackInput.focus();
    fallbackInput.select();
    return document.execCommand('copy');
  }
}

/** Announces a short message in the page's polite live region. */
export function announce(message) {
  const el = $('status');
  el.textContent = '';
  // A fresh text node makes screen readers read a repeated message again.
  requestAnimationFrame(() => (el.textContent = message));
}
