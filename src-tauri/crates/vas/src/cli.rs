//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use studio_core::{JobRequest, Orientation};

pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  unexpected error (database, file system, ...)
  2  usage error (bad arguments)
  3  no API key, or the key/keyring did not work (see the message for the fix)
  4  the job ended without a video (failed, stopped or cancelled)
  5  the API or network could not be reached, or kept failing
  6  invalid input (prompt, files, ids; a batch CSV row with a problem)
  7  the batch paused (its cost guard, or the account ran out of credit): `vas batch resume`

Environment: HEYGEN_API_KEY (overrides the keyring), HEYGEN_BASE_URL, HEYGEN_OAUTH_CLIENT_ID,
VAS_DATA_DIR, VAS_LOG.

Every command that lists or shows something takes --json: one JSON document on stdout, the serde
form of the engine's own type (README, \"vas --json\").";

#[derive(Debug, Parser)]
#[command(
    name = "vas",
    version,
    about = "Video Agent Studio on the command line: make videos with HeyGen's Video Agent",
    after_help = EXIT_CODES_HELP
)]
pub struct Cli {
    /// API base URL (default: HeyGen's, or the settings).
    #[arg(long, global = true, env = "HEYGEN_BASE_URL")]
    pub base_url: Option<String>,
    /// Data dir (database, caches); isolates a run.
    #[arg(long, global = true, env = "VAS_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Use an embedded local agent instead of HeyGen (no account needed).
    #[arg(long, global = true)]
    pub offline: bool,
    /// Poll cadence scale (1.0 = HeyGen's 10 s / 30 s / 60 s). For tests and local agents.
    #[arg(long, global = true, env = "VAS_POLL_SCALE", hide = true)]
    pub poll_scale: Option<f64>,
    /// Embedded local agent clock (simulated minutes per second), with --offline or `vas local`.
    #[arg(long, global = true, default_value_t = 60.0, hide = true)]
    pub agent_time_scale: f64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in with HeyGen, or manage the API key in the OS keyring.
    Auth {
        #[command(subcommand)]
        action: AuthAction,
    },
    /// List visual styles.
    Styles {
        #[arg(long)]
        tag: Option<String>,
        /// Fetch every page, not just the first.
        #[arg(long)]
        all: bool,
        /// Print a `CataloguePage` of `Style` as JSON (every page fetched, in one).
        #[arg(long)]
        json: bool,
    },
    /// List avatar looks (their ids are what --avatar takes).
    Avatars {
        /// Print a `CataloguePage` of `AvatarLook` as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List voices.
    Voices {
        /// Print a `CataloguePage` of `Voice` as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Submit a video job.
    Generate {
        /// What the video should be ("A 20-second welcome video for new gym members").
        prompt: String,
        #[command(flatten)]
        options: JobOptions,
        /// Ask the agent not to use or record memory for this session.
        #[arg(long)]
        incognito: bool,
        /// Follow the job until the video is downloaded; the last stdout line is its path.
        #[arg(long)]
        wait: bool,
        /// Folder for this job's files (default: the library folder).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// List jobs, newest first.
    Jobs {
        /// Print the jobs (an array of `Job`) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Resume and follow every unfinished job until done; prints each video's path.
    Watch,
    /// Download (again) a finished job's files; prints the video's path.
    Download {
        /// Job id (a unique prefix is enough).
        id: String,
    },
    /// Stop a job on the server.
    Stop { id: String },
    /// Interactive sessions: start, answer, approve, request changes, show, list.
    Chat {
        #[command(subcommand)]
        action: crate::chat::ChatAction,
    },
    /// Many videos from one CSV: run, status, pause, resume, cancel, retry, export.
    Batch {
        #[command(subcommand)]
        action: crate::batch::BatchAction,
    },
    /// Run a local Video Agent in the foreground and print how to point vas at it.
    Local {
        /// Listen address.
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuthAction {
    /// Store a key (read from stdin, never from the command line).
    Set,
    /// Check the key: prints the account name and credits.
    Test {
        /// Print the `AccountSummary` as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove the stored key.
    Remove,
    /// Sign in with HeyGen in the browser (OAuth); the tokens go to the OS keyring and become
    /// the credential every other command uses.
    Login {
        /// Do not open a browser: print the sign-in URL on a line of its own and wait.
        #[arg(long)]
        no_browser: bool,
        /// Use this OAuth client id (default: HEYGEN_OAUTH_CLIENT_ID or the app's setting).
        #[arg(long, env = "HEYGEN_OAUTH_CLIENT_ID")]
        client_id: Option<String>,
    },
    /// Which credential is in use: "signed in via OAuth as …", "API key …1234" or "not signed in".
    Status {
        /// Print the `AuthStatus` as JSON (never a token or a whole key).
        #[arg(long)]
        json: bool,
    },
    /// Sign out of HeyGen: revoke the tokens and remove them from the keyring.
    Logout,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OrientationArg {
    Landscape,
    Portrait,
}

impl From<OrientationArg> for Orientation {
    fn from(o: OrientationArg) -> Self {
        match o {
            OrientationArg::Landscape => Orientation::Landscape,
            OrientationArg::Portrait => Orientation::Portrait,
        }
    }
}

/// What a new job asks for besides its prompt: shared by `generate` and `chat start`.
#[derive(Debug, Args)]
pub struct JobOptions {
    /// Attach a file (PNG, JPEG, MP4, WebM, MP3, WAV, PDF); repeatable, at most 20.
    #[arg(long = "file", value_name = "PATH")]
    pub files: Vec<PathBuf>,
    #[arg(long)]
    pub style: Option<String>,
    /// An avatar look id.
    #[arg(long)]
    pub avatar: Option<String>,
    #[arg(long)]
    pub voice: Option<String>,
    #[arg(long)]
    pub brand_kit: Option<String>,
    #[arg(long, value_enum)]
    pub orientation: Option<OrientationArg>,
}

impl JobOptions {
    /// A request for `prompt` with these options (other fields at their defaults).
    pub fn request(&self, prompt: &str) -> JobRequest {
        JobRequest {
            prompt: prompt.to_string(),
            files: self.files.clone(),
            style_id: self.style.clone(),
            avatar_id: self.avatar.clone(),
            voice_id: self.voice.clone(),
            brand_kit_id: self.brand_kit.clone(),
            orientation: self.orientation.map(Orientation::from),
            ..Default::default()
        }
    }
}
