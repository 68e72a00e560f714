//! Reading a user's change request ("Please change the following: make it shorter and warmer")
//! into the edits the offline agent knows how to make. Whatever it cannot map to an edit is kept
//! verbatim in `not_understood`, so the agent can say so instead of narrating the request.

use crate::catalog;

/// A length edit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LengthChange {
    /// "make it 4 seconds"
    Set(f64),
    Shorter,
    Longer,
}

/// The wording styles the planner can write in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Warm,
    Formal,
    Energetic,
    Calm,
}

impl Tone {
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Warm => "warm",
            Tone::Formal => "formal",
            Tone::Energetic => "energetic",
            Tone::Calm => "calm",
        }
    }
}

/// What one change request asks for, as far as the offline agent understands it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChangeRequest {
    pub length: Option<LengthChange>,
    /// `landscape`, `portrait` or `square`.
    pub orientation: Option<&'static str>,
    pub tone: Option<Tone>,
    pub voice_id: Option<&'static str>,
    /// An avatar look id.
    pub avatar_id: Option<&'static str>,
    /// Sentences to add to the narration ("mention that …").
    pub additions: Vec<String>,
    /// Phrases whose sentences should go ("remove the part about …").
    pub removals: Vec<String>,
    /// A new title ("call it …").
    pub title: Option<String>,
    /// Parts of the request the agent could not turn into an edit, as the user wrote them.
    pub not_understood: Vec<String>,
}

impl ChangeRequest {
    /// Did the request ask for anything the agent can do?
    pub fn has_edits(&self) -> bool {
        self.length.is_some()
            || self.orientation.is_some()
            || self.tone.is_some()
            || self.voice_id.is_some()
            || self.avatar_id.is_some()
            || !self.additions.is_empty()
            || !self.removals.is_empty()
            || self.title.is_some()
    }
}

/// Words that carry no request on their own ("please", "make it", "a bit" …).
const FILLER: &[&str] = &[
    // Pointing at something the request body may carry (a voice_id, avatar_id …).
    "use",
    "this",
    "these",
    "voice",
    "narrator",
    "avatar",
    "presenter",
    "please",
    "pls",
    "can",
    "could",
    "would",
    "you",
    "make",
    "it",
    "its",
    "it's",
    "the",
    "video",
    "a",
    "an",
    "bit",
    "little",
    "lot",
    "much",
    "slightly",
    "somewhat",
    "more",
    "less",
    "also",
    "too",
    "just",
    "change",
    "changes",
    "to",
    "be",
    "so",
    "that",
    "thanks",
    "thank",
    "ok",
    "okay",
    "i",
    "i'd",
    "we",
    "want",
    "like",
    "let",
    "lets",
    "there",
    "here",
    "instead",
    "version",
    "one",
    "this",
    "all",
    "really",
    "very",
    "then",
    "following",
    "is",
    "looks",
    "look",
    "good",
    "great",
    "fine",
    "but",
    "and",
    "tone",
    "sound",
    "feel",
    "overall",
    "script",
    "wording",
    "storyboard",
    "now",
    "maybe",
];

/// Verbs that introduce text to add to the narration.
const ADD_VERBS: &[&str] = &[
    "mention that ",
    "mention ",
    "add that ",
    "say that ",
    "include that ",
    "point out that ",
    "explain that ",
    "note that ",
    "add a line that ",
    "add a sentence that ",
    "talk about ",
    "include ",
];

const REMOVE_VERBS: &[&str] = &[
    "don't mention ",
    "do not mention ",
    "remove the part about ",
    "remove the bit about ",
    "remove the mention of ",
    "cut the part about ",
    "drop the part about ",
    "leave out ",
    "remove ",
    "drop ",
];

const TITLE_VERBS: &[&str] = &[
    "call it ",
    "title it ",
    "rename it to ",
    "rename it ",
    "change the title to ",
    "retitle it ",
];

