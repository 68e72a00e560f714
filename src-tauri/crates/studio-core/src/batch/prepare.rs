//! Validation of an imported CSV before anything is sent: every problem at its row and column.
//! Pure apart from reading the attached files (their type is sniffed from the bytes, as for a
//! single job); the catalogue names come in as [`Names`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::model::{PreparedRow, RowProblem, KNOWN_COLUMNS};
use super::table::{fill_template, Table, TableRow};
use crate::jobs::validate::{check_file, MAX_FILES, MAX_PROMPT_CHARS};
use crate::jobs::{JobRequest, Mode, Orientation};

/// Catalogue entries a cell may name by id or by name (case-insensitive).
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub styles: Vec<(String, String)>,
    pub avatars: Vec<(String, String)>,
    pub voices: Vec<(String, String)>,
    pub brand_kits: Vec<(String, String)>,
}

impl Names {
    fn list(&self, column: &str) -> &[(String, String)] {
        match column {
            "style" => &self.styles,
            "avatar" => &self.avatars,
            "voice" => &self.voices,
            _ => &self.brand_kits,
        }
    }

    /// The id for a cell: an exact id, else a unique case-insensitive name.
    fn resolve(&self, column: &str, value: &str) -> Result<String, String> {
        let list = self.list(column);
        if let Some((id, _)) = list.iter().find(|(id, _)| id == value) {
            return Ok(id.clone());
        }
        let by_name: Vec<&String> = list
            .iter()
            .filter(|(_, name)| name.trim().eq_ignore_ascii_case(value))
            .map(|(id, _)| id)
            .collect();
        match by_name.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(format!(
                "unknown {} {value:?} (neither an id nor a name in the catalogue)",
                column.replace('_', " ")
            )),
            _ => Err(format!(
                "{value:?} names {} {}s; use the id",
                by_name.len(),
                column.replace('_', " ")
            )),
        }
    }
}

/// The columns a catalogue lookup is needed for, with the values used (to skip fetching a
/// catalogue nobody names).
pub fn named_values(table: &Table, column: &str) -> Vec<String> {
    let mut out: Vec<String> = table
        .rows
        .iter()
        .map(|r| r.get(&table.headers, column).trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Problems of the header and template (row 0).
pub fn header_problems(
    table: &Table,
    template: Option<&str>,
    ignored: &[String],
) -> Vec<RowProblem> {
    let mut problems = Vec::new();
    let placeholders = template.map(placeholders).unwrap_or_default();
    for h in &table.headers {
        let known = KNOWN_COLUMNS.contains(&h.as_str()) || placeholders.contains(h);
        if !known && !ignored.contains(h) {
            problems.push(RowProblem {
                row: 0,
                column: if h.is_empty() {
                    "(empty)".into()
                } else {
                    h.clone()
                },
                code: "unknown_column".into(),
                message: format!(
                    "unknown column {h:?}; known columns are {}",
                    KNOWN_COLUMNS.join(", ")
                ),
            });
        }
    }
    if template.is_none() && !table.headers.iter().any(|h| h == "prompt") {
        problems.push(RowProblem {
            row: 0,
            column: "prompt".into(),
            code: "missing_column".into(),
            message: "the CSV has no prompt column (or give a template)".into(),
        });
    }
    for p in placeholders {
        if !table.headers.contains(&p) {
            problems.push(RowProblem {
                row: 0,
                column: "template".into(),
                code: "unknown_placeholder".into(),
                message: format!("the template's {{{p}}} names no column of the CSV"),
            });
        }
    }
    problems
}

fn placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template.replace("{{", "").replace("}}", "");
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + len].trim().to_ascii_lowercase());
        rest = rest[start + len + 1..].to_string();
    }
    out
}

/// Files already checked in this preview (the same logo on 500 rows is read once).
#[derive(Default)]
pub struct FileChecks(HashMap<PathBuf, Result<(), String>>);

impl FileChecks {
    fn check(&mut self, path: &Path) -> Result<(), String> {
        self.0
            .entry(path.to_path_buf())
            .or_insert_with(|| check_file(path).map(|_| ()).map_err(|e| e.to_string()))
            .clone()
    }
}

