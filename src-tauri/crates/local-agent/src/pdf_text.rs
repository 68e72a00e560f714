//! Best-effort text extraction from PDFs: inflate `FlateDecode` streams and collect the strings
//! shown by `Tj`/`TJ`/`'`/`"` operators. Enough for slides and simple documents.

use std::io::Read;

pub fn extract(pdf: &[u8]) -> Option<String> {
    let mut out = String::new();
    let mut pos = 0;
    while let Some(rel) = find(&pdf[pos..], b"stream") {
        let mut start = pos + rel + 6;
        if pdf.get(start) == Some(&b'\r') {
            start += 1;
        }
        if pdf.get(start) == Some(&b'\n') {
            start += 1;
        }
        let Some(end_rel) = find(&pdf[start..], b"endstream") else {
            break;
        };
        let raw = &pdf[start..start + end_rel];
        let dict_start = pos.max(start.saturating_sub(400));
        let dict = &pdf[dict_start..start];
        let content = if find(dict, b"FlateDecode").is_some() {
            let mut d = flate2::read::ZlibDecoder::new(raw);
            let mut v = Vec::new();
            match d.read_to_end(&mut v) {
                Ok(_) => v,
                Err(_) if !v.is_empty() => v,
                Err(_) => Vec::new(),
            }
        } else {
            raw.to_vec()
        };
        collect_text(&content, &mut out);
        pos = start + end_rel + 9;
    }
    let text = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads `(...)` string literals inside BT…ET blocks; a `T*`/`Td`/`'` starts a new line.
fn collect_text(content: &[u8], out: &mut String) {
    let mut i = 0;
    let mut in_text = false;
    while i < content.len() {
        let c = content[i];
        if !in_text {
            if content[i..].starts_with(b"BT") {
                in_text = true;
                i += 2;
                continue;
            }
            i += 1;
            continue;
        }
        if content[i..].starts_with(b"ET") {
            in_text = false;
            out.push('\n');
            i += 2;
            continue;
        }
        match c {
            b'(' => {
                let (s, next) = literal(content, i + 1);
                out.push_str(&s);
                i = next;
            }
            b'T' if matches!(content.get(i + 1), Some(b'*') | Some(b'd') | Some(b'D')) => {
                out.push(' ');
                i += 2;
            }
            _ => i += 1,
        }
    }
}

fn literal(content: &[u8], mut i: usize) -> (String, usize) {
    let mut depth = 1;
    let mut s = Vec::new();
    while i < content.len() {
        let c = content[i];
        match c {
            b'\\' => {
                if let Some(&n) = content.get(i + 1) {
                    s.push(match n {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        other => other,
                    });
                }
                i += 2;
                continue;
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return (String::from_utf8_lossy(&s).into_owned(), i + 1);
                }
            }
            _ => {}
        }
        s.push(c);
        i += 1;
    }
    (String::from_utf8_lossy(&s).into_owned(), i)
}

/// A minimal one-page PDF showing `lines` (uncompressed); used by tests and examples.
pub fn minimal_pdf(lines: &[&str]) -> Vec<u8> {
    let mut content = String::from("BT /F1 24 Tf 72 720 Td ");
    for l in lines {
        content.push_str(&format!(
            "({}) Tj T* ",
            l.replace('\\', "\\\\")
                .replace('(', "\\(")
                .replace(')', "\\)")
        ));
    }
    content.push_str("ET");
    let objs = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{}\nendstream", content.len(), content),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{}\nendobj\n", i + 1, o).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_plain_and_deflated_text() {
        let pdf = minimal_pdf(&["Revenue grew 40 percent.", "Launch is in March."]);
        let t = extract(&pdf).unwrap();
        assert!(t.contains("Revenue grew 40 percent."), "{t}");
        assert!(t.contains("Launch is in March."));

        use std::io::Write;
        let body = b"BT (Compressed words here.) Tj ET";
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(body).unwrap();
        let z = enc.finish().unwrap();
        let mut pdf = b"%PDF-1.4\n1 0 obj << /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend_from_slice(&z);
        pdf.extend_from_slice(b"\nendstream endobj\n%%EOF");
        assert_eq!(extract(&pdf).unwrap(), "Compressed words here.");
    }
}