/// Reads one change request.
pub fn interpret(message: &str) -> ChangeRequest {
    let mut req = ChangeRequest::default();
    for sentence in split_sentences(strip_preamble(message)) {
        // Content edits take the rest of the sentence verbatim ("mention X, Y and Z").
        let lower = sentence.to_lowercase();
        let verb = |verbs: &[&str]| {
            verbs
                .iter()
                .filter_map(|v| find_phrase(&lower, v).map(|at| (at, v.len())))
                .min_by_key(|(at, len)| (*at, std::cmp::Reverse(*len)))
        };
        let (head, tail) = if let Some((at, len)) = verb(TITLE_VERBS) {
            let t = clean_phrase(&sentence[at + len..]);
            if !t.is_empty() {
                req.title = Some(t);
            }
            (&sentence[..at], None)
        } else if let Some((at, len)) = verb(REMOVE_VERBS) {
            (&sentence[..at], Some((false, &sentence[at + len..])))
        } else if let Some((at, len)) = verb(ADD_VERBS) {
            (&sentence[..at], Some((true, &sentence[at + len..])))
        } else {
            (sentence.as_str(), None)
        };
        if let Some((add, text)) = tail {
            let phrase = clean_phrase(text);
            if phrase.is_empty() {
                // "mention" with nothing after it: nothing to add.
            } else if !add {
                req.removals.push(strip_articles(&phrase));
            } else if is_statement(&phrase) {
                req.additions.push(as_sentence(&phrase));
            } else {
                // A topic to research is not something the offline agent can write about.
                req.not_understood
                    .push(clean_phrase(&sentence[head.len()..]));
            }
        }
        for clause in split_clauses(head) {
            read_clause(&clause, &mut req);
        }
    }
    req
}

/// "Please change the following: make it shorter" → "make it shorter".
fn strip_preamble(message: &str) -> &str {
    let trimmed = message.trim();
    if let Some((before, after)) = trimmed.split_once(':') {
        let b = before.to_lowercase();
        if [
            "change",
            "following",
            "please",
            "edit",
            "revise",
            "feedback",
        ]
        .iter()
        .any(|w| b.contains(w))
            && !after.trim().is_empty()
        {
            return after.trim();
        }
    }
    trimmed
}

