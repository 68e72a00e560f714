//! The deterministic planner: a title, a narration script and a storyboard of scenes from the
//! prompt, change requests and attachments. Same input → same storyboard.

use std::collections::{HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use crate::catalog::{self, Typeface};
use crate::changes::{self, ChangeRequest, LengthChange, Tone};

/// Default length when the prompt names none (HeyGen's agent defaults to roughly this).
pub const DEFAULT_SECONDS: f64 = 30.0;
/// espeak-ng at our rate speaks about 2.9 words/s; plan a little less so narration fits.
const WORDS_PER_SECOND: f64 = 2.4;
/// When a video is shortened, the narration already written is kept if it can be spoken at up
/// to this rate (the renderer speeds espeak-ng up to fit; ≈ 200 words a minute stays clear).
const MAX_WORDS_PER_SECOND: f64 = 3.3;
/// "Shorter" stops here: below it a title and one sentence no longer fit.
pub const MIN_SHORTENED_SECONDS: f64 = 2.0;
pub const MIN_SECONDS: f64 = 1.0;
pub const MAX_SECONDS: f64 = 600.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Palette {
    pub bg: String,
    pub fg: String,
    pub accent: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scene {
    pub index: usize,
    pub heading: String,
    /// On-screen text.
    pub text: String,
    pub narration: String,
    pub start: f64,
    pub duration: f64,
    /// An attached image shown in this scene.
    pub image_asset_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Storyboard {
    pub title: String,
    pub orientation: String,
    pub width: u32,
    pub height: u32,
    pub duration: f64,
    pub style_id: String,
    pub voice_id: String,
    pub avatar_id: Option<String>,
    pub palette: Palette,
    pub typeface: String,
    pub scenes: Vec<Scene>,
    pub revision: u32,
    pub notes: Vec<String>,
    /// The wording style asked for in a change request (`warm`, `formal`, `energetic`, `calm`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachmentKind {
    Image,
    Pdf,
    Video,
    Audio,
    Other,
}

#[derive(Debug, Clone)]
pub struct Attachment {
    pub asset_id: String,
    pub name: String,
    pub kind: AttachmentKind,
    /// Extracted text (PDFs).
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct PlanInput<'a> {
    pub prompt: &'a str,
    /// Change requests, oldest first.
    pub revisions: &'a [String],
    pub orientation: Option<&'a str>,
    pub style_id: Option<&'a str>,
    pub voice_id: Option<&'a str>,
    pub avatar_id: Option<&'a str>,
    pub brand_colors: Option<Vec<String>>,
    pub attachments: &'a [Attachment],
}

/// Finds "N-second", "N second(s)", "N sec", "N-minute", "N min" … and returns seconds.
pub fn requested_seconds(text: &str) -> Option<f64> {
    let lower = text.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let mut found = None;
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let num: String = chars[start..i].iter().collect();
            let mut j = i;
            while j < chars.len() && (chars[j] == '-' || chars[j] == ' ') {
                j += 1;
            }
            let word: String = chars[j..]
                .iter()
                .take_while(|c| c.is_alphabetic())
                .collect();
            if let Ok(n) = num.parse::<f64>() {
                if word.starts_with("sec") || word == "s" {
                    found = Some(n);
                } else if word.starts_with("min") {
                    found = Some(n * 60.0);
                }
            }
            if found.is_some() {
                return found;
            }
        }
        i += 1;
    }
    found
}

fn requested_orientation(text: &str) -> Option<&'static str> {
    let lower = text.to_lowercase();
    let has = |w: &[&str]| w.iter().any(|x| lower.contains(x));
    if has(&["portrait", "vertical", "9:16", "tiktok", "reels", "shorts"]) {
        Some("portrait")
    } else if has(&["landscape", "horizontal", "widescreen", "16:9"]) {
        Some("landscape")
    } else if has(&["square video", "1:1"]) {
        Some("square")
    } else {
        None
    }
}

/// Frame size for an orientation (`square` comes from 1:1 styles and change requests).
pub fn frame_size(orientation: &str) -> (u32, u32) {
    match orientation {
        "portrait" => (720, 1280),
        "square" => (720, 720),
        _ => (1280, 720),
    }
}

/// "Shorter": about a third off, at least a second, never below the minimum.
pub fn shortened(seconds: f64) -> f64 {
    if seconds <= MIN_SHORTENED_SECONDS {
        return seconds;
    }
    (seconds * 0.7)
        .round()
        .min(seconds - 1.0)
        .max(MIN_SHORTENED_SECONDS)
}

/// "Longer": about half again, at least a second more.
pub fn lengthened(seconds: f64) -> f64 {
    (seconds * 1.5).round().max(seconds + 1.0).min(MAX_SECONDS)
}

fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c == '\n' || c == '\r' {
            if !cur.trim().is_empty() {
                cur.push(' ');
            }
            continue;
        }
        cur.push(c);
        if matches!(c, '.' | '!' | '?') {
            let s = cur.split_whitespace().collect::<Vec<_>>().join(" ");
            if s.split_whitespace().count() >= 2 {
                out.push(s);
            }
            cur.clear();
        }
    }
    let s = cur.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.split_whitespace().count() >= 2 {
        out.push(s);
    }
    out
}

fn title_case(words: &[&str]) -> String {
    let small = [
        "a", "an", "the", "of", "and", "or", "for", "to", "in", "on", "with", "at", "by",
    ];
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let lw = w.to_lowercase();
            if i > 0 && small.contains(&lw.as_str()) {
                lw
            } else {
                let mut c = w.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                    None => String::new(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words that frame a request rather than name its subject ("Create a short video …").
const FRAMING: &[&str] = &[
    "create",
    "make",
    "generate",
    "produce",
    "write",
    "a",
    "an",
    "the",
    "short",
    "quick",
    "brief",
    "video",
    "videos",
    "clip",
    "explainer",
    "please",
    "me",
    "us",
    "explain",
    "show",
    "introduce",
    "describe",
    "present",
    "announce",
    "film",
    "animation",
    "presentation",
];
/// Words after which the subject starts ("… introducing our bakery").
const SUBJECT_AFTER: &[&str] = &[
    "about",
    "on",
    "explaining",
    "introducing",
    "showing",
    "presenting",
    "announcing",
    "celebrating",
];
/// Where a long subject can be cut so the rest still reads as a title.
const PHRASE_BREAKS: &[&str] = &[
    "and",
    "or",
    "but",
    "with",
    "that",
    "which",
    "who",
    "where",
    "when",
    "while",
    "using",
    "so",
    "because",
    "including",
    "for",
    "to",
    "in",
    "on",
    "by",
    "from",
    "at",
    "of",
];
/// A title does not end on these.
const DANGLING: &[&str] = &[
    "a", "an", "the", "of", "and", "or", "for", "to", "in", "on", "with", "at", "by", "from", "is",
    "are", "our", "your", "my", "their", "its", "that", "which", "who", "how", "why",
];
const TITLE_WORDS: usize = 8;
const TITLE_CHARS: usize = 60;

/// The prompt's subject in the user's own words and case, plus the verb that introduced it
/// ("introducing"), e.g. "A 3-second video introducing our bakery." → (["our", "bakery"],
/// Some("introducing")).
fn subject(prompt: &str) -> (Vec<String>, Option<String>) {
    // A line break ends the first request even without a full stop ("…Studio\nWrite a …").
    let line = prompt
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let first = sentences(line)
        .into_iter()
        .next()
        .unwrap_or_else(|| line.to_string());
    // Punctuation inside the sentence is a phrase boundary, kept as a "|" token.
    let marked: String = first
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' || c == '-' || c == ' ' {
                c.to_string()
            } else if matches!(c, ',' | ':' | ';' | '(' | ')' | '—' | '–' | '"' | '/') {
                " | ".to_string()
            } else {
                " ".to_string()
            }
        })
        .collect();
    let tokens: Vec<&str> = marked.split_whitespace().collect();
    let lower: Vec<String> = tokens.iter().map(|w| w.to_lowercase()).collect();
    let after = SUBJECT_AFTER
        .iter()
        .filter_map(|k| lower.iter().position(|w| w == k).map(|p| (p, *k)))
        .min();
    let start = match after {
        Some((p, _)) => p + 1,
        None => lower
            .iter()
            .position(|w| {
                w != "|"
                    && !FRAMING.contains(&w.as_str())
                    && requested_seconds(w).is_none()
                    && !w.ends_with("second")
                    && !w.ends_with("minute")
            })
            .unwrap_or(0),
    };
    let mut picked: Vec<String> = Vec::new();
    let mut cut = false;
    for (i, w) in tokens.iter().enumerate().skip(start) {
        if *w == "|" {
            if picked.is_empty() {
                continue;
            }
            break;
        }
        // A capitalised instruction mid-text starts the next request ("… Studio Write a …").
        if !picked.is_empty() && w.starts_with(char::is_uppercase) && is_instruction(w) {
            break;
        }
        if picked.len() == TITLE_WORDS {
            cut = i < tokens.len();
            break;
        }
        picked.push(w.to_string());
    }
    if cut {
        // Cut before the last phrase break so the title does not stop mid-phrase.
        if let Some(p) = picked
            .iter()
            .rposition(|w| PHRASE_BREAKS.contains(&w.to_lowercase().as_str()))
            .filter(|p| *p >= 2)
        {
            picked.truncate(p);
        }
    }
    while picked
        .last()
        .is_some_and(|w| DANGLING.contains(&w.to_lowercase().as_str()))
    {
        picked.pop();
    }
    while picked
        .first()
        .is_some_and(|w| ["a", "an", "the"].contains(&w.to_lowercase().as_str()))
        && picked.len() > 1
    {
        picked.remove(0);
    }
    (picked, after.map(|(_, k)| k.to_string()))
}

