// The fleet view's state in the URL (#app=live&view=table&filter=offline&q=lobby&sort=rssi&dir=asc),
// so an operator can share or bookmark a view; replaceState keeps the history clean.

const VIEWS = ['cards', 'table'];
const FILTERS = ['all', 'live', 'away', 'offline', 'never', 'weak', 'lowheap', 'flapping', 'drops'];
const SORTS = ['name', 'state', 'since', 'fps', 'rssi', 'heap', 'viewers', 'identity', 'lastSeen', 'lastClose', 'drops', 'connects', 'bytes'];

/** Reads the view state from location.hash (unknown values fall back to the defaults). */
export function readViewState() {
  const p = new URLSearchParams(location.hash.slice(1));
  const pick = (name, allowed, fallback) => (allowed.includes(p.get(name)) ? p.get(name) : fallback);
  return {
    app: p.get('app'),
    view: pick('view', VIEWS, null), // null: decided by the fleet's size
    filter: pick('filter', FILTERS, 'all'),
    q: p.get('q') ?? '',
    sort: pick('sort', SORTS, 'name'),
    dir: p.get('dir') === 'desc' ? 'desc' : 'asc',
  };
}

/** Writes `state` to the URL, leaving defaults out. */
export function writeViewState(state) {
  const p = new URLSearchParams();
  if (state.app) p.set('app', state.app);
  if (state.view) p.set('view', state.view);
  if (state.filter && state.filter !== 'all') p.set('filter', state.filter);
  if (state.q) p.set('q', state.q);
  if (state.sort && state.sort !== 'name') p.set('sort', state.sort);
  if (state.dir === 'desc') p.set('dir', 'desc');
  const hash = p.toString();
  const url = hash ? `#${hash}` : location.pathname;
  if (location.hash.slice(1) !== hash) history.replaceState(null, '', url);
}
