// .ci/bench `playback`: plays and seeks through a 1 GB MP4 in the Library's player and prints how
// much the app's memory (PSS of the app and its WebKit processes) grew. Issue 15's target: at
// most 50 MB — the app's own player decodes in the app's process, reading only what it shows,
// and the app paints the frames on the window itself (the page only places the picture). It
// also prints how many frames were painted: a figure measured while the video did not really
// show would be worth nothing.
//
// The job is real (made offline by the embedded local agent); its video file is then swapped
// for the 1 GB one, which the player opens by job id like any library file.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, linkSync, readFileSync, renameSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { appBinary, launchApp } from "../driver.mjs";
import { captureDisplay, onScreen, playerState, seekPlayer, waitForPlayer } from "../helpers.mjs";
import { appProcessTree, smapsByMapping } from "./procfs.mjs";

const BIG =
  process.env.BENCH_PLAYBACK_FILE ??
  join(homedir(), ".cache/video-agent-studio/bench/playback-1g.mp4");
const TARGET_MB = 50;
const SMAPS = process.env.BENCH_PLAYBACK_SMAPS === "1";
// BENCH_PLAYBACK_TIMELINE=1: each process's PSS every 2 s while sampling (when it grows).
const TIMELINE = process.env.BENCH_PLAYBACK_TIMELINE === "1";
const pause = (ms) => new Promise((done) => setTimeout(done, ms));

/** A 1 GB (≈ 2 minutes, 640x360 noise at a high bitrate) H.264/AAC MP4, made once and cached. */
function bigVideo() {
  if (existsSync(BIG) && statSync(BIG).size >= 1_000_000_000) return BIG;
  const dir = join(BIG, "..");
  execFileSync("mkdir", ["-p", dir]);
  const seg = join(dir, "segment.mp4");
  // Noise defeats compression, so a few seconds of encoding make ~90 MB; copies are concatenated.
  execFileSync("ffmpeg", [
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=640x360:rate=30,noise=alls=60:allf=t+u",
    "-f",
    "lavfi",
    "-i",
    "sine=frequency=440:sample_rate=48000",
    "-t",
    "10",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-qp",
    "8",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-b:a",
    "128k",
    seg,
  ]);
  const copies = Math.ceil(1_050_000_000 / statSync(seg).size);
  const list = join(dir, "segments.txt");
  execFileSync("sh", [
    "-c",
    `for i in $(seq ${copies}); do echo "file '${seg}'"; done > '${list}'`,
  ]);
  execFileSync("ffmpeg", [
    "-loglevel",
    "error",
    "-y",
    "-f",
    "concat",
    "-safe",
    "0",
    "-i",
    list,
    "-c",
    "copy",
    "-movflags",
    "+faststart",
    BIG,
  ]);
  return BIG;
}

/**
 * With BENCH_PLAYBACK_SMAPS=1: where a process's PSS is, by mapping (file, [heap], anonymous,
 * memfd), the largest first — how the player's growth was located.
 */
function pssByMapping(pid) {
  return Object.entries(smapsByMapping(pid))
    .sort((a, b) => b[1].pss - a[1].pss)
    .slice(0, 12)
    .map(([what, { pss }]) => `${what} ${((pss * 1024) / 1_000_000).toFixed(1)}`)
    .join(", ");
}

/** PSS in bytes per process name (app, WebKitWebProcess, WebKitNetworkProcess, …). */
function appPssByProcess({ mappings = null } = {}) {
  const byName = {};
  for (const { pid, name } of appProcessTree(appBinary())) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      const pss = Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
      byName[name] = (byName[name] ?? 0) + pss;
      if (mappings) mappings[`${name} ${pid}`] = pssByMapping(pid);
    } catch {
      // Exited while we looked.
    }
  }
  return byName;
}