/// "Create a 45-second explainer about our Q3 product launch." → "Our Q3 Product Launch".
/// Ends on a word boundary that reads as a title (never "… Studio Write a").
pub fn title_from_prompt(prompt: &str) -> String {
    let (words, _) = subject(prompt);
    if words.is_empty() {
        return "Untitled Video".into();
    }
    let mut kept: Vec<&str> = Vec::new();
    let mut len = 0;
    for w in &words {
        let add = w.chars().count() + usize::from(!kept.is_empty());
        if len + add > TITLE_CHARS {
            break;
        }
        len += add;
        kept.push(w);
    }
    while kept.len() > 1
        && kept
            .last()
            .is_some_and(|w| DANGLING.contains(&w.to_lowercase().as_str()))
    {
        kept.pop();
    }
    title_case(&kept)
}

/// The first spoken line: the prompt's own framing when it has one ("Introducing our bakery."),
/// else the title; a tone changes how it opens.
fn opening_line(prompt: &str, title: &str, tone: Option<Tone>) -> String {
    let (words, verb) = subject(prompt);
    let subject = spoken_subject(&words).unwrap_or_else(|| title.to_string());
    match tone {
        Some(Tone::Warm) => format!("Welcome to {subject}."),
        Some(Tone::Formal) => format!("An introduction to {subject}."),
        Some(Tone::Energetic) => format!("Get ready for {subject}!"),
        Some(Tone::Calm) => format!("Let's take a quiet look at {subject}."),
        None => match verb.as_deref() {
            Some(v @ ("introducing" | "presenting" | "announcing" | "celebrating")) => {
                let mut c = v.chars();
                let cap = c
                    .next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str());
                format!("{} {subject}.", cap.unwrap_or_default())
            }
            _ => format!("{title}."),
        },
    }
}

/// Lines for a script whose prompt has nothing to narrate besides its subject, each with the
/// heading its scene gets (the last one also closes scripts that do have content).
fn filler_lines(subject: &str, tone: Option<Tone>) -> Vec<(String, &'static str)> {
    let lines: [&str; 3] = match tone {
        None => [
            "Take a look.",
            "Here is what makes {s} worth knowing.",
            "Thanks for watching.",
        ],
        Some(Tone::Warm) => [
            "We're so glad you're here.",
            "Here is what makes {s} special to us.",
            "Thanks for spending a moment with us.",
        ],
        Some(Tone::Formal) => [
            "Here is a brief overview.",
            "The following covers the essentials of {s}.",
            "Thank you for your attention.",
        ],
        Some(Tone::Energetic) => ["Let's go!", "Here is why {s} stands out!", "See you there!"],
        Some(Tone::Calm) => [
            "Take a moment.",
            "Here is what {s} is about.",
            "Thank you for watching.",
        ],
    };
    let headings = ["At a Glance", "Why It Matters", "Thanks for Watching"];
    lines
        .iter()
        .zip(headings)
        .map(|(l, h)| (l.replace("{s}", subject), h))
        .collect()
}

/// The subject as it reads inside a sentence: "welcome video for Video Agent Studio" →
/// "Video Agent Studio" (the format words name the video, not what it is about).
fn spoken_subject(words: &[String]) -> Option<String> {
    const FORMATS: &[&str] = &[
        "video",
        "intro",
        "introduction",
        "overview",
        "explainer",
        "tutorial",
        "guide",
        "promo",
        "teaser",
        "ad",
        "advert",
        "trailer",
        "clip",
        "message",
        "presentation",
        "walkthrough",
    ];
    const JOINS: &[&str] = &["for", "about", "on", "of", "to"];
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let start = lower
        .windows(2)
        .rposition(|p| FORMATS.contains(&p[0].as_str()) && JOINS.contains(&p[1].as_str()))
        .map(|p| p + 2)
        .unwrap_or(0);
    let rest = &words[start.min(words.len())..];
    (!rest.is_empty()).then(|| rest.join(" "))
}

/// Cuts a sentence to at most `n` words, preferring a clause boundary, never ending on a
/// dangling word.
fn take_words(s: &str, n: usize) -> String {
    let w: Vec<&str> = s.split_whitespace().collect();
    if w.len() <= n {
        return s.to_string();
    }
    let mut kept: Vec<&str> = w[..n].to_vec();
    if let Some(p) = kept
        .iter()
        .rposition(|x| x.ends_with([',', ';', ':']))
        .filter(|p| *p + 1 >= n / 2)
    {
        kept.truncate(p + 1);
    }
    while kept.len() > 1
        && kept.last().is_some_and(|x| {
            DANGLING.contains(
                &x.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
                    .as_str(),
            )
        })
    {
        kept.pop();
    }
    let mut t = kept.join(" ");
    t = t.trim_end_matches([',', ';', ':']).to_string();
    t.push('.');
    t
}

