// Self time by function from a V8 .cpuprofile, largest first.
const fs = require('fs');
const p = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const self = new Map();
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const dt = new Map();
for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) || 0) + (p.timeDeltas[i] || 0));
let total = 0;
for (const [id, us] of dt) {
  const n = byId.get(id);
  const name = n.callFrame.functionName || '(anonymous)';
  self.set(name, (self.get(name) || 0) + us);
  total += us;
}
const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] || 40));
for (const [name, us] of top) console.log(`${(us / 1e6).toFixed(2).padStart(7)} s ${(100 * us / total).toFixed(1).padStart(5)}%  ${name.slice(0, 150)}`);
