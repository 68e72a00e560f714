//! The deterministic planner: a title, a narration script and a storyboard of scenes from the
//! prompt, change requests and attachments. Same input → same storyboard.

use serde::{Deserialize, Serialize};

use crate::catalog::{self, Typeface};

/// Default length when the prompt names none (HeyGen's agent defaults to roughly this).
pub const DEFAULT_SECONDS: f64 = 30.0;
/// espeak-ng at our rate speaks about 2.9 words/s; plan a little less so narration fits.
const WORDS_PER_SECOND: f64 = 2.4;

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
    } else {
        None
    }
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

/// "Create a 45-second explainer about our Q3 product launch." → "Our Q3 Product Launch".
pub fn title_from_prompt(prompt: &str) -> String {
    let first = sentences(prompt)
        .into_iter()
        .next()
        .unwrap_or_else(|| prompt.trim().to_string());
    let clean: String = first
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' || c == '-' || c == ' ' {
                c
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = clean.split_whitespace().collect();
    let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
    let start = ["about", "on", "explaining", "introducing", "showing"]
        .iter()
        .filter_map(|k| lower.iter().position(|w| w == k))
        .min()
        .map(|p| p + 1)
        .unwrap_or_else(|| {
            let filler = [
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
                "video",
                "explainer",
                "please",
                "me",
                "us",
            ];
            lower
                .iter()
                .position(|w| {
                    !filler.contains(&w.as_str())
                        && requested_seconds(w).is_none()
                        && !w.ends_with("second")
                        && !w.ends_with("minute")
                })
                .unwrap_or(0)
        });
    let picked: Vec<&str> = words.iter().skip(start).take(8).copied().collect();
    if picked.is_empty() {
        return "Untitled Video".into();
    }
    let t = title_case(&picked);
    t.chars().take(60).collect()
}

fn take_words(s: &str, n: usize) -> String {
    let w: Vec<&str> = s.split_whitespace().collect();
    if w.len() <= n {
        s.to_string()
    } else {
        let mut t = w[..n].join(" ");
        t = t.trim_end_matches([',', ';', ':']).to_string();
        t.push('.');
        t
    }
}

