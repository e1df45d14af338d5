// Writes the world's land outline as one SVG path, equirectangular
// (x = lon + 180, y = 90 - lat, 0.5° precision). Rings that cross the
// antimeridian are split there, so no line runs across the map.
const topo = require('topojson-client');
const land = require('world-atlas/land-110m.json');
const fc = topo.feature(land, land.objects.land);
let d = '';
for (const f of fc.features) {
  const g = f.geometry;
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  for (const poly of polys) for (const ring of poly) {
    let parts = [[]];
    let prevLon = null;
    for (const [lon, lat] of ring) {
      if (prevLon !== null && Math.abs(lon - prevLon) > 180) parts.push([]);
      parts[parts.length - 1].push([lon, lat]);
      prevLon = lon;
    }
    for (const part of parts) {
      let last = null; let s = ''; let n = 0;
      for (const [lon, lat] of part) {
        const x = Math.round((lon + 180) * 2) / 2, y = Math.round((90 - lat) * 2) / 2;
        const k = x + ',' + y; if (k === last) continue; last = k;
        s += (s ? 'L' : 'M') + x + ' ' + y; n++;
      }
      if (n > 2) d += s + (parts.length === 1 ? 'Z' : '');
    }
  }
}
process.stdout.write(d);
