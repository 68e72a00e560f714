//! The one `Range` form media players send: a single `bytes=` range (RFC 9110 §14.1.2).

/// An inclusive byte range inside a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub end: u64,
}

impl ByteRange {
    pub fn len(&self) -> u64 {
        self.end - self.start + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeError {
    /// Not a form we understand (other units, several ranges): serve the whole file, as RFC
    /// 9110 allows a server to ignore `Range`.
    Ignored,
    /// A well-formed range that lies outside the file: 416.
    Unsatisfiable,
}

/// Parses `header` against a file of `size` bytes. `bytes=a-b`, `bytes=a-` and the suffix form
/// `bytes=-n` are understood; an end past the file is clamped to its last byte.
pub fn parse_range(header: &str, size: u64) -> Result<ByteRange, RangeError> {
    let spec = header
        .trim()
        .strip_prefix("bytes=")
        .ok_or(RangeError::Ignored)?;
    if spec.contains(',') {
        return Err(RangeError::Ignored);
    }
    let (first, last) = spec.split_once('-').ok_or(RangeError::Ignored)?;
    let number = |s: &str| s.trim().parse::<u64>().map_err(|_| RangeError::Ignored);
    let (start, end) = match (first.trim().is_empty(), last.trim().is_empty()) {
        (true, true) => return Err(RangeError::Ignored),
        (true, false) => {
            let suffix = number(last)?;
            if suffix == 0 || size == 0 {
                return Err(RangeError::Unsatisfiable);
            }
            (size.saturating_sub(suffix), size - 1)
        }
        (false, open) => {
            let start = number(first)?;
            let end = if open { u64::MAX } else { number(last)? };
            if end < start {
                return Err(RangeError::Ignored);
            }
            (start, end)
        }
    };
    if start >= size {
        return Err(RangeError::Unsatisfiable);
    }
    Ok(ByteRange {
        start,
        end: end.min(size - 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(start: u64, end: u64) -> Result<ByteRange, RangeError> {
        Ok(ByteRange { start, end })
    }

    #[test]
    fn understands_the_three_forms() {
        assert_eq!(parse_range("bytes=0-99", 1000), ok(0, 99));
        assert_eq!(parse_range("bytes=900-", 1000), ok(900, 999));
        assert_eq!(parse_range("bytes=-100", 1000), ok(900, 999));
        assert_eq!(parse_range("bytes=-5000", 1000), ok(0, 999));
        assert_eq!(parse_range("bytes=10-5000", 1000), ok(10, 999));
    }

    #[test]
    fn refuses_or_ignores_the_rest() {
        assert_eq!(
            parse_range("bytes=1000-", 1000),
            Err(RangeError::Unsatisfiable)
        );
        assert_eq!(
            parse_range("bytes=-0", 1000),
            Err(RangeError::Unsatisfiable)
        );
        assert_eq!(parse_range("bytes=0-1,5-9", 1000), Err(RangeError::Ignored));
        assert_eq!(parse_range("items=0-1", 1000), Err(RangeError::Ignored));
        assert_eq!(parse_range("bytes=9-1", 1000), Err(RangeError::Ignored));
        assert_eq!(parse_range("bytes=a-", 1000), Err(RangeError::Ignored));
    }
}
