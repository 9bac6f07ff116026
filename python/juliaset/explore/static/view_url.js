// The explorer's URL query for a view: what the history, links and reloads carry, and what
// viewFromURL (explorer.js) reads back. Shared by the explorer page and the store page's
// "explore live here" link.
export function viewQuery(v) {
  const q = new URLSearchParams();
  q.set('family', v.family);
  if (v.power !== 2) q.set('power', String(v.power));
  if (v.family === 'julia') {
    q.set('c_re', v.c[0]);
    q.set('c_im', v.c[1]);
  }
  q.set('center_re', v.center[0]);
  q.set('center_im', v.center[1]);
  q.set('width', v.width);
  q.set('itermax', String(v.itermax));
  q.set('auto', v.auto ? '1' : '0');
  if (v.colormap) q.set('colormap', v.colormap);
  if (v.coloring) q.set('coloring', v.coloring);
  if (Number.isInteger(v.supersample)) q.set('supersample', String(v.supersample));
  return q;
}
