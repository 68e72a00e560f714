//! What the agent says in the chat: plain sentences a user can follow, whose figures are the
//! storyboard's (and, once rendered, the file's), and which say what a revision changed.

use crate::catalog;
use crate::changes::{self, ChangeRequest, LengthChange};
use crate::planner::Storyboard;

/// "3 s", "2.5 s", "1 min 5 s" — one decimal at most, so 2.02 s of rendered file reads "2 s".
pub fn seconds_text(secs: f64) -> String {
    let tenths = (secs * 10.0).round() / 10.0;
    if tenths >= 60.0 {
        let whole = tenths.round() as u64;
        return match whole % 60 {
            0 => format!("{} min", whole / 60),
            s => format!("{} min {s} s", whole / 60),
        };
    }
    if tenths.fract() == 0.0 {
        format!("{tenths:.0} s")
    } else {
        format!("{tenths:.1} s")
    }
}

fn scenes_text(n: usize) -> String {
    if n == 1 {
        "1 scene".to_string()
    } else {
        format!("{n} scenes")
    }
}

fn voice_name(id: &str) -> String {
    catalog::voice(id)
        .map(|v| v.name.to_string())
        .unwrap_or_else(|| id.to_string())
}

fn look_name(id: &str) -> String {
    catalog::look(id)
        .map(|l| l.name.to_string())
        .unwrap_or_else(|| id.to_string())
}

/// "1 scene, 3 s, landscape, narrated by Aria"
pub fn outline(sb: &Storyboard) -> String {
    format!(
        "{}, {}, {}, narrated by {}",
        scenes_text(sb.scenes.len()),
        seconds_text(sb.duration),
        sb.orientation,
        voice_name(&sb.voice_id)
    )
}

/// The sentences spoken in a storyboard after its opening line (which follows the title and
/// tone, reported on their own), normalised for comparison (case and end marks).
fn spoken(sb: &Storyboard) -> Vec<String> {
    sb.scenes
        .iter()
        .flat_map(|s| s.narration.split_inclusive(['.', '!', '?']))
        .map(normalise)
        .filter(|s| !s.is_empty())
        .skip(1)
        .collect()
}

