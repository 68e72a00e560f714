//! Reading a batch CSV into a table of strings: UTF-8 with or without a BOM, `,` or `;` as the
//! separator (spreadsheets in many locales save with `;`), quoted fields that may hold newlines.
//! The `csv` crate does the parsing; this file only picks the separator and keeps each record's
//! line number so every problem can be shown where the user will find it.

use crate::error::{CoreError, ErrorCode, Result};

/// A CSV as read: trimmed, lower-cased headers and the records under them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<TableRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// 1-based data row number (the header is row 0), as the preview and `--dry-run` print it.
    pub number: usize,
    /// 1-based line in the file where the record starts.
    pub line: usize,
    pub cells: Vec<String>,
}

impl TableRow {
    /// The cell under `header`, empty when the row is short.
    pub fn get<'a>(&'a self, headers: &[String], header: &str) -> &'a str {
        headers
            .iter()
            .position(|h| h == header)
            .and_then(|i| self.cells.get(i))
            .map(|s| s.as_str())
            .unwrap_or("")
    }
}

/// The separator of the header line: whichever of `;` and `,` appears more often outside quotes
/// (a header such as `prompt;title` has no comma at all; `prompt,title` no semicolon).
fn separator(text: &str) -> u8 {
    let (mut commas, mut semis, mut quoted) = (0usize, 0usize, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => commas += 1,
            ';' if !quoted => semis += 1,
            '\n' if !quoted => break,
            _ => {}
        }
    }
    if semis > commas {
        b';'
    } else {
        b','
    }
}

/// Parse CSV bytes. Not UTF-8, no header, or a malformed record are errors with the line.
pub fn parse(bytes: &[u8]) -> Result<Table> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        CoreError::invalid(
            ErrorCode::CsvNotUtf8,
            Some("file"),
            format!(
                "The file is not UTF-8 text (byte {}); save it as \"CSV UTF-8\"",
                e.valid_up_to() + 1
            ),
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator(text))
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(CoreError::invalid(
            ErrorCode::CsvEmpty,
            Some("file"),
            "The file has no header line (the first line names the columns, e.g. prompt,title)",
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        // A blank line in a spreadsheet export is not a row.
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push(TableRow {
            number: rows.len() + 1,
            line: record.position().map(|p| p.line() as usize).unwrap_or(0),
            cells: record.iter().map(str::to_string).collect(),
        });
    }
    Ok(Table { headers, rows })
}

fn csv_error(e: csv::Error) -> CoreError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    CoreError::invalid(
        ErrorCode::CsvMalformed,
        Some("file"),
        format!("The CSV cannot be read at line {line}: {e}"),
    )
}

/// Fill `{column}` placeholders in `template` from the row (`{{` and `}}` are literal braces).
/// Returns the text and the placeholders that name no column.
pub fn fill_template(template: &str, headers: &[String], row: &TableRow) -> (String, Vec<String>) {
    let mut out = String::with_capacity(template.len());
    let mut unknown = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
        } else if let (true, Some(end)) = (tail.starts_with('{'), tail.find('}')) {
            let name = tail[1..end].trim().to_ascii_lowercase();
            if headers.contains(&name) {
                out.push_str(row.get(headers, &name));
            } else {
                unknown.push(name);
                out.push_str(&tail[..=end]);
            }
            rest = &tail[end + 1..];
        } else {
            out.push_str(&tail[..1]);
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    (out, unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_with_bom_and_quoted_newlines() {
        let csv = "\u{FEFF}Prompt,Title\n\"A video,\nwith two lines\",First\n\nplain,Second\n";
        let t = parse(csv.as_bytes()).unwrap();
        assert_eq!(t.headers, ["prompt", "title"]);
        assert_eq!(t.rows.len(), 2, "the blank line is not a row");
        assert_eq!(t.rows[0].cells[0], "A video,\nwith two lines");
        assert_eq!((t.rows[0].number, t.rows[0].line), (1, 2));
        assert_eq!(t.rows[1].number, 2);
        assert_eq!(t.rows[1].get(&t.headers, "title"), "Second");
    }

    #[test]
    fn semicolon_separated() {
        let csv = "prompt;files;title\n\"Hi, there\";a.png;b.pdf;T\n";
        let t = parse(csv.as_bytes()).unwrap();
        assert_eq!(t.headers, ["prompt", "files", "title"]);
        // An unquoted `;` inside `files` splits the record: the row is longer than the header.
        assert_eq!(t.rows[0].cells[0], "Hi, there");
        let csv = "prompt;files\n\"Hi, there\";\"a.png;b.pdf\"\n";
        let t = parse(csv.as_bytes()).unwrap();
        assert_eq!(t.rows[0].get(&t.headers, "files"), "a.png;b.pdf");
    }

    #[test]
    fn not_utf8_is_an_error() {
        let err = parse(b"prompt\n\xff\xfe\n").unwrap_err();
        assert_eq!(err.code(), "csv_not_utf8");
        assert_eq!(parse(b"").unwrap_err().code(), "csv_empty");
    }

    #[test]
    fn template_placeholders() {
        let t = parse(b"product,price\nLamp,20\n").unwrap();
        let (text, unknown) = fill_template(
            "A {{short}} ad for {product} at {Price} EUR {colour}",
            &t.headers,
            &t.rows[0],
        );
        assert_eq!(text, "A {short} ad for Lamp at 20 EUR {colour}");
        assert_eq!(unknown, ["colour"]);
    }
}
