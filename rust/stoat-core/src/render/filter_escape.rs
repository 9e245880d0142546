//! Escaping text for FFmpeg filter graphs.
//!
//! Text that reaches a `-filter_complex` graph is read twice by FFmpeg, each time with
//! `av_get_token` rules (a backslash takes the next character literally, `'...'` quotes,
//! unescaped whitespace at the ends is trimmed):
//!
//! 1. the graph parser splits the description on `[ ] , ;` (and reads `=` between a filter
//!    and its options), so those, `\` and `'` are escaped at the graph level;
//! 2. each filter then splits its options on `:`, so `:`, `\` and `'` are escaped at the
//!    option level first.
//!
//! [`escape_filter_value`] applies both, option level first. Whitespace is escaped at both
//! levels so that leading and trailing spaces survive trimming. No shell is involved: argv
//! items are passed as they are.
//!
//! NUL cannot reach FFmpeg (C strings end there); the escapers drop it, and callers should
//! reject such text before it gets this far.

/// Characters escaped at the option level.
pub const OPTION_SPECIAL: &[char] = &['\\', '\'', ':'];

/// Characters escaped at the graph level.
pub const GRAPH_SPECIAL: &[char] = &['\\', '\'', '[', ']', ',', ';', '='];

/// What `av_get_token` trims when unescaped.
pub const WHITESPACE: &[char] = &[' ', '\n', '\t', '\r'];

fn escape_with(text: &str, special: &[char]) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c == '\0' {
            continue;
        }
        if special.contains(&c) || WHITESPACE.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes one option value (level 1).
///
/// ```
/// use stoat_core::filter_escape::escape_option_value;
/// assert_eq!(escape_option_value("a:b'c"), r"a\:b\'c");
/// ```
pub fn escape_option_value(text: &str) -> String {
    escape_with(text, OPTION_SPECIAL)
}

/// Escapes text placed in a filter graph description (level 2).
///
/// ```
/// use stoat_core::filter_escape::escape_graph;
/// assert_eq!(escape_graph("[x];y=1,z"), r"\[x\]\;y\=1\,z");
/// ```
pub fn escape_graph(text: &str) -> String {
    escape_with(text, GRAPH_SPECIAL)
}

/// Escapes text used as a filter option value inside a graph: both levels, in FFmpeg's
/// order. Use it for every piece of caller text (file names, titles, overlay text).
///
/// ```
/// use stoat_core::filter_escape::{escape_filter_value, get_token};
/// let escaped = escape_filter_value("It's 10:30, [live]");
/// assert_eq!(escaped, r"It\\\'s\\\ 10\\:30\,\\\ \[live\]");
/// // What FFmpeg reads back, level by level:
/// let (graph_level, rest) = get_token(&escaped, &['[', ']', ',', ';']);
/// assert_eq!(rest, "");
/// let (value, rest) = get_token(&graph_level, &[':']);
/// assert_eq!((value.as_str(), rest), ("It's 10:30, [live]", ""));
/// ```
pub fn escape_filter_value(text: &str) -> String {
    escape_graph(&escape_option_value(text))
}

/// [`escape_filter_value`] as a `Display`, written straight into the graph without an
/// intermediate string.
///
/// ```
/// use stoat_core::filter_escape::{escape_filter_value, Escaped};
/// let text = "It's 10:30, [live]";
/// assert_eq!(Escaped(text).to_string(), escape_filter_value(text));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Escaped<'a>(pub &'a str);

