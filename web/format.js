/*
 * format.js — values as people read them: rates in bits or bytes per second,
 * sizes, percentages, durations, times; the unit of a series from its name;
 * and the order of IP addresses. Pure functions on CM; no DOM.
 */
"use strict";

(function () {
const CM = window.CM || (window.CM = {});

function scaled(v, base, units, digits) {
  if (v === 0) return "0 " + units[0];
  let i = 0;
  let x = Math.abs(v);
  while (x >= base && i < units.length - 1) {
    x /= base;
    i++;
  }
  let s = x >= 100 ? x.toFixed(0) : x.toFixed(digits === undefined ? 1 : digits);
  if (x < 100 && Number(s) >= 100) s = "100";	/* 99.96 → "100", not "100.0" */
  return (v < 0 ? "-" : "") + s + " " + units[i];
}

/* unit: "bps" (bits/s), "Bps" (bytes/s), "bytes", "%", "ms", "ps" (per second), or a literal;
 * digits: decimals below 100 of the scaled units (default 1; axis labels pass 0 when they can) */
CM.fmt = function fmt(v, unit, digits) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (typeof v !== "number") return String(v);
  switch (unit) {
  case "bps": return scaled(v, 1000, ["b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s"], digits);
  case "Bps": return scaled(v, 1024, ["B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s"], digits);
  case "bytes": return scaled(v, 1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB"], digits);
  case "%": return v.toFixed(digits !== undefined ? digits : v >= 10 ? 0 : 1) + " %";
  case "ms": return v.toFixed(v >= 10 ? 0 : 2) + " ms";
  case "ps": return scaled(v, 1000, ["/s", "k/s", "M/s", "G/s"], digits);
  case "speed": return v > 0 ? scaled(v, 1000, ["b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s"], 0) : "–";
  case "s": return CM.duration(v);
  case "min": return CM.duration(v * 60);
  case undefined: case null: case "":
    return Math.abs(v) >= 1000 ? scaled(v, 1000, ["", "k", "M", "G", "T"]).trim()
      : String(Math.round(v * 100) / 100);
  default: return (Math.round(v * 100) / 100) + " " + unit;
  }
};

/* The unit a series' field is measured in, from its name. */
CM.unitOf = function unitOf(measurement, field) {
  if (/_bps$/.test(field) || (measurement === "interface" && /bps/.test(field))) return "bps";
  if (/bytes_.*ps$|_bytes_ps$/.test(field)) return "Bps";
  if (/percent$/.test(field)) return "%";
  if (/_ms$/.test(field)) return "ms";
  if (/_ps$/.test(field)) return "ps";
  if (["total", "used", "free", "available", "cached", "buffered", "shared"].includes(field) &&
      ["mem", "swap", "disk", "memory", "storage"].includes(measurement)) return "bytes";
  return "";
};

/*
 * How a series is shown: {unit, scale} (value × scale, in CM.fmt's unit).
 * The convention: links in bits per second, disks and memory in bytes.
 * So an agent's "net" bytes_*_ps become bits (× 8), like SNMP interfaces.
 */
CM.displayOf = function displayOf(measurement, field) {
  if (measurement === "net" && /^bytes_.*_ps$/.test(field)) return { unit: "bps", scale: 8 };
  return { unit: CM.unitOf(measurement, field), scale: 1 };
};

/*
 * The order of device addresses: IPv4 by number (127.0.0.2 before
 * 127.0.0.10), then IPv6 by number, then names as text; the key of an
 * address is [family, value].
 */
function addressKey(a) {
  const s = String(a || "").trim().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const v4 = (x) => {
    const p = x.split(".");
    if (p.length !== 4 || !p.every((o) => /^\d{1,3}$/.test(o) && +o < 256)) return null;
    return p.reduce((n, o) => n * 256n + BigInt(o), 0n);
  };
  const four = v4(s);
  if (four !== null) return [0, four];
  if (s.includes(":") && /^[0-9a-f:.]+$/i.test(s)) {
    let tail = [];
    let text = s;
    const dot = s.lastIndexOf(":");
    if (s.includes(".")) {			/* ::ffff:10.1.2.3 */
      const x = v4(s.slice(dot + 1));
      if (x === null) return [2, s];
      tail = [(x >> 16n).toString(16), (x & 0xffffn).toString(16)];
      text = s.slice(0, dot + 1) + "0";
    }
    const halves = text.split("::");
    if (halves.length > 2) return [2, s];
    const head = halves[0] ? halves[0].split(":") : [];
    let rest = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
    if (tail.length) rest = (halves.length === 2 ? rest : head.splice(0)).slice(0, -1).concat(tail);
    const fill = 8 - head.length - rest.length;
    if (fill < 0 || (halves.length === 1 && fill !== 0)) return [2, s];
    const groups = head.concat(Array(fill).fill("0"), rest);
    if (!groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return [2, s];
    return [1, groups.reduce((n, g) => n * 65536n + BigInt("0x" + g), 0n)];
  }
  return [2, s.toLowerCase()];
}

CM.compareAddress = function compareAddress(a, b) {
  const [fa, va] = addressKey(a), [fb, vb] = addressKey(b);
  if (fa !== fb) return fa - fb;
  return va < vb ? -1 : va > vb ? 1 : 0;
};

/* A length of time in seconds, as "45 s", "12 min", "1 h 35 min" or "3 days 4 h". */
CM.duration = function duration(sec) {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return "–";
  const s = Math.max(0, Math.round(sec));
  if (s < 60) return CM.t("dur_s", { s });
  const m = Math.round(s / 60);
  if (m < 60) return CM.t("dur_m", { m });
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? CM.t("dur_hm", { h, m: m % 60 }) : CM.t("dur_h", { h });
  const d = Math.floor(h / 24);
  return h % 24 ? CM.t("dur_dh", { d, h: h % 24 }) : CM.t("dur_d", { d });
};

CM.ago = function ago(ts) {
  if (!ts) return CM.t("never");
  const s = Math.max(0, Date.now() / 1000 - ts);
  if (s < 90) return CM.t("ago_s", { n: Math.round(s) });
  if (s < 5400) return CM.t("ago_m", { n: Math.round(s / 60) });
  if (s < 129600) return CM.t("ago_h", { n: Math.round(s / 3600) });
  return CM.t("ago_d", { n: Math.round(s / 86400) });
};

CM.datetime = function datetime(ts) {
  if (!ts) return "–";
  return new Date(ts * 1000).toLocaleString(CM.lang());
};
})();
