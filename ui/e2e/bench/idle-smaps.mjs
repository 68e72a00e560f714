// Diagnostic for .ci/bench's idle PSS ratio: launches the app and the hello-world one after the
// other (APP_BINARY, then HELLO_BINARY), idles 5 s after the first mounted element, and prints
// where each process's PSS is, by mapping, with the largest differences first.
//   APP_BINARY=… HELLO_BINARY=… xvfb-run node ui/e2e/bench/idle-smaps.mjs
// (in a D-Bus session with an unlocked keyring, as .ci/bench runs the app; BY_SIZE=1 splits
// anonymous memory by permissions and mapping size). Give both the painting settings the app
// picks (WEBKIT_SKIA_*, printed by `.ci/bench startup`), as the bench does.
import { appBinary, launchApp } from "../driver.mjs";
import { appProcessTree, smapsByMapping } from "./procfs.mjs";

const pause = (ms) => new Promise((done) => setTimeout(done, ms));

/** Per process kind (main, WebKitWebProces, WebKitNetworkPr): its mappings. */
function snapshot(binary) {
  const out = {};
  for (const { pid, name, root } of appProcessTree(binary)) {
    out[root ? "main" : name] = smapsByMapping(pid, { bySize: Boolean(process.env.BY_SIZE) });
  }
  return out;
}

async function measure(binary) {
  process.env.APP_BINARY = binary;
  const app = await launchApp();
  try {
    await app.browser.$("#app > *").waitForExist({ timeout: 30_000 });
    await pause(5_000);
    return snapshot(appBinary());
  } finally {
    await app.stop();
  }
}

const ours = await measure(process.env.APP_BINARY);
const hello = await measure(process.env.HELLO_BINARY);
for (const kind of Object.keys(ours)) {
  const a = ours[kind];
  const b = hello[kind] ?? {};
  const total = (m) => Object.values(m).reduce((s, v) => s + v.pss, 0) / 1024;
  console.log(`\n${kind}: app ${total(a).toFixed(1)} MiB, hello-world ${total(b).toFixed(1)} MiB`);
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  const rows = [...names]
    .map((n) => ({
      n,
      a: a[n] ?? { pss: 0, anon: 0, count: 0 },
      b: b[n] ?? { pss: 0, anon: 0, count: 0 },
    }))
    .sort((x, y) => Math.abs(y.a.pss - y.b.pss) - Math.abs(x.a.pss - x.b.pss))
    .slice(0, 14);
  for (const { n, a: x, b: y } of rows) {
    console.log(
      `  ${((x.pss - y.pss) / 1024).toFixed(1).padStart(6)} MiB  ${(x.pss / 1024).toFixed(1)} vs ${(y.pss / 1024).toFixed(1)} ` +
        `(anon ${(x.anon / 1024).toFixed(1)} vs ${(y.anon / 1024).toFixed(1)}, ${x.count} vs ${y.count} maps)  ${n}`,
    );
  }
}
