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

/* unit: "bps" (bits/s), "Bps" (bytes/s), "bytes", "%", "ms", "ps" (per second), or a literal */
CM.fmt = function fmt(v, unit) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  if (typeof v !== "number") return String(v);
  switch (unit) {
  case "bps": return scaled(v, 1000, ["b/s", "kb/s", "Mb/s", "Gb/s", "Tb/s"]);
  case "Bps": return scaled(v, 1024, ["B/s", "KiB/s", "MiB/s", "GiB/s", "TiB/s"]);
  case "bytes": return scaled(v, 1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]);
  case "%": return v.toFixed(v >= 10 ? 0 : 1) + " %";
  case "ms": return v.toFixed(v >= 10 ? 0 : 2) + " ms";
  case "ps": return scaled(v, 1000, ["/s", "k/s", "M/s", "G/s"]);
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
