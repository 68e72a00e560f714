//! How WebKitGTK paints the window on a machine without a GPU.
//!
//! WebKitGTK 2.46+ paints page tiles with Skia, by default on one "GPU" worker thread through
//! OpenGL plus half the cores for the CPU. Without a GPU (a VM, a remote desktop, Xvfb) that
//! OpenGL is Mesa's llvmpipe, which rasterises on the CPU far more slowly than Skia's own CPU
//! path: on a 2-core VM the gallery's first cards reached the screen 346 ms after the click
//! (median of 5; the page's own work was done after 37 ms), and 122 ms with CPU painting on both
//! cores; Settings 230 → 99 ms, the Library 84 → 51 ms. So when there is no GPU render node, the
//! app asks WebKit for CPU painting on every core. With a GPU, WebKit's defaults stay. A user's
//! own `WEBKIT_SKIA_*` settings always win.

use std::path::Path;

/// `WEBKIT_SKIA_ENABLE_CPU_RENDERING`: paint tiles with Skia's CPU rasteriser only.
const CPU_RENDERING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";
/// `WEBKIT_SKIA_CPU_PAINTING_THREADS`: how many threads paint (WebKit accepts 0–8).
const CPU_THREADS: &str = "WEBKIT_SKIA_CPU_PAINTING_THREADS";

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
    // Either variable set by the user means they chose how WebKit paints: keep out of it.
    if !software_gl || is_set(CPU_RENDERING) || is_set(CPU_THREADS) {
        return Vec::new();
    }
    vec![
        (CPU_RENDERING, "1".to_owned()),
        (CPU_THREADS, machine.cores.clamp(1, 8).to_string()),
    ]
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
            vec![(CPU_RENDERING, "1".into()), (CPU_THREADS, "2".into())]
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
        assert_eq!(settings(forced, |_| false).len(), 2);
    }

    #[test]
    fn the_users_own_choice_wins() {
        assert!(settings(NO_GPU, |name| name == CPU_RENDERING).is_empty());
        assert!(settings(NO_GPU, |name| name == CPU_THREADS).is_empty());
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