fn normalise(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// What a change request did to the storyboard, e.g. "Shortened to 2 s (was 3 s); narration
/// kept." Anything it could not do is said plainly, never silently dropped.
pub fn revision_summary(prev: &Storyboard, next: &Storyboard, request: &str) -> String {
    let req: ChangeRequest = changes::interpret(request);
    let mut parts: Vec<String> = Vec::new();

    let (was, now) = (prev.duration, next.duration);
    if (now - was).abs() >= 0.05 {
        let verb = if now < was { "shortened" } else { "lengthened" };
        parts.push(format!(
            "{verb} to {} (was {})",
            seconds_text(now),
            seconds_text(was)
        ));
    } else {
        match req.length {
            Some(LengthChange::Shorter) => parts.push(format!(
                "it is already as short as I can make it ({})",
                seconds_text(now)
            )),
            Some(LengthChange::Longer) => parts.push(format!(
                "it is already as long as I can make it ({})",
                seconds_text(now)
            )),
            Some(LengthChange::Set(_)) => {
                parts.push(format!("it is already {}", seconds_text(now)))
            }
            None => {}
        }
    }
    if next.orientation != prev.orientation {
        parts.push(format!(
            "switched to {} ({}×{})",
            next.orientation, next.width, next.height
        ));
    } else if req.orientation.is_some() {
        parts.push(format!("it is already {}", next.orientation));
    }
    let tone_changed = next.tone != prev.tone;
    if let (true, Some(t)) = (tone_changed, &next.tone) {
        let article = if t.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        parts.push(format!("rewrote the wording in {article} {t} tone"));
    }
    if next.voice_id != prev.voice_id {
        parts.push(format!(
            "the narrator is now {}",
            voice_name(&next.voice_id)
        ));
    }
    // A new presenter chosen for the new orientation is part of "switched to …".
    if next.avatar_id != prev.avatar_id
        && (req.avatar_id.is_some() || next.orientation == prev.orientation)
    {
        if let Some(a) = &next.avatar_id {
            parts.push(format!("the presenter is now {}", look_name(a)));
        }
    }
    if next.title != prev.title {
        parts.push(format!("renamed it “{}”", next.title));
    }

    let (before, after) = (spoken(prev), spoken(next));
    let before_text = before.join(" ");
    let mut explained: Vec<String> = Vec::new();
    for a in &req.additions {
        let n = normalise(a);
        if after.contains(&n) {
            parts.push(format!("added “{a}”"));
        } else {
            parts.push(format!(
                "“{a}” does not fit in {}: ask for a longer video to include it",
                seconds_text(now)
            ));
        }
        explained.push(n);
    }
    for r in &req.removals {
        let key = normalise(r);
        if before_text.contains(&key) {
            parts.push(format!("removed the part about “{r}”"));
            explained.extend(before.iter().filter(|s| s.contains(&key)).cloned());
        } else {
            parts.push(format!("there was nothing about “{r}” to remove"));
        }
    }
    // The rest of the narration: kept, or what had to go to fit.
    if !tone_changed {
        let dropped: Vec<&String> = before
            .iter()
            .filter(|s| !after.contains(s) && !explained.contains(s))
            .collect();
        let added = after
            .iter()
            .filter(|s| !before.contains(s) && !explained.contains(s))
            .count();
        if dropped.is_empty() && added == 0 {
            parts.push(
                if explained.is_empty() {
                    "narration kept"
                } else {
                    "the rest of the narration kept"
                }
                .to_string(),
            );
        } else if !dropped.is_empty() {
            parts.push(format!(
                "narration trimmed to fit ({} of {} sentences kept)",
                before.len() - dropped.len(),
                before.len()
            ));
        } else {
            parts.push(match added {
                1 => "narration extended by 1 sentence".to_string(),
                n => format!("narration extended by {n} sentences"),
            });
        }
    }
    let noted: Vec<String> = req
        .not_understood
        .iter()
        .map(|n| format!("I noted “{n}” but could not apply it offline"))
        .collect();
    let unchanged = prev.duration == next.duration
        && prev.orientation == next.orientation
        && prev.tone == next.tone
        && prev.voice_id == next.voice_id
        && prev.avatar_id == next.avatar_id
        && prev.title == next.title
        && before == after;
    if !req.has_edits() && unchanged {
        // Nothing to apply: say so rather than "narration kept" for a script that is unchanged.
        return match noted.is_empty() {
            true => format!(
                "I could not find a change I can make offline in “{}”, so the script is unchanged.",
                request.trim()
            ),
            false => format!("{}, so the script is unchanged.", noted.join("; ")),
        };
    }
    parts.extend(noted);
    format!("{}.", capitalise(&parts.join("; ")))
}

/// The message that comes with a storyboard draft.
pub fn draft_message(sb: &Storyboard, revision_of: Option<(&Storyboard, &str)>) -> String {
    match revision_of {
        None => format!(
            "Here is the storyboard for “{}”: {}. Approve it to render, or tell me what to change.",
            sb.title,
            outline(sb)
        ),
        Some((prev, request)) => format!(
            "{} Revised storyboard: {}. Approve it to render, or tell me what else to change.",
            revision_summary(prev, sb, request),
            outline(sb)
        ),
    }
}

/// The message when rendering starts: a fresh script, the approved storyboard, or a new
/// version of a finished video.
pub fn render_message(sb: &Storyboard, before: Option<(&Storyboard, Option<&str>)>) -> String {
    match before {
        None => format!(
            "I wrote a script titled “{}”: {}. Rendering it now.",
            sb.title,
            outline(sb)
        ),
        Some((_, None)) => format!(
            "Rendering “{}” as approved: {}. I will tell you when it is ready.",
            sb.title,
            outline(sb)
        ),
        Some((prev, Some(request))) => format!(
            "New version: {} Rendering {} now.",
            revision_summary(prev, sb, request),
            outline(sb)
        ),
    }
}

/// The message when a video is done; `duration` is the rendered file's.
pub fn ready_message(title: &str, duration: f64, sb: &Storyboard) -> String {
    format!(
        "Your video “{title}” is ready: {}, {} {}×{}.",
        seconds_text(duration),
        sb.orientation,
        sb.width,
        sb.height
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::planner::{plan, PlanInput};

    #[test]
    fn seconds_read_like_a_person_would_say_them() {
        assert_eq!(seconds_text(3.0), "3 s");
        assert_eq!(seconds_text(2.021), "2 s");
        assert_eq!(seconds_text(2.5), "2.5 s");
        assert_eq!(seconds_text(65.0), "1 min 5 s");
        assert_eq!(seconds_text(120.0), "2 min");
    }

    fn bakery(revisions: &[String]) -> Storyboard {
        plan(&PlanInput {
            prompt: "A 3-second video introducing our bakery.",
            revisions,
            voice_id: Some("voice_en_us_f1"),
            ..Default::default()
        })
    }

    #[test]
    fn a_shortened_draft_says_so_and_keeps_its_narration() {
        let first = bakery(&[]);
        let req = "Please change the following: make it shorter".to_string();
        let next = bakery(std::slice::from_ref(&req));
        let m = draft_message(&next, Some((&first, &req)));
        assert!(
            m.starts_with("Shortened to 2 s (was 3 s); narration kept."),
            "{m}"
        );
        assert!(
            m.contains("1 scene, 2 s, landscape, narrated by Aria"),
            "{m}"
        );
        assert!(!m.to_lowercase().contains("please change"), "{m}");
    }

    #[test]
    fn what_cannot_be_done_is_acknowledged() {
        let first = bakery(&[]);
        let req = "make it vertical, and add drone footage of the shop".to_string();
        let next = bakery(std::slice::from_ref(&req));
        let m = revision_summary(&first, &next, &req);
        assert!(m.contains("Switched to portrait (720×1280)"), "{m}");
        assert!(
            m.contains("I noted “add drone footage of the shop” but could not apply it offline"),
            "{m}"
        );
        let req = "hmm".to_string();
        let m = revision_summary(&first, &bakery(std::slice::from_ref(&req)), &req);
        assert_eq!(
            m,
            "I noted “hmm” but could not apply it offline, so the script is unchanged."
        );
        let req = "thanks!".to_string();
        let m = revision_summary(&first, &bakery(std::slice::from_ref(&req)), &req);
        assert!(m.starts_with("I could not find a change"), "{m}");
    }

    #[test]
    fn tone_voice_and_orientation_changes_are_named() {
        let first = bakery(&[]);
        let req = "Warmer please, square, and use Finn's voice".to_string();
        let next = bakery(std::slice::from_ref(&req));
        let m = revision_summary(&first, &next, &req);
        assert!(m.contains("; rewrote the wording in a warm tone"), "{m}");
        assert!(m.starts_with("Switched to square (720×720)"), "{m}");
        assert!(m.contains("; the narrator is now Finn"), "{m}");
    }

    #[test]
    fn a_longer_video_says_what_it_added() {
        let prompt = "A 4-second video about tea. Green tea has antioxidants. Black tea is oxidised. Oolong sits in between.";
        let first = plan(&PlanInput {
            prompt,
            ..Default::default()
        });
        let req = "longer".to_string();
        let next = plan(&PlanInput {
            prompt,
            revisions: std::slice::from_ref(&req),
            ..Default::default()
        });
        let m = revision_summary(&first, &next, &req);
        assert!(
            m.starts_with("Lengthened to 6 s (was 4 s); narration extended by"),
            "{m}"
        );
    }

    #[test]
    fn an_override_sent_with_the_message_is_reported() {
        let first = bakery(&[]);
        let req = "Use this voice".to_string();
        let next = plan(&PlanInput {
            prompt: "A 3-second video introducing our bakery.",
            revisions: std::slice::from_ref(&req),
            voice_id: Some("voice_en_us_m1"),
            ..Default::default()
        });
        assert_eq!(
            revision_summary(&first, &next, &req),
            "The narrator is now Blake; narration kept."
        );
    }

    #[test]
    fn ready_message_uses_the_files_length() {
        let sb = bakery(&[]);
        assert_eq!(
            ready_message("Our Bakery", 3.021, &sb),
            "Your video “Our Bakery” is ready: 3 s, landscape 1280×720."
        );
    }
}
