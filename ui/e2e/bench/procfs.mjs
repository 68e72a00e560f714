// What the benchmarks read from /proc about the app under test: its process tree (the app and
// the WebKit processes it started) and where a process's memory is, by mapping.
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

/**
 * The running `binary` and its descendants: `[{ pid, name, root }]`, the app's own process first
 * (`root: true`). Throws when `binary` is not running.
 */
export function appProcessTree(binary) {
  const parents = new Map();
  let root = null;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      if (root === null && readlinkSync(`/proc/${entry}/exe`) === binary) root = Number(entry);
    } catch {
      // Gone, or not ours to read.
    }
  }
  if (root === null) throw new Error(`no running ${binary}`);
  const inTree = (pid) => {
    for (let p = pid; p > 1; p = parents.get(p) ?? 0) if (p === root) return true;
    return false;
  };
  const tree = [];
  for (const pid of parents.keys()) {
    if (!inTree(pid)) continue;
    try {
      const name = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      tree.push({ pid, name, root: pid === root });
    } catch {
      // Exited while we looked.
    }
  }
  return tree.sort((a, b) => Number(b.root) - Number(a.root));
}

/**
 * Mapping name (file, `[heap]`, `[anon]`, memfd) -> `{ pss, anon, count }` (kB) for one process.
 * `bySize` splits anonymous memory by permissions and mapping size.
 */
export function smapsByMapping(pid, { bySize = false } = {}) {
  const by = {};
  let name = "";
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      name = header[4] || "[anon]";
      if (name === "[anon]" && bySize) {
        const kib = (parseInt(header[2], 16) - parseInt(header[1], 16)) / 1024;
        const bucket = kib < 64 ? "<64K" : kib < 1024 ? "<1M" : kib < 16384 ? "<16M" : ">=16M";
        name = `[anon ${header[3]} ${bucket}]`;
      }
      by[name] ??= { pss: 0, anon: 0, count: 0 };
      by[name].count += 1;
      continue;
    }
    const field = /^(Pss|Anonymous):\s+(\d+) kB/.exec(line);
    if (field) by[name][field[1] === "Pss" ? "pss" : "anon"] += Number(field[2]);
  }
  return by;
}