/// A short heading from a scene's first sentence: up to six words, not ending on a filler word.
fn heading_from(body: &str) -> Option<String> {
    let first = sentences(body).into_iter().next()?;
    // A clause boundary ends the heading when it leaves at least two words.
    let clause = first
        .split([',', ';', ':'])
        .next()
        .filter(|c| c.split_whitespace().count() >= 2)
        .unwrap_or(&first);
    let mut w: Vec<&str> = clause
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .take(6)
        .collect();
    let filler = [
        "a", "an", "the", "of", "and", "or", "for", "to", "in", "on", "with", "at", "by", "is",
        "are", "can", "be", "into", "from",
    ];
    while w
        .last()
        .is_some_and(|l| filler.contains(&l.to_lowercase().as_str()))
    {
        w.pop();
    }
    (!w.is_empty()).then(|| title_case(&w))
}

fn is_instruction(sentence: &str) -> bool {
    let first = sentence
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_lowercase();
    [
        "create", "make", "generate", "produce", "use", "include", "please", "write", "keep",
        "add", "show", "put", "mention", "focus",
    ]
    .contains(&first.trim_matches(|c: char| !c.is_alphanumeric()))
}

/// Everything the change requests so far add up to, applied in order (later wins).
struct Edits {
    seconds: f64,
    /// The longest the video has been planned at: narration written for it is kept when the
    /// video is shortened, as long as it can still be spoken in time.
    longest: f64,
    orientation: Option<String>,
    tone: Option<Tone>,
    voice_id: Option<String>,
    avatar_id: Option<String>,
    title: Option<String>,
    /// Latest request first.
    additions: Vec<String>,
    removals: Vec<String>,
}

fn edits(input: &PlanInput<'_>) -> Edits {
    let seconds = requested_seconds(input.prompt)
        .unwrap_or(DEFAULT_SECONDS)
        .clamp(MIN_SECONDS, MAX_SECONDS);
    let mut e = Edits {
        seconds,
        longest: seconds,
        orientation: input.orientation.map(str::to_string),
        tone: None,
        voice_id: input.voice_id.map(str::to_string),
        avatar_id: input.avatar_id.map(str::to_string),
        title: None,
        additions: Vec::new(),
        removals: Vec::new(),
    };
    let requests: Vec<ChangeRequest> = input
        .revisions
        .iter()
        .map(|r| changes::interpret(r))
        .collect();
    for r in &requests {
        e.seconds = match r.length {
            Some(LengthChange::Set(s)) => s.clamp(MIN_SECONDS, MAX_SECONDS),
            Some(LengthChange::Shorter) => shortened(e.seconds),
            Some(LengthChange::Longer) => lengthened(e.seconds),
            None => e.seconds,
        };
        e.longest = e.longest.max(e.seconds);
        if let Some(o) = r.orientation {
            e.orientation = Some(o.to_string());
        }
        e.tone = r.tone.or(e.tone);
        if let Some(v) = r.voice_id {
            e.voice_id = Some(v.to_string());
        }
        if let Some(a) = r.avatar_id {
            e.avatar_id = Some(a.to_string());
        }
        if r.title.is_some() {
            e.title = r.title.clone();
        }
        e.removals.extend(r.removals.iter().cloned());
    }
    for r in requests.iter().rev() {
        e.additions.extend(r.additions.iter().cloned());
    }
    e
}

fn word_count(t: &str) -> usize {
    t.split_whitespace().count()
}

/// Energetic scripts end their statements with an exclamation mark.
fn in_tone(sentence: &str, tone: Option<Tone>) -> String {
    match (tone, sentence.strip_suffix('.')) {
        (Some(Tone::Energetic), Some(stem)) => format!("{stem}!"),
        _ => sentence.to_string(),
    }
}