fn split_sentences(text: &str) -> Vec<String> {
    text.split(['.', '!', '?', ';', '\n'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn split_clauses(text: &str) -> Vec<String> {
    let mut out = vec![text.to_string()];
    for sep in [
        ",", " and ", " but ", " also ", " then ", " with ", " plus ",
    ] {
        out = out
            .iter()
            .flat_map(|c| {
                let lower = c.to_lowercase();
                let mut parts = Vec::new();
                let mut last = 0;
                for (at, _) in lower.match_indices(sep) {
                    parts.push(c[last..at].to_string());
                    last = at + sep.len();
                }
                parts.push(c[last..].to_string());
                parts
            })
            .collect();
    }
    out.into_iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

/// Byte offset of `phrase` in `lower` where it starts a word.
fn find_phrase(lower: &str, phrase: &str) -> Option<usize> {
    lower.match_indices(phrase).map(|(at, _)| at).find(|&at| {
        at == 0
            || !lower[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '\'')
    })
}

/// Lower-case words; a possessive "'s" is dropped so "Finn's voice" names Finn.
fn words(lower: &str) -> Vec<String> {
    lower
        .replace('’', "'")
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == ':' || c == '-'))
        .map(|w| w.trim_matches('\''))
        .map(|w| w.strip_suffix("'s").unwrap_or(w))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn has_any(ws: &[String], keys: &[&str]) -> bool {
    ws.iter().any(|w| keys.contains(&w.as_str()))
}

/// The words of a clause that some rule used, and whether any rule applied.
#[derive(Default)]
struct Hits {
    understood: bool,
    used: Vec<&'static str>,
}

impl Hits {
    fn hit(&mut self, hit: bool, keys: &[&'static str]) -> bool {
        if hit {
            self.understood = true;
            self.used.extend_from_slice(keys);
        }
        hit
    }
}

const SHORT: &[&str] = &[
    "shorter", "shorten", "trim", "tighter", "concise", "briefer", "brief", "quicker", "short",
];
const LONG: &[&str] = &["longer", "lengthen", "extend", "expand"];
const SECONDS: &[&str] = &[
    "second", "seconds", "sec", "secs", "s", "minute", "minutes", "min", "long", "length",
];
const PORTRAIT: &[&str] = &[
    "vertical", "portrait", "9:16", "tiktok", "reels", "reel", "shorts", "stories", "upright",
];
const LANDSCAPE: &[&str] = &[
    "horizontal",
    "landscape",
    "widescreen",
    "16:9",
    "youtube",
    "wide",
];
const SQUARE: &[&str] = &["square", "1:1"];
const SHAPE: &[&str] = &["format", "orientation", "aspect", "ratio", "in", "for"];
const WARM: &[&str] = &[
    "warmer",
    "warm",
    "friendlier",
    "friendly",
    "welcoming",
    "cozy",
    "cosy",
    "personal",
    "kinder",
    "heartfelt",
];
const FORMAL: &[&str] = &[
    "formal",
    "professional",
    "serious",
    "corporate",
    "businesslike",
    "polished",
];
const ENERGETIC: &[&str] = &[
    "energetic",
    "exciting",
    "excited",
    "upbeat",
    "punchier",
    "punchy",
    "lively",
    "fun",
    "enthusiastic",
    "dynamic",
    "bolder",
    "hype",
];
const CALM: &[&str] = &[
    "calmer", "calm", "relaxed", "soothing", "gentle", "softer", "quieter",
];
const VOICE_WORDS: &[&str] = &[
    "voice",
    "narrator",
    "narration",
    "narrate",
    "voiced",
    "female",
    "male",
    "woman",
    "man",
    "woman's",
    "man's",
    "british",
    "uk",
    "use",
    "switch",
    "by",
];
const AVATAR_WORDS: &[&str] = &[
    "avatar",
    "presenter",
    "host",
    "use",
    "switch",
    "as",
    "in",
    "outfit",
    "look",
];

fn read_clause(clause: &str, req: &mut ChangeRequest) {
    let lower = clause.to_lowercase();
    let ws = words(&lower);
    let mut hits = Hits::default();

    if let Some(s) = crate::planner::requested_seconds(&lower) {
        req.length = Some(LengthChange::Set(s));
        hits.hit(true, SECONDS);
    } else if hits.hit(has_any(&ws, SHORT), SHORT) {
        req.length = Some(LengthChange::Shorter);
    } else if hits.hit(has_any(&ws, LONG), LONG) {
        req.length = Some(LengthChange::Longer);
    }

    for (shape, keys) in [
        ("portrait", PORTRAIT),
        ("square", SQUARE),
        ("landscape", LANDSCAPE),
    ] {
        if hits.hit(has_any(&ws, keys), SHAPE) {
            hits.used.extend_from_slice(keys);
            req.orientation = Some(shape);
            break;
        }
    }

    for (tone, keys) in [
        (Tone::Warm, WARM),
        (Tone::Formal, FORMAL),
        (Tone::Energetic, ENERGETIC),
        (Tone::Calm, CALM),
    ] {
        if hits.hit(has_any(&ws, keys), keys) {
            req.tone = Some(tone);
        }
    }

    // A voice named in the request, or described ("a British voice", "a male narrator").
    if let Some(v) = catalog::VOICES
        .iter()
        .find(|v| ws.contains(&v.name.to_lowercase()))
    {
        req.voice_id = Some(v.id);
        hits.hit(true, VOICE_WORDS);
        hits.used.push(v.name);
    } else if has_any(
        &ws,
        &["voice", "narrator", "narration", "narrate", "voiced"],
    ) {
        let gender = if has_any(&ws, &["female", "woman", "woman's", "women"]) {
            Some("female")
        } else if has_any(&ws, &["male", "man", "man's", "men"]) {
            Some("male")
        } else {
            None
        };
        let british = has_any(&ws, &["british", "uk"]);
        if let Some(v) = catalog::VOICES.iter().find(|v| {
            v.language == "English"
                && gender.is_none_or(|g| v.gender == g)
                && (!british || v.locale == "en-GB")
                && (gender.is_some() || british)
        }) {
            req.voice_id = Some(v.id);
            hits.hit(true, VOICE_WORDS);
        }
    }

    // A presenter by name: the look whose name shares another word ("Ben in the hoodie"),
    // else the group's first look.
    if let Some(g) = catalog::AVATAR_GROUPS
        .iter()
        .find(|g| ws.contains(&g.name.to_lowercase()))
    {
        let group = g.name.to_lowercase();
        let looks: Vec<&catalog::Look> = catalog::LOOKS
            .iter()
            .filter(|l| l.group_id == g.id && catalog::unavailable_reason(l.id).is_none())
            .collect();
        let look = looks
            .iter()
            .find(|l| {
                l.name
                    .split(['—', ' '])
                    .map(str::to_lowercase)
                    .any(|part| part.len() > 2 && part != group && ws.contains(&part))
            })
            .or(looks.first());
        if let Some(l) = look {
            req.avatar_id = Some(l.id);
            hits.hit(true, AVATAR_WORDS);
            hits.used.push(g.name);
            hits.used.extend(l.name.split(['—', ' ']));
        }
    }

    // Anything besides filler that no rule used makes the clause "noted, not applied".
    let rest = ws.iter().any(|w| {
        !FILLER.contains(&w.as_str())
            && !hits.used.iter().any(|u| u.eq_ignore_ascii_case(w))
            && crate::planner::requested_seconds(w).is_none()
            && !w.chars().all(|c| c.is_ascii_digit() || c == '-')
    });
    if !hits.understood && rest {
        req.not_understood.push(clause.trim().to_string());
    }
}

/// Is this phrase a statement that can be narrated ("matcha is a powdered green tea"), rather
/// than a topic the agent would have to research ("our opening hours")?
fn is_statement(phrase: &str) -> bool {
    const VERBS: &[&str] = &[
        "is", "are", "was", "were", "has", "have", "had", "can", "will", "won't", "makes", "make",
        "offers", "offer", "gives", "give", "opens", "open", "helps", "help", "lets", "uses",
        "runs", "comes", "starts", "costs", "includes", "bakes", "bake", "sells", "sell", "serves",
        "serve", "brings", "keeps", "saves", "save", "works", "love", "loves", "means", "needs",
        "get", "gets", "do", "does", "did", "should", "must", "may", "might", "we're", "it's",
        "they're", "you're", "there's",
    ];
    let ws = words(&phrase.to_lowercase());
    ws.len() >= 3 && ws.iter().any(|w| VERBS.contains(&w.as_str()))
}

fn clean_phrase(text: &str) -> String {
    text.trim()
        .trim_matches(|c: char| c == '"' || c == '\'' || c == '“' || c == '”' || c.is_whitespace())
        .trim_end_matches(['.', ',', ';', ':', '!', '?'])
        .trim()
        .to_string()
}

fn strip_articles(phrase: &str) -> String {
    let lower = phrase.to_lowercase();
    for a in ["the ", "a ", "an ", "any "] {
        if lower.starts_with(a) {
            return phrase[a.len()..].trim().to_string();
        }
    }
    phrase.to_string()
}

/// "matcha is a powdered green tea" → "Matcha is a powdered green tea."
fn as_sentence(phrase: &str) -> String {
    let mut c = phrase.chars();
    let mut s = match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => return String::new(),
    };
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apps_change_prefix_is_not_content() {
        let r = interpret("Please change the following: make it shorter");
        assert_eq!(r.length, Some(LengthChange::Shorter));
        assert!(r.not_understood.is_empty(), "{r:?}");
        assert!(r.additions.is_empty());
        let r = interpret("Please change the following: make it vertical");
        assert_eq!(r.orientation, Some("portrait"));
        assert_eq!(r.length, None);
        assert!(r.not_understood.is_empty(), "{r:?}");
    }

    #[test]
    fn lengths_shapes_and_tones() {
        assert_eq!(
            interpret("Make it a 4-second version, please.").length,
            Some(LengthChange::Set(4.0))
        );
        assert_eq!(interpret("a bit longer").length, Some(LengthChange::Longer));
        assert_eq!(interpret("make it square").orientation, Some("square"));
        assert_eq!(interpret("landscape please").orientation, Some("landscape"));
        assert_eq!(interpret("Make it warmer").tone, Some(Tone::Warm));
        assert_eq!(interpret("more formal").tone, Some(Tone::Formal));
        assert_eq!(interpret("Use a calmer tone").tone, Some(Tone::Calm));
        let r = interpret("shorter and more energetic, and vertical");
        assert_eq!(r.length, Some(LengthChange::Shorter));
        assert_eq!(r.tone, Some(Tone::Energetic));
        assert_eq!(r.orientation, Some("portrait"));
        assert!(r.not_understood.is_empty(), "{r:?}");
    }

    #[test]
    fn voices_and_presenters_by_name() {
        let r = interpret("Use Finn's voice instead");
        assert_eq!(r.voice_id, Some("voice_en_gb_m1"));
        let r = interpret("Switch the presenter to Ben");
        assert!(r.avatar_id.is_some_and(|a| a.starts_with("look_ben")));
        let r = interpret("a female voice please");
        let v = catalog::voice(r.voice_id.unwrap()).unwrap();
        assert_eq!(v.gender, "female");
    }

    #[test]
    fn content_edits_keep_the_users_words() {
        let r = interpret("Make it vertical and mention green tea is rich in antioxidants.");
        assert_eq!(r.orientation, Some("portrait"));
        assert_eq!(r.additions, vec!["Green tea is rich in antioxidants."]);
        let r = interpret("Change it to mention matcha is a powdered green tea.");
        assert_eq!(r.additions, vec!["Matcha is a powdered green tea."]);
        assert!(r.not_understood.is_empty(), "{r:?}");
        let r = interpret("Remove the part about prices.");
        assert_eq!(r.removals, vec!["prices"]);
        let r = interpret("Call it \"Fresh Every Morning\".");
        assert_eq!(r.title.as_deref(), Some("Fresh Every Morning"));
    }

    #[test]
    fn what_cannot_be_done_offline_is_kept_verbatim() {
        let r = interpret("Please change the following: add drone footage of the shop");
        assert!(!r.has_edits(), "{r:?}");
        assert_eq!(r.not_understood, vec!["add drone footage of the shop"]);
        let r = interpret("Mention our opening hours.");
        assert!(r.additions.is_empty());
        assert_eq!(r.not_understood, vec!["Mention our opening hours"]);
        let r = interpret("make it shorter, and use a jazz soundtrack");
        assert_eq!(r.length, Some(LengthChange::Shorter));
        assert_eq!(r.not_understood, vec!["use a jazz soundtrack"]);
        let r = interpret("Looks fine, thanks");
        assert!(!r.has_edits() && r.not_understood.is_empty(), "{r:?}");
        // The reply box sends the voice as voice_id; the words only point at it.
        let r = interpret("Use this voice");
        assert!(!r.has_edits() && r.not_understood.is_empty(), "{r:?}");
    }
}