/// Validate one row into the request it will send.
pub fn prepare_row(
    headers: &[String],
    row: &TableRow,
    template: Option<&str>,
    csv_dir: &Path,
    names: &Names,
    files: &mut FileChecks,
) -> PreparedRow {
    let cell = |c: &str| row.get(headers, c).trim().to_string();
    let opt = |c: &str| Some(cell(c)).filter(|v| !v.is_empty());
    let mut problems = Vec::new();
    let mut problem = |column: &str, code: &str, message: String| {
        problems.push(RowProblem {
            row: row.number,
            column: column.to_string(),
            code: code.to_string(),
            message,
        })
    };
    let prompt = match template {
        Some(t) => fill_template(t, headers, row).0,
        None => row.get(headers, "prompt").to_string(),
    };
    let n = prompt.chars().count();
    if prompt.trim().is_empty() {
        problem("prompt", "prompt_empty", "the prompt is empty".into());
    } else if n > MAX_PROMPT_CHARS {
        problem(
            "prompt",
            "prompt_too_long",
            format!("the prompt has {n} characters; the limit is {MAX_PROMPT_CHARS}"),
        );
    }
    let mut request = JobRequest {
        prompt,
        ..Default::default()
    };
    match cell("mode").to_ascii_lowercase().as_str() {
        "" | "generate" => {}
        "chat" => request.mode = Mode::Chat,
        other => problem(
            "mode",
            "invalid_mode",
            format!("mode {other:?} is neither generate nor chat"),
        ),
    }
    match cell("orientation").to_ascii_lowercase().as_str() {
        "" => {}
        "landscape" => request.orientation = Some(Orientation::Landscape),
        "portrait" => request.orientation = Some(Orientation::Portrait),
        other => problem(
            "orientation",
            "invalid_orientation",
            format!("orientation {other:?} is neither landscape nor portrait"),
        ),
    }
    for column in ["style", "avatar", "voice", "brand_kit"] {
        let Some(value) = opt(column) else { continue };
        match names.resolve(column, &value) {
            Ok(id) => {
                let slot = match column {
                    "style" => &mut request.style_id,
                    "avatar" => &mut request.avatar_id,
                    "voice" => &mut request.voice_id,
                    _ => &mut request.brand_kit_id,
                };
                *slot = Some(id);
            }
            Err(message) => problem(column, &format!("unknown_{column}"), message),
        }
    }
    let listed: Vec<&str> = row
        .get(headers, "files")
        .split(';')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    if listed.len() > MAX_FILES {
        problem(
            "files",
            "too_many_files",
            format!(
                "{} files listed; at most {MAX_FILES} are allowed",
                listed.len()
            ),
        );
    }
    for name in listed {
        let path = csv_dir.join(name);
        match files.check(&path) {
            Ok(()) => request.files.push(path),
            Err(message) => problem("files", "file_problem", message),
        }
    }
    PreparedRow {
        row: row.number,
        cells: row.cells.clone(),
        skipped: false,
        request,
        title: opt("title"),
        output_name: opt("output_name"),
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::table::parse;

    fn names() -> Names {
        Names {
            styles: vec![
                ("style_cinematic".into(), "Cinematic".into()),
                ("style_retro".into(), "Retro Tech".into()),
            ],
            voices: vec![("voice_1".into(), "Ava".into())],
            ..Default::default()
        }
    }

    const PNG_1X1: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0,
        0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F, 0x15, 0xC4, 0x89,
    ];

    #[test]
    fn every_problem_at_its_row_and_column() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("logo.png"), PNG_1X1).unwrap();
        let long = "x".repeat(MAX_PROMPT_CHARS + 1);
        let many = vec!["logo.png"; MAX_FILES + 1].join(";");
        let csv = format!(
            "prompt,style,voice,files,colour,orientation\n\
             ok,retro tech,Ava,logo.png,,portrait\n\
             bad style,Glossy,,,,\n\
             missing file,,,gone.png,,\n\
             {long},,,,,\n\
             many,,,\"{many}\",,\n\
             sideways,,voice_1,,,diagonal\n"
        );
        let table = parse(csv.as_bytes()).unwrap();
        let header = header_problems(&table, None, &[]);
        assert_eq!(
            header.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            [format!(
                "row 0, column colour: unknown column \"colour\"; known columns are {}",
                KNOWN_COLUMNS.join(", ")
            )]
        );
        let mut checks = FileChecks::default();
        let rows: Vec<PreparedRow> = table
            .rows
            .iter()
            .map(|r| prepare_row(&table.headers, r, None, tmp.path(), &names(), &mut checks))
            .collect();
        let ok = &rows[0];
        assert!(ok.problems.is_empty(), "{:?}", ok.problems);
        assert_eq!(ok.request.style_id.as_deref(), Some("style_retro"));
        assert_eq!(ok.request.voice_id.as_deref(), Some("voice_1"));
        assert_eq!(ok.request.orientation, Some(Orientation::Portrait));
        assert_eq!(ok.request.files, [tmp.path().join("logo.png")]);
        let where_: Vec<(usize, &str, &str)> = rows[1..]
            .iter()
            .flat_map(|r| r.problems.iter())
            .map(|p| (p.row, p.column.as_str(), p.code.as_str()))
            .collect();
        assert_eq!(
            where_,
            [
                (2, "style", "unknown_style"),
                (3, "files", "file_problem"),
                (4, "prompt", "prompt_too_long"),
                (5, "files", "too_many_files"),
                (6, "orientation", "invalid_orientation"),
            ]
        );
        assert!(rows[2].problems[0].message.contains("gone.png"));
    }

    #[test]
    fn template_fills_the_prompt_and_its_columns_are_known() {
        let table = parse(b"product,audience\nLamp,students\n").unwrap();
        let t = Some("A 10-second ad for {product} aimed at {audience}");
        assert!(header_problems(&table, t, &[]).is_empty());
        let row = prepare_row(
            &table.headers,
            &table.rows[0],
            t,
            Path::new("."),
            &Names::default(),
            &mut FileChecks::default(),
        );
        assert_eq!(
            row.request.prompt,
            "A 10-second ad for Lamp aimed at students"
        );
        let problems = header_problems(&table, Some("An ad for {colour}"), &[]);
        let codes: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
        assert_eq!(
            codes,
            ["unknown_column", "unknown_column", "unknown_placeholder"]
        );
        assert!(
            header_problems(&table, None, &["product".into(), "audience".into()])
                .iter()
                .all(|p| p.code == "missing_column")
        );
    }
}