/// The storyboard for a prompt, its change requests and attachments: the look (style,
/// orientation, palette), what to say within the length, how it splits into scenes, which
/// attachment each scene shows, and the presenter.
pub fn plan(input: &PlanInput<'_>) -> Storyboard {
    let mut notes = Vec::new();
    let e = edits(input);
    let seconds = e.seconds;

    // 1. The look.
    let style = input
        .style_id
        .and_then(catalog::style)
        .or_else(|| catalog::style(catalog::DEFAULT_STYLE))
        .expect("default style exists");
    let orientation = orientation(input, &e, style);
    let (width, height) = frame_size(&orientation);
    let title = e
        .title
        .clone()
        .unwrap_or_else(|| title_from_prompt(input.prompt));

    // 2. What there is to say, and as much of it as fits the length.
    let content = content(input, &e, &mut notes);
    let opening = opening_line(input.prompt, &title, e.tone);
    let budget = WordBudget::new(seconds, e.longest);
    let script = script(input, &e, &content, &opening, &title, &budget);

    // 3. Scenes: about one per six seconds, never more than there are things to say.
    let n = budget.scenes.min(script.units.len().max(1));
    let scene_units = distribute(script.units, n, word_count(&opening));
    let images = visuals(input.attachments, n, &mut notes);
    let scene_len = seconds / n as f64;
    let scenes: Vec<Scene> = scene_units
        .into_iter()
        .enumerate()
        .map(|(i, here)| {
            let mut scene = scene(i, &here, &opening, &title, &script.headings);
            scene.start = i as f64 * scene_len;
            scene.duration = scene_len;
            scene.image_asset_id = images.get(i).map(|a| a.asset_id.clone());
            scene
        })
        .collect();

    Storyboard {
        title,
        avatar_id: Some(presenter(&e, &orientation)),
        orientation,
        width,
        height,
        duration: seconds,
        style_id: style.id.to_string(),
        voice_id: e
            .voice_id
            .as_deref()
            .filter(|v| catalog::voice(v).is_some())
            .unwrap_or(catalog::DEFAULT_VOICE)
            .to_string(),
        palette: palette(style, input.brand_colors.as_deref()),
        typeface: match style.typeface {
            Typeface::Sans => "sans",
            Typeface::Serif => "serif",
            Typeface::Mono => "mono",
            Typeface::Condensed => "condensed",
        }
        .to_string(),
        scenes,
        revision: input.revisions.len() as u32,
        notes,
        tone: e.tone.map(|t| t.as_str().to_string()),
    }
}

/// A change request's orientation, else the style's aspect ratio, else the prompt's wording,
/// else landscape.
fn orientation(input: &PlanInput<'_>, e: &Edits, style: &catalog::Style) -> String {
    e.orientation
        .clone()
        .or_else(|| match style.aspect_ratio {
            Some("9:16") => Some("portrait".to_string()),
            Some("16:9") => Some("landscape".to_string()),
            Some("1:1") => Some("square".to_string()),
            _ => None,
        })
        .or_else(|| requested_orientation(input.prompt).map(str::to_string))
        .unwrap_or_else(|| "landscape".to_string())
}

/// The style's colours; the first brand colour, when given, becomes the accent.
fn palette(style: &catalog::Style, brand_colors: Option<&[String]>) -> Palette {
    let mut palette = Palette {
        bg: style.bg.to_string(),
        fg: style.fg.to_string(),
        accent: style.accent.to_string(),
    };
    if let Some(c) = brand_colors.and_then(|colors| colors.first()) {
        palette.accent = c.trim_start_matches('#').to_string();
    }
    palette
}

/// The sentences there are to say: `base` from the attached documents and the prompt (minus
/// what was asked to be removed), `pool` = what change requests added (latest first) + base.
struct Content {
    base: Vec<String>,
    pool: Vec<String>,
}

fn content(input: &PlanInput<'_>, e: &Edits, notes: &mut Vec<String>) -> Content {
    let mut base: Vec<String> = Vec::new();
    for a in input.attachments {
        if let Some(t) = &a.text {
            base.extend(sentences(t).into_iter().take(40));
        }
        match a.kind {
            AttachmentKind::Video => notes.push(format!(
                "Showed a still from the attached video {} (its motion and sound are not used).",
                a.name
            )),
            AttachmentKind::Audio => {
                notes.push(format!("Used the attached audio {} as reference.", a.name))
            }
            AttachmentKind::Pdf if a.text.is_none() => {
                notes.push(format!("Could not read text from {}.", a.name))
            }
            _ => {}
        }
    }
    // Instructions to the agent ("Create a…", "Use a friendly tone.") are not narration.
    base.extend(
        sentences(input.prompt)
            .into_iter()
            .filter(|s| !is_instruction(s) && requested_seconds(s).is_none()),
    );
    let removals: Vec<String> = e.removals.iter().map(|r| r.to_lowercase()).collect();
    let kept = |s: &String| {
        let l = s.to_lowercase();
        !removals.iter().any(|r| l.contains(r.as_str()))
    };
    base.retain(kept);
    let mut pool: Vec<String> = e.additions.iter().filter(|s| kept(s)).cloned().collect();
    pool.extend(base.iter().cloned());
    Content { base, pool }
}

/// How many words the video can say and how many scenes it gets.
struct WordBudget {
    /// Words in all: fresh narration at a relaxed pace; narration written for a longer version
    /// is kept if it can still be spoken a little faster.
    total: usize,
    /// Words one scene may say at most.
    per_scene: usize,
    /// Scenes by length alone: about one per six seconds, 1 to 12.
    scenes: usize,
}