impl Escaped<'_> {
    /// Writes the escaped text to `w` (a `Formatter`, or the graph's `String` directly).
    fn write_to<W: std::fmt::Write>(self, w: &mut W) -> std::fmt::Result {
        let mut plain = 0;
        let text = self.0;
        for (i, c) in text.char_indices() {
            let option = OPTION_SPECIAL.contains(&c) || WHITESPACE.contains(&c);
            let graph = GRAPH_SPECIAL.contains(&c);
            if !(option || graph || c == '\0') {
                continue;
            }
            w.write_str(&text[plain..i])?;
            plain = i + c.len_utf8();
            match c {
                '\0' => {}
                // The option level's escape is itself a backslash, escaped at the graph
                // level: `\\` then the character, escaped again if special there.
                _ if option => {
                    w.write_str("\\\\")?;
                    if GRAPH_SPECIAL.contains(&c) || WHITESPACE.contains(&c) {
                        w.write_char('\\')?;
                    }
                    w.write_char(c)?;
                }
                _ => {
                    w.write_char('\\')?;
                    w.write_char(c)?;
                }
            }
        }
        w.write_str(&text[plain..])
    }
}

impl std::fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.write_to(f)
    }
}

impl super::graph::Put for Escaped<'_> {
    fn put(&self, out: &mut String) {
        let _ = self.write_to(out);
    }
}

/// A model of FFmpeg's `av_get_token`: reads one token from `input` up to the first
/// unescaped character of `term`, honouring backslash escapes and single quotes and
/// trimming unescaped whitespace at both ends. Returns the token and the unread rest
/// (which starts with the terminator, if any). Used to test the escapers.
///
/// ```
/// use stoat_core::filter_escape::get_token;
/// assert_eq!(get_token(r"  a\:b 'c:d' :e", &[':']), ("a:b c:d".to_owned(), ":e"));
/// ```
pub fn get_token<'a>(input: &'a str, term: &[char]) -> (String, &'a str) {
    let mut out = String::new();
    // Length of `out` that must survive trailing-whitespace trimming.
    let mut keep = 0;
    let mut rest = input.trim_start_matches(WHITESPACE);
    loop {
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        if term.contains(&c) {
            break;
        }
        let after = chars.as_str();
        match c {
            '\\' if !after.is_empty() => {
                let mut tail = after.chars();
                if let Some(next) = tail.next() {
                    out.push(next);
                }
                keep = out.len();
                rest = tail.as_str();
            }
            '\'' => {
                // An unclosed quote runs to the end, as in FFmpeg.
                let close = after.find('\'').unwrap_or(after.len());
                out.push_str(&after[..close]);
                if close < after.len() {
                    keep = out.len();
                    rest = &after[close + 1..];
                } else {
                    rest = "";
                }
            }
            other => {
                out.push(other);
                rest = after;
            }
        }
    }
    let trimmed = out[keep..].trim_end_matches(WHITESPACE).len();
    out.truncate(keep + trimmed);
    (out, rest)
}

/// The characters of `escaped` that a parser would read as special: every character of
/// `special` (or whitespace) not taken literally by a preceding backslash. Empty for the
/// output of the escapers.
pub fn unescaped_specials(escaped: &str, special: &[char]) -> Vec<char> {
    let mut found = Vec::new();
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if chars.next().is_none() {
                found.push('\\');
            }
        } else if special.contains(&c) || WHITESPACE.contains(&c) {
            found.push(c);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_trailing_whitespace_follow_ffmpeg() {
        assert_eq!(get_token("'a b' ", &[]), ("a b".to_owned(), ""));
        assert_eq!(get_token(r"a\ ", &[]), ("a ".to_owned(), ""));
        assert_eq!(get_token("'unclosed", &[]), ("unclosed".to_owned(), ""));
        assert_eq!(get_token(r"trailing\", &[]), (r"trailing\".to_owned(), ""));
        assert_eq!(get_token("a,b", &[',']), ("a".to_owned(), ",b"));
    }

    #[test]
    fn drops_nul() {
        assert_eq!(escape_filter_value("a\0b"), "ab");
    }

    #[test]
    fn escapes_edges_of_whitespace() {
        let escaped = escape_filter_value(" x ");
        let (graph, _) = get_token(&escaped, &['[', ']', ',', ';']);
        assert_eq!(get_token(&graph, &[':']).0, " x ");
    }
}