/** Samples PSS every 250 ms until stopped; resolves to the peak and its breakdown. */
function sampler() {
  let peak = 0;
  let peakBy = {};
  let peakMappings = {};
  let samples = 0;
  const started = Date.now();
  const take = () => {
    try {
      const mappings = SMAPS ? {} : null;
      const by = appPssByProcess({ mappings });
      const total = Object.values(by).reduce((a, b) => a + b, 0);
      if (TIMELINE && samples++ % 8 === 0) {
        const each = Object.entries(by).map(([n, b]) => `${n.slice(0, 10)} ${mb(b)}`);
        console.log(
          `playback timeline ${((Date.now() - started) / 1000).toFixed(0)} s: ${each.join(", ")}`,
        );
      }
      if (total > peak) {
        peak = total;
        peakBy = by;
        peakMappings = mappings;
      }
    } catch {
      // The app is between processes; the next sample counts.
    }
  };
  take();
  const timer = setInterval(take, 250);
  return () => {
    clearInterval(timer);
    take();
    return { peak, peakBy, peakMappings };
  };
}

async function openPlayer(browser, row) {
  await row.$('button[aria-label="Play"]').click();
  const opened = await waitForPlayer(
    browser,
    "the video never started playing",
    (p) => p?.ready,
    60_000,
  );
  return opened.duration;
}