impl WordBudget {
    fn new(seconds: f64, longest: f64) -> WordBudget {
        let soft = |secs: f64| (secs * WORDS_PER_SECOND).floor() as usize;
        let hard = |secs: f64| (secs * MAX_WORDS_PER_SECOND).floor() as usize;
        let scenes = ((seconds / 6.0).round() as usize).clamp(1, 12);
        WordBudget {
            total: soft(seconds).max(soft(longest).min(hard(seconds))).max(3),
            per_scene: hard(seconds / scenes as f64).max(3),
            scenes,
        }
    }
}

/// The narration after the opening line, as units (sentences), and the headings of filler
/// lines (a scene that starts with one is headed by it).
struct Script {
    units: Vec<String>,
    headings: HashMap<String, &'static str>,
}

fn script(
    input: &PlanInput<'_>,
    e: &Edits,
    content: &Content,
    opening: &str,
    title: &str,
    budget: &WordBudget,
) -> Script {
    let mut used = word_count(opening);
    let mut units: Vec<String> = Vec::new();
    for s in &content.pool {
        let s = take_words(&in_tone(s, e.tone), budget.per_scene);
        if used + word_count(&s) > budget.total {
            if units.is_empty() && used < budget.total {
                // Nothing said yet besides the opening: say the start of it rather than nothing.
                let cut = take_words(&s, budget.total - used);
                used += word_count(&cut);
                units.push(cut);
            }
            break;
        }
        used += word_count(&s);
        units.push(s);
    }
    // Little to say: with nothing but a subject, a few lines about it; otherwise a closing
    // line, while they fit.
    let (subject_words, _) = subject(input.prompt);
    let subject_text = spoken_subject(&subject_words).unwrap_or_else(|| title.to_string());
    let mut headings = HashMap::new();
    if units.len() == content.pool.len() {
        let lines = filler_lines(&subject_text, e.tone);
        let skip = if content.base.is_empty() {
            0
        } else {
            lines.len() - 1
        };
        for (line, heading) in lines.into_iter().skip(skip) {
            if used + word_count(&line) <= budget.total {
                used += word_count(&line);
                headings.insert(line.clone(), heading);
                units.push(line);
            }
        }
    }
    Script { units, headings }
}

/// Splits the units over `n` scenes of about equal word counts (the first scene also speaks
/// the opening line); every scene after the first keeps at least one unit.
fn distribute(units: Vec<String>, n: usize, opening_words: usize) -> Vec<Vec<String>> {
    let total_words: usize = units.iter().map(|u| word_count(u)).sum::<usize>() + opening_words;
    let target = total_words.div_ceil(n);
    let mut queue = VecDeque::from(units);
    let mut scene_units: Vec<Vec<String>> = Vec::with_capacity(n);
    for i in 0..n {
        let mut here: Vec<String> = Vec::new();
        let mut words = if i == 0 { opening_words } else { 0 };
        let scenes_after = n - i - 1;
        while let Some(next) = queue.front() {
            let full = !here.is_empty() && words + word_count(next) > target && i + 1 < n;
            if queue.len() <= scenes_after || full {
                break;
            }
            words += word_count(next);
            here.extend(queue.pop_front());
        }
        scene_units.push(here);
    }
    scene_units
}

/// What the scenes show, in order: attached images first, then a still from each attached
/// video; notes when there are more than scenes.
fn visuals<'a>(
    attachments: &'a [Attachment],
    n: usize,
    notes: &mut Vec<String>,
) -> Vec<&'a Attachment> {
    let of = |kind: AttachmentKind| attachments.iter().filter(move |a| a.kind == kind);
    let images: Vec<&Attachment> = of(AttachmentKind::Image)
        .chain(of(AttachmentKind::Video))
        .collect();
    if images.len() > n {
        notes.push(format!(
            "{} of {} attached images and videos fit into {n} scenes.",
            n,
            images.len()
        ));
    }
    images
}

/// Scene `i`'s words and heading (its timing and image are set by the caller).
fn scene(
    i: usize,
    here: &[String],
    opening: &str,
    title: &str,
    headings: &HashMap<String, &'static str>,
) -> Scene {
    let body = here.join(" ");
    let narration = if i == 0 {
        format!("{opening} {body}").trim().to_string()
    } else {
        body.clone()
    };
    let heading = if i == 0 {
        title.to_string()
    } else if let Some(h) = here.first().and_then(|u| headings.get(u)) {
        h.to_string()
    } else {
        heading_from(&body).unwrap_or_else(|| format!("Part {}", i + 1))
    };
    // On screen: what is said in this scene; the heading already shows the title, so an
    // opening that only speaks the title is not repeated under it.
    let shown = if body.is_empty() || (i == 0 && opening != format!("{title}.")) {
        &narration
    } else {
        &body
    };
    Scene {
        index: i,
        heading,
        text: take_words(shown, 40),
        narration,
        start: 0.0,
        duration: 0.0,
        image_asset_id: None,
    }
}

