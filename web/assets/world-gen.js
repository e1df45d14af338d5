const topo = require('topojson-client');
const land = require('./node_modules/world-atlas/land-110m.json');
const fc = topo.feature(land, land.objects.land);
let d = '';
const geoms = fc.features.map(f => f.geometry);
for (const g of geoms) {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const poly of polys) for (const ring of poly) {
    let last = null; let s = '';
    for (const [lon, lat] of ring) {
      const x = Math.round((lon + 180) * 2) / 2, y = Math.round((90 - lat) * 2) / 2;
      const k = x + ',' + y; if (k === last) continue; last = k;
      s += (s ? 'L' : 'M') + x + ' ' + y;
    }
    if (s.split('L').length > 3) d += s + 'Z';
  }
}
process.stdout.write(d);