const mb = (bytes) => (bytes / 1_000_000).toFixed(1);
const file = bigVideo();
console.error(`playback bench: ${file} (${mb(statSync(file).size)} MB)`);
// The app prints how many frames of each player it painted on the window when the player
// closes: the figure is only worth something if the video was shown while it was measured.
process.env.VAS_PLAYBACK_TRACE = "1";
const app = await launchApp();
try {
  const { browser } = app;
  // A seek is given 25 s (the driver fails any WebDriver call that takes 30 s).
  await browser.setTimeout({ script: 60_000 });
  await onScreen(browser, "welcome", 60_000);
  await browser.$("#try-offline").click();
  await browser.$('[data-testid="offline-banner"]').waitForExist({ timeout: 30_000 });
  await onScreen(browser, "create");
  // The form may render once more as settings arrive: type until the prompt keeps the text.
  const prompt = "A 3-second video about a long river.";
  await browser.waitUntil(
    async () => {
      await browser.$("#prompt").setValue(prompt);
      await pause(500);
      return (await browser.$("#prompt").getValue()) === prompt;
    },
    { timeout: 20_000, timeoutMsg: "the prompt did not keep its text" },
  );
  await browser.$("#generate").click();
  await onScreen(browser, "library", 60_000);
  const row = browser.$('.row[data-state="downloaded"]');
  await row.waitForExist({ timeout: 180_000, timeoutMsg: "no job was downloaded" });
  const jobId = await row.getAttribute("data-job-id");
  const job = await browser.executeAsync((id, done) => {
    window.__TAURI_INTERNALS__.invoke("get_job", { id }).then(done, (e) => done({ error: e }));
  }, jobId);
  if (!job?.videoPath) throw new Error(`job ${jobId} has no video: ${JSON.stringify(job)}`);
  await pause(3_000);
  const beforeMappings = {};
  const beforeBy = appPssByProcess({ mappings: beforeMappings });
  const before = Object.values(beforeBy).reduce((a, b) => a + b, 0);
  // Control: the same player on the job's own 3-second video (player and decoder included).
  let stop = sampler();
  await openPlayer(browser, row);
  await pause(4_000);
  const small = stop();
  await browser.keys("Escape");
  await browser.$('[role="dialog"]').waitForExist({ reverse: true, timeout: 5_000 });
  await pause(2_000);

  // Swap the job's video for the 1 GB file: a hard link (no 1 GB copy; a symlink out of the
  // library folder is refused by the player's lookup, as it should be).
  renameSync(job.videoPath, `${job.videoPath}.small`);
  try {
    linkSync(file, job.videoPath);
  } catch (error) {
    if (error.code !== "EXDEV") throw error;
    // Another file system: a copy (the same bytes; it goes when the temporary home does).
    copyFileSync(file, job.videoPath);
  }
  stop = sampler();
  const openedAt = Date.now();
  const duration = await openPlayer(browser, row);
  await pause(5_000);
  const positions = [0.25, 0.5, 0.75, 0.95, 0.1];
  for (const at of positions) {
    const to = at * duration;
    await seekPlayer(browser, to);
    const reached = await waitForPlayer(
      browser,
      `seeking to ${Math.round(at * 100)}% never finished`,
      (p) => Math.abs(p.position - to) < 1 || p.position > to,
      25_000,
    ).then(
      (p) => p.position,
      () => -1,
    );
    if (reached < 0) throw new Error(`seeking to ${Math.round(at * 100)}% never finished`);
    await pause(3_000);
  }
  const state = await playerState(browser);
  const played = { time: state.position, error: state.error };
  const big = stop();
  const grew = big.peak - before;
  // Closing the player makes the app say how many of its frames it painted.
  const ended = () => [...app.driverOutput().matchAll(/ended after (\d+) frames painted/g)];
  const endedBefore = ended().length;
  await browser.keys("Escape");
  await browser.$('[role="dialog"]').waitForExist({ reverse: true, timeout: 5_000 });
  const shownFor = (Date.now() - openedAt) / 1000;
  await pause(1_000);
  const frames = Number(ended()[endedBefore]?.[1] ?? 0);
  // A 30 fps video, paused only by its seeks: fewer than 10 a second means the window did not
  // really show it, whatever the memory says.
  const framesOk = frames >= 10 * shownFor;
  const ok =
    grew <= TARGET_MB * 1_000_000 && framesOk && !played.error && played.time > 0.05 * duration;
  const byProcess = (peakBy) =>
    Object.entries(peakBy)
      .map(([name, bytes]) => `${name} ${mb(beforeBy[name] ?? 0)} → ${mb(bytes)}`)
      .join(", ");
  const breakdown = byProcess(big.peakBy);
  console.log(
    `playback: ${mb(statSync(file).size)} MB video (${Math.round(duration)} s) played and seeked ` +
      `${positions.length} times: app memory ${mb(before)} MB → peak ${mb(big.peak)} MB, ` +
      `grew ${mb(grew)} MB (target <= ${TARGET_MB} MB) ${ok ? "ok" : "MISS"}` +
      (played.error ? ` (player error ${played.error})` : "") +
      (framesOk ? "" : " (too few frames reached the screen)"),
  );
  console.log(
    `playback: the window painted ${frames} frames in the ${shownFor.toFixed(0)} s the video ` +
      `was open (${(frames / shownFor).toFixed(1)} a second; the video has 30)`,
  );
  console.log(
    `playback: the same player on the job's 3-second video (the app's first play: with the ` +
      `bench's new HOME, GStreamer builds its plugin registry once, in a child process for ` +
      `~0.3 s) peaked at ${mb(small.peak)} MB ` +
      `(grew ${mb(small.peak - before)} MB: ${byProcess(small.peakBy)}); the 1 GB file added ` +
      `${mb(big.peak - small.peak)} MB above that. Peak by process: ${breakdown} (MB)`,
  );
  if (SMAPS) {
    for (const [label, mappings] of [
      ["before", beforeMappings],
      ["3-second video, at its peak", small.peakMappings],
      ["1 GB video, at its peak", big.peakMappings],
    ]) {
      for (const [process, top] of Object.entries(mappings)) {
        console.log(`playback smaps (${label}) ${process}: ${top}`);
      }
    }
  }
} catch (error) {
  // What the app printed (its playback requests too, with VAS_PLAYBACK_TRACE=1) and the screen.
  console.error(app.driverOutput().slice(-6_000));
  try {
    captureDisplay(
      join(import.meta.dirname, "../../../target/e2e-shots/bench-playback-failed.png"),
    );
  } catch {
    // The failure itself is what matters.
  }
  throw error;
} finally {
  const requests = app.driverOutput().match(/^playback: .*$/gm) ?? [];
  if (requests.length > 0) {
    console.error(`playback: ${requests.length} requests answered; the last ones:`);
    console.error(requests.slice(-12).join("\n"));
  }
  await app.stop();
}
