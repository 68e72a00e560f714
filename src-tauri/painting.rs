//! How WebKitGTK paints the window on a machine without a GPU.
//!
//! WebKitGTK 2.46+ paints page tiles with Skia, by default on one "GPU" worker thread through
//! OpenGL plus half the cores for the CPU, and composites the page's layers with OpenGL on a
//! compositor thread. Without a GPU (a VM, a remote desktop, Xvfb) that OpenGL is Mesa's
//! llvmpipe, which does both on the CPU far more slowly than Skia's own rasteriser and WebKit's
//! non-composited path:
//! - tile painting through llvmpipe: the gallery's first cards reached the screen 346 ms after
//!   the click; with Skia's CPU painting on both cores 122 ms (Settings 230 → 99, Library 84 → 51);
//! - compositing through llvmpipe: the first frame of a screen with content it had not drawn
//!   before waited for LLVM to compile llvmpipe's shaders on the compositor thread (perf: the
//!   compositor in libLLVM, two llvmpipe threads in their JIT code), so the gallery's first open
//!   took 524–545 ms against 112–123 ms for the next ones. Without compositing the page paints
//!   on its main thread: gallery 135–147 ms first open included, Library 37–66 ms, and idle PSS
//!   239 MiB instead of 297 (no GL textures, no llvmpipe arenas).
//!
//! So when there is no GPU render node, the app asks WebKit for CPU painting on every core and
//! for no compositing. With a GPU WebKit's defaults stay. A user's own `WEBKIT_SKIA_*` and
//! `WEBKIT_DISABLE_COMPOSITING_MODE` settings always win (`=0` keeps compositing on).

use std::path::Path;

/// `WEBKIT_SKIA_ENABLE_CPU_RENDERING`: paint tiles with Skia's CPU rasteriser only.
const CPU_RENDERING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";
/// `WEBKIT_SKIA_CPU_PAINTING_THREADS`: how many threads paint (WebKit accepts 0–8).
const CPU_THREADS: &str = "WEBKIT_SKIA_CPU_PAINTING_THREADS";
/// `WEBKIT_DISABLE_COMPOSITING_MODE`: any value but `0` turns accelerated compositing off.
const NO_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// What this machine offers the web view's painting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Machine {
    /// A DRM render node (`/dev/dri/renderD*`) exists, so OpenGL can be a real GPU.
    pub has_render_node: bool,
    /// `LIBGL_ALWAYS_SOFTWARE` asks Mesa for software rendering even with a GPU.
    pub software_gl_forced: bool,
    pub cores: usize,
}

impl Machine {
    pub fn this_one() -> Machine {
        Machine {
            has_render_node: has_render_node(Path::new("/dev/dri")),
            software_gl_forced: std::env::var_os("LIBGL_ALWAYS_SOFTWARE")
                .is_some_and(|v| !v.is_empty() && v != "0" && v != "false"),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

/// The variables to set for `machine`, leaving out any the user set (`is_set`).
pub fn settings(machine: Machine, is_set: impl Fn(&str) -> bool) -> Vec<(&'static str, String)> {
    let software_gl = !machine.has_render_node || machine.software_gl_forced;
    if !software_gl {
        return Vec::new();
    }
    let mut chosen = Vec::new();
    // Either Skia variable set by the user means they chose how WebKit paints tiles.
    if !is_set(CPU_RENDERING) && !is_set(CPU_THREADS) {
        chosen.push((CPU_RENDERING, "1".to_owned()));
        chosen.push((CPU_THREADS, machine.cores.clamp(1, 8).to_string()));
    }
    if !is_set(NO_COMPOSITING) {
        chosen.push((NO_COMPOSITING, "1".to_owned()));
    }
    chosen
}

/// Sets the variables for this machine. Must run before WebKit starts (its processes read them
/// at launch) and before the app starts any thread (the environment is not thread-safe).
pub fn choose_for_this_machine() {
    for (name, value) in settings(Machine::this_one(), |name| std::env::var_os(name).is_some()) {
        std::env::set_var(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_GPU: Machine = Machine {
        has_render_node: false,
        software_gl_forced: false,
        cores: 2,
    };

    #[test]
    fn without_a_gpu_paints_on_the_cpu_with_every_core() {
        assert_eq!(
            settings(NO_GPU, |_| false),
            vec![
                (CPU_RENDERING, "1".into()),
                (CPU_THREADS, "2".into()),
                (NO_COMPOSITING, "1".into())
            ]
        );
        let big = Machine {
            cores: 64,
            ..NO_GPU
        };
        assert_eq!(settings(big, |_| false)[1], (CPU_THREADS, "8".into()));
    }

    #[test]
    fn with_a_gpu_leaves_webkit_alone_unless_software_gl_is_forced() {
        let gpu = Machine {
            has_render_node: true,
            ..NO_GPU
        };
        assert!(settings(gpu, |_| false).is_empty());
        let forced = Machine {
            software_gl_forced: true,
            ..gpu
        };
        assert_eq!(settings(forced, |_| false).len(), 3);
    }

    #[test]
    fn the_users_own_choice_wins() {
        let only_compositing = vec![(NO_COMPOSITING, "1".to_owned())];
        assert_eq!(
            settings(NO_GPU, |name| name == CPU_RENDERING),
            only_compositing
        );
        assert_eq!(
            settings(NO_GPU, |name| name == CPU_THREADS),
            only_compositing
        );
        let chosen = settings(NO_GPU, |name| name == NO_COMPOSITING);
        assert_eq!(chosen.len(), 2);
        assert!(chosen.iter().all(|(name, _)| *name != NO_COMPOSITING));
    }

    #[test]
    fn finds_render_nodes_only() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!has_render_node(&dir.path().join("missing")));
        std::fs::write(dir.path().join("card0"), "").unwrap();
        assert!(!has_render_node(dir.path()));
        std::fs::write(dir.path().join("renderD128"), "").unwrap();
        assert!(has_render_node(dir.path()));
    }
}