/// The avatar asked for (when it exists), else a presenter whose look suits the orientation.
fn presenter(e: &Edits, orientation: &str) -> String {
    e.avatar_id
        .as_deref()
        .filter(|a| catalog::look(a).is_some())
        .map(str::to_string)
        .unwrap_or_else(|| {
            catalog::LOOKS
                .iter()
                .find(|l| l.orientation == orientation)
                .unwrap_or(&catalog::LOOKS[0])
                .id
                .to_string()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_found_in_prompts() {
        assert_eq!(
            requested_seconds("Create a 45-second explainer"),
            Some(45.0)
        );
        assert_eq!(requested_seconds("a 4 second clip"), Some(4.0));
        assert_eq!(requested_seconds("make it 2-minute long"), Some(120.0));
        assert_eq!(requested_seconds("about our Q3 launch"), None);
        assert_eq!(requested_seconds("a 5s teaser"), Some(5.0));
    }

    #[test]
    fn titles_come_from_the_subject() {
        assert_eq!(
            title_from_prompt(
                "Create a 45-second explainer about our Q3 product launch. Use a friendly tone."
            ),
            "Our Q3 Product Launch"
        );
        assert_eq!(
            title_from_prompt("Solar panels for beginners"),
            "Solar Panels for Beginners"
        );
        assert_eq!(
            title_from_prompt("A 3-second video introducing our bakery."),
            "Our Bakery"
        );
    }

    #[test]
    fn titles_end_at_a_phrase_boundary() {
        // The next request on a new line, or run on without a full stop, is not in the title.
        assert_eq!(
            title_from_prompt(
                "Create a welcome video for Video Agent Studio\nWrite a friendly intro."
            ),
            "Welcome Video for Video Agent Studio"
        );
        assert_eq!(
            title_from_prompt("Create a welcome video for Video Agent Studio Write a friendly intro for new users"),
            "Welcome Video for Video Agent Studio"
        );
        // Too long for a title: cut before a joining word, never on "a"/"the"/"of".
        assert_eq!(
            title_from_prompt("Explain the benefits of solar power for homeowners in rural areas with long winters"),
            "Benefits of Solar Power for Homeowners"
        );
        assert_eq!(
            title_from_prompt("A video about our new app, which helps teams plan their week"),
            "Our New App"
        );
        for prompt in [
            "Make a 20-second promo about the spring sale at the garden centre and the new seedlings we stock",
            "Generate an explainer on how the immune system fights off a common cold virus in the body",
        ] {
            let t = title_from_prompt(prompt);
            let last = t.split_whitespace().last().unwrap().to_lowercase();
            assert!(!DANGLING.contains(&last.as_str()), "{t}");
            assert!(t.split_whitespace().count() <= TITLE_WORDS && t.len() <= TITLE_CHARS, "{t}");
        }
    }

    fn bakery(revisions: &[String]) -> Storyboard {
        plan(&PlanInput {
            prompt: "A 3-second video introducing our bakery.",
            revisions,
            ..Default::default()
        })
    }

    fn narration(sb: &Storyboard) -> String {
        sb.scenes
            .iter()
            .map(|s| s.narration.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn change_requests_are_applied_not_narrated() {
        let first = bakery(&[]);
        assert_eq!(first.duration, 3.0);
        assert_eq!(narration(&first), "Introducing our bakery. Take a look.");
        assert_eq!(first.scenes[0].text, "Introducing our bakery. Take a look.");
        let shorter = bakery(&["Please change the following: make it shorter".to_string()]);
        assert_eq!(shorter.duration, 2.0);
        assert_eq!(shorter.scenes.iter().map(|s| s.duration).sum::<f64>(), 2.0);
        assert_eq!(narration(&shorter), narration(&first), "narration is kept");
        let vertical = bakery(&[
            "Please change the following: make it shorter".to_string(),
            "Please change the following: make it vertical".to_string(),
        ]);
        assert_eq!(
            (
                vertical.orientation.as_str(),
                vertical.width,
                vertical.height
            ),
            ("portrait", 720, 1280)
        );
        assert_eq!(vertical.duration, 2.0);
        assert_eq!(narration(&vertical), narration(&first));
        for sb in [&shorter, &vertical] {
            let all = serde_json::to_string(sb).unwrap().to_lowercase();
            assert!(
                !all.contains("please") && !all.contains("change the"),
                "{all}"
            );
        }
    }

    #[test]
    fn a_prompt_with_only_a_subject_gets_lines_about_it() {
        let sb = plan(&PlanInput {
            prompt: "Create a welcome video for Video Agent Studio\nWrite a friendly intro.",
            revisions: &["more energetic".to_string()],
            ..Default::default()
        });
        let said = narration(&sb);
        assert!(
            said.starts_with("Get ready for Video Agent Studio!"),
            "{said}"
        );
        assert!(
            said.contains("Here is why Video Agent Studio stands out!"),
            "{said}"
        );
        let headings: Vec<&str> = sb.scenes.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(headings[0], "Welcome Video for Video Agent Studio");
        assert!(headings.contains(&"Why It Matters"), "{headings:?}");
        assert!(!said.to_lowercase().contains("energetic"), "{said}");
    }

    #[test]
    fn headings_stop_at_a_clause() {
        assert_eq!(
            heading_from("You only need a bin, greens, browns and a little patience.").as_deref(),
            Some("You Only Need a Bin")
        );
    }

    #[test]
    fn shorter_and_longer_stay_within_sane_bounds() {
        assert_eq!(shortened(3.0), 2.0);
        assert_eq!(shortened(2.0), 2.0);
        assert_eq!(shortened(30.0), 21.0);
        assert_eq!(lengthened(3.0), 5.0);
        assert_eq!(lengthened(MAX_SECONDS), MAX_SECONDS);
        let longer = bakery(&["a bit longer".to_string()]);
        assert_eq!(longer.duration, 5.0);
        assert!(narration(&longer).starts_with("Introducing our bakery. Take a look."));
    }

    #[test]
    fn tone_voice_square_and_unknown_requests() {
        let warm = bakery(&["Make it warmer and square, with Finn's voice".to_string()]);
        assert_eq!(warm.tone.as_deref(), Some("warm"));
        assert!(
            narration(&warm).starts_with("Welcome to our bakery."),
            "{}",
            narration(&warm)
        );
        assert_eq!((warm.width, warm.height), (720, 720));
        assert_eq!(warm.voice_id, "voice_en_gb_m1");
        let odd = bakery(&["add drone footage of the shop".to_string()]);
        assert_eq!(narration(&odd), narration(&bakery(&[])));
        let removed = plan(&PlanInput {
            prompt:
                "A 12-second video about tea. Green tea has antioxidants. Black tea is oxidised.",
            revisions: &["Remove the part about black tea.".to_string()],
            ..Default::default()
        });
        assert!(
            !narration(&removed).contains("Black tea"),
            "{}",
            narration(&removed)
        );
        assert!(narration(&removed).contains("Green tea has antioxidants."));
    }

    #[test]
    fn plan_is_deterministic_and_fits_the_length() {
        let input = PlanInput {
            prompt:
                "A 30-second video about bees. Bees pollinate crops. Honey is made from nectar.",
            ..Default::default()
        };
        let a = plan(&input);
        assert_eq!(a, plan(&input));
        assert_eq!(a.duration, 30.0);
        // Two things to say and a closing line: three scenes, not five with repeats.
        assert_eq!(a.scenes.len(), 3);
        // Nothing is said twice to fill the time.
        let said: Vec<&str> = a
            .scenes
            .iter()
            .flat_map(|s| s.narration.split_inclusive('.'))
            .map(str::trim)
            .collect();
        let mut unique = said.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(said.len(), unique.len(), "{said:?}");
        let total: f64 = a.scenes.iter().map(|s| s.duration).sum();
        assert!((total - 30.0).abs() < 1e-6);
        assert_eq!((a.width, a.height), (1280, 720));
    }

    #[test]
    fn revisions_change_the_storyboard() {
        let base = PlanInput {
            prompt: "A 12-second video about tea.",
            orientation: Some("landscape"),
            ..Default::default()
        };
        let revs =
            vec!["Make it vertical and mention green tea is rich in antioxidants.".to_string()];
        let revised = plan(&PlanInput {
            revisions: &revs,
            ..base.clone()
        });
        let original = plan(&base);
        assert_ne!(original, revised);
        assert_eq!(revised.orientation, "portrait");
        assert!(revised
            .scenes
            .iter()
            .any(|s| s.narration.contains("antioxidants")));
    }

    #[test]
    fn scenes_speak_whole_sentences_and_headings_do_not_dangle() {
        let sb = plan(&PlanInput {
            prompt: "A 30-second video about solar power. Sunlight knocks electrons loose in silicon cells. Panels last twenty-five years or more. Prices fell by ninety percent in a decade. Rooftop systems can power a whole home.",
            ..Default::default()
        });
        for s in &sb.scenes[1..] {
            assert!(s.narration.ends_with('.'), "{}", s.narration);
            let last = s.heading.split_whitespace().last().unwrap().to_lowercase();
            assert!(
                !["or", "a", "in", "the"].contains(&last.as_str()),
                "{}",
                s.heading
            );
        }
        assert!(sb.scenes.iter().any(|s| s
            .narration
            .contains("Rooftop systems can power a whole home.")));
    }

    #[test]
    fn images_are_placed_in_scenes() {
        let atts = vec![Attachment {
            asset_id: "asset_1".into(),
            name: "chart.png".into(),
            kind: AttachmentKind::Image,
            text: None,
        }];
        let sb = plan(&PlanInput {
            prompt: "A 12-second video about charts.",
            attachments: &atts,
            ..Default::default()
        });
        assert_eq!(sb.scenes[0].image_asset_id.as_deref(), Some("asset_1"));
    }
}