/// A short heading from a scene's first sentence: up to six words, not ending on a filler word.
fn heading_from(body: &str) -> Option<String> {
    let first = sentences(body).into_iter().next()?;
    let mut w: Vec<&str> = first
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

pub fn plan(input: &PlanInput<'_>) -> Storyboard {
    let mut notes = Vec::new();
    // Length: the prompt, then each change request in order (later wins).
    let mut seconds = requested_seconds(input.prompt).unwrap_or(DEFAULT_SECONDS);
    let mut orientation = input.orientation.map(str::to_string);
    for r in input.revisions {
        if let Some(s) = requested_seconds(r) {
            seconds = s;
        } else {
            let lr = r.to_lowercase();
            if lr.contains("shorter") {
                seconds *= 0.7;
            } else if lr.contains("longer") {
                seconds *= 1.3;
            }
        }
        if let Some(o) = requested_orientation(r) {
            orientation = Some(o.to_string());
        }
    }
    let seconds = seconds.clamp(1.0, 600.0);

    let style = input
        .style_id
        .and_then(catalog::style)
        .or_else(|| catalog::style(catalog::DEFAULT_STYLE))
        .expect("default style exists");
    let orientation = orientation
        .or_else(|| match style.aspect_ratio {
            Some("9:16") => Some("portrait".to_string()),
            Some("16:9") => Some("landscape".to_string()),
            _ => None,
        })
        .or_else(|| requested_orientation(input.prompt).map(str::to_string))
        .unwrap_or_else(|| "landscape".to_string());
    let (width, height) = if orientation == "portrait" {
        (720, 1280)
    } else {
        (1280, 720)
    };

    let mut palette = Palette {
        bg: style.bg.to_string(),
        fg: style.fg.to_string(),
        accent: style.accent.to_string(),
    };
    if let Some(colors) = &input.brand_colors {
        if let Some(c) = colors.first() {
            palette.accent = c.trim_start_matches('#').to_string();
        }
    }

    let title = title_from_prompt(input.prompt);

    // Content pool: latest change requests first, then attached documents, then the prompt.
    let mut pool: Vec<String> = Vec::new();
    for r in input.revisions.iter().rev() {
        pool.extend(sentences(r));
    }
    for a in input.attachments {
        if let Some(t) = &a.text {
            pool.extend(sentences(t).into_iter().take(40));
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
    // Instructions to the agent ("Create a…", "Use a friendly tone.") are not narration, unless
    // the prompt has nothing else to say.
    let content: Vec<String> = sentences(input.prompt)
        .into_iter()
        .filter(|s| !is_instruction(s) && requested_seconds(s).is_none())
        .collect();
    pool.extend(content);
    if pool.is_empty() {
        let subject = title.to_lowercase();
        pool.push(format!("Here is a short look at {subject}."));
        pool.push(format!("Let's explore what makes {subject} worth knowing."));
        pool.push("Here are the key points in a few simple steps.".to_string());
        pool.push("Thanks for watching.".to_string());
    }

    let n = ((seconds / 6.0).round() as usize).clamp(1, 12);
    let scene_len = seconds / n as f64;
    let budget = ((scene_len * WORDS_PER_SECOND).floor() as usize).max(3);
    // Images first, then a still from each attached video.
    let images: Vec<&Attachment> = input
        .attachments
        .iter()
        .filter(|a| a.kind == AttachmentKind::Image)
        .chain(
            input
                .attachments
                .iter()
                .filter(|a| a.kind == AttachmentKind::Video),
        )
        .collect();
    if images.len() > n {
        notes.push(format!(
            "{} of {} attached images and videos fit into {n} scenes.",
            n,
            images.len()
        ));
    }

    let mut cursor = 0usize;
    let mut scenes = Vec::with_capacity(n);
    let count = |t: &str| t.split_whitespace().count();
    for i in 0..n {
        let intro = if i == 0 {
            format!("{title}.")
        } else {
            String::new()
        };
        // Whole sentences while they fit; a sentence is cut only when the scene has nothing yet.
        let mut body = String::new();
        for _ in 0..pool.len() {
            let s = &pool[cursor % pool.len()];
            let used = count(&intro) + count(&body);
            if used + count(s) <= budget {
                body.push_str(s);
                body.push(' ');
                cursor += 1;
            } else if body.is_empty() {
                body.push_str(&take_words(s, budget.saturating_sub(count(&intro)).max(3)));
                cursor += 1;
                break;
            } else {
                break;
            }
        }
        let body = body.trim().to_string();
        let narration = format!("{intro} {body}").trim().to_string();
        let heading = if i == 0 {
            title.clone()
        } else {
            heading_from(&body).unwrap_or_else(|| format!("Part {}", i + 1))
        };
        // On screen: what is said in this scene (without the spoken title on the first).
        let text = take_words(if body.is_empty() { &narration } else { &body }, 40);
        scenes.push(Scene {
            index: i,
            heading,
            text,
            narration,
            start: i as f64 * scene_len,
            duration: scene_len,
            image_asset_id: images.get(i).map(|a| a.asset_id.clone()),
        });
    }

    let avatar_id = Some(
        input
            .avatar_id
            .filter(|a| catalog::look(a).is_some())
            .map(str::to_string)
            .unwrap_or_else(|| {
                // No avatar chosen: the agent picks a presenter whose look suits the orientation.
                catalog::LOOKS
                    .iter()
                    .find(|l| l.orientation == orientation)
                    .unwrap_or(&catalog::LOOKS[0])
                    .id
                    .to_string()
            }),
    );
    Storyboard {
        title,
        orientation,
        width,
        height,
        duration: seconds,
        style_id: style.id.to_string(),
        voice_id: input
            .voice_id
            .filter(|v| catalog::voice(v).is_some())
            .unwrap_or(catalog::DEFAULT_VOICE)
            .to_string(),
        avatar_id,
        palette,
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
    }
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
        assert_eq!(a.scenes.len(), 5);
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
