// The cluster nodes panel (`/api/v1/cluster/nodes`); a single node lists itself.
import { api } from './api.js';
import { $, ago, bytes, h, setText } from './dom.js';

export async function refreshNodes() {
  let nodes;
  try {
    nodes = await api('GET', '/api/v1/cluster/nodes');
  } catch (err) {
    setText($('nodes-error'), `Could not load the nodes: ${err.message}`);
    return;
  }
  setText($('nodes-error'), '');
  $('nodes').tBodies[0].replaceChildren(
    ...nodes.map((n) =>
      h(
        'tr',
        { dataset: { node: n.node } },
        h('th', { scope: 'row' }, n.node, n.self ? h('span', { class: 'hint' }, ' (this node)') : null),
        h('td', {}, n.streams),
        h('td', {}, n.cameras),
        h('td', {}, `${bytes(n.bytesInPerSec)}/s`),
        h('td', {}, n.self ? 'now' : ago(n.at)),
      ),
    ),
  );
}
