// campus.mjs — a generated campus topology in the shape of GET /api/v1/topology
// (DESIGN §9 plus parent/depth/building/room), for the map's tests: a core,
// 6 distribution switches (one per building), 6 access switches under each,
// and servers, APs, phones and unmanaged neighbours under the access
// switches — 500 nodes in all, with hostile names among them.
export const HOSTILE = {
  access: "<img src=x onerror=window.__xss=11>",
  leaf: "图书馆-三楼-AP<script>window.__xss=12</script>",
  gbk: "\u0368\u0fe1\ufffd\ufffd\u077a\ufffd\u013d\ufffd", // GBK bytes read as Latin-1/UTF-8: mojibake
  building: "<b>Lab</b> 实验楼",
};
const BUILDINGS = ["Library", "Science", "Dorm A", "Dorm B", "Admin", HOSTILE.building];
const LEAF_KINDS = ["ap", "server", "ap", "other", "ap", "camera"];

export function campus(total = 500) {
  const nodes = [], links = [];
  const add = (n) => { nodes.push(n); return n; };
  const link = (a, b, i, extra) => links.push({ a: a.id, a_port: "Gi0/" + (i + 1), b: b.id, b_port: "Gi0/49",
    speed_bps: a.depth === 0 ? 10e9 : 1e9, status: "up", utilisation: ((i * 37) % 100) / 100, source: "lldp", ...extra });
  const core = add({ id: "d1", name: "core-1", kind: "router", status: "up", address: "10.0.0.1", managed: true,
    device_id: 1, parent: null, depth: 0, building: "Network Centre", room: "Core room" });
  let dev = 2;
  const dists = BUILDINGS.map((b, i) => {
    const d = add({ id: "d" + dev, name: "dist-" + (i + 1), kind: "switch", status: "up", address: "10.0." + (i + 1) + ".1",
      managed: true, device_id: dev++, parent: core.id, depth: 1, building: b, room: "MDF" });
    link(core, d, i);
    return d;
  });
  const access = [];
  dists.forEach((d, i) => {
    for (let k = 0; k < 6; k++) {
      const name = i === 2 && k === 3 ? HOSTILE.access : i === 4 && k === 1 ? HOSTILE.gbk : `acc-${i + 1}-${k + 1}`;
      const a = add({ id: "d" + dev, name, kind: "switch", status: i === 1 && k === 2 ? "down" : "up",
        address: `10.${i + 1}.${k + 1}.1`, managed: true, device_id: dev++, parent: d.id, depth: 2,
        building: d.building, room: "Floor " + (k + 1) });
      link(d, a, k, a.status === "down" ? { status: "down", utilisation: 0 } : {});
      access.push(a);
    }
  });
  // a redundant uplink: not a tree edge
  links.push({ a: dists[0].id, a_port: "Te1/1/2", b: dists[1].id, b_port: "Te1/1/2", speed_bps: 10e9,
    status: "up", utilisation: 0.12, source: "lldp" });
  let j = 0;
  while (nodes.length < total) {
    const a = access[j % access.length];
    const n = Math.floor(j / access.length);
    const kind = LEAF_KINDS[(j + n) % LEAF_KINDS.length];
    const managed = kind === "server" || (kind === "ap" && n % 2 === 0);
    const name = j === 7 ? HOSTILE.leaf : `${kind}-${a.name.startsWith("acc-") ? a.name.slice(4) : "x" + j}-${n + 1}`;
    const leaf = add({
      id: managed ? "d" + dev : "u:00:16:3e:" + [j >> 8, j & 255, n].map((x) => x.toString(16).padStart(2, "0")).join(":"),
      name, kind, status: managed ? (j % 53 === 0 ? "down" : "up") : "unknown",
      address: managed ? `10.${100 + (j >> 8)}.${j & 255}.${n + 10}` : null, managed,
      device_id: managed ? dev++ : null, parent: a.id, depth: 3, building: a.building, room: a.room,
    });
    link(a, leaf, n, { speed_bps: 1e9, source: managed ? "lldp" : "fdb" });
    j++;
  }
  return { nodes, links, root: { id: core.id, name: core.name, guessed: false, device_id: core.device_id } };
}
