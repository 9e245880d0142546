//! Writing a `-filter_complex` graph: labelled pads and linear chains of filters, into one
//! string with no intermediate allocations per filter.
//!
//! A chain is `[in1][in2]filter,filter,...[out]`. [`Graph::chain`] starts one on some
//! pads, [`Chain::filter`] starts the next filter and gives the text to write it into
//! (with [`put!`] and the [`Put`] pieces), [`Chain::join_side`] closes the
//! chain so far on a fresh pad and continues with a filter that also reads another pad
//! (an overlay), and [`Chain::end`] closes it on a fresh pad. A chain that wrote no filter
//! ends as the pad it started on, so no `null` filters are emitted.
//!
//! The graph of a 1,000-clip timeline is about a megabyte, so the hot paths write pieces
//! straight into it ([`Put`]) instead of going through `core::fmt` (a dynamic call per
//! piece, and padding logic for every number).
//!
//! Nothing here escapes text: callers pass caller text through
//! [`super::filter_escape::escape_filter_value`] (or [`super::filter_escape::Escaped`])
//! first.

use std::fmt::{self, Write as _};

use crate::time::Rational;

/// A piece of graph text written straight into it.
pub(crate) trait Put {
    /// Appends the piece to `out`.
    fn put(&self, out: &mut String);
}

/// Appends pieces ([`Put`]) to a `&mut String`: `put!(out, "fps=", fps, ",trim=", n)`.
macro_rules! put {
    ($out:expr, $($piece:expr),+ $(,)?) => {{
        let out: &mut String = $out;
        $( $crate::render::graph::Put::put(&$piece, out); )+
    }};
}
pub(crate) use put;

impl Put for str {
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Put for String {
    fn put(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl<T: Put + ?Sized> Put for &T {
    fn put(&self, out: &mut String) {
        (**self).put(out);
    }
}

impl Put for char {
    fn put(&self, out: &mut String) {
        out.push(*self);
    }
}

/// Writes `count` decimal digits of `v` (all of them when `count` is `None`) backwards
/// into `buf`, ending before index `end`; returns where they start.
fn digits(mut v: u64, count: Option<usize>, buf: &mut [u8], end: usize) -> usize {
    let mut i = end;
    loop {
        i -= 1;
        #[allow(clippy::cast_possible_truncation)]
        let digit = (v % 10) as u8;
        buf[i] = b'0' + digit;
        v /= 10;
        if count.map_or(v == 0, |n| end - i == n) {
            return i;
        }
    }
}

/// `v` in decimal, written at the end of `buf`.
fn u64_text(v: u64, buf: &mut [u8; 20]) -> &str {
    let start = digits(v, None, buf, 20);
    std::str::from_utf8(&buf[start..]).unwrap_or_default()
}

fn put_u64(v: u64, out: &mut String) {
    out.push_str(u64_text(v, &mut [0; 20]));
}

/// Millionths `v` as a decimal (see [`Micro`]), written at the end of `buf`: at most a
/// sign, 14 whole digits, a point and 6 decimals.
fn micro_text(v: i64, buf: &mut [u8; 24]) -> &str {
    let abs = v.unsigned_abs();
    let (whole, mut frac) = (abs / 1_000_000, abs % 1_000_000);
    let mut i = buf.len();
    if frac != 0 {
        let mut count = 6;
        while frac % 10 == 0 {
            frac /= 10;
            count -= 1;
        }
        i = digits(frac, Some(count), buf, i) - 1;
        buf[i] = b'.';
    }
    i = digits(whole, None, buf, i);
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    std::str::from_utf8(&buf[i..]).unwrap_or_default()
}

macro_rules! put_unsigned {
    ($($t:ty),*) => {$(
        impl Put for $t {
            fn put(&self, out: &mut String) {
                put_u64(u64::from(*self), out);
            }
        }
    )*};
}
put_unsigned!(u8, u16, u32, u64);

impl Put for usize {
    fn put(&self, out: &mut String) {
        put_u64(*self as u64, out);
    }
}

impl Put for i64 {
    fn put(&self, out: &mut String) {
        if *self < 0 {
            out.push('-');
        }
        put_u64(self.unsigned_abs(), out);
    }
}

impl Put for i32 {
    fn put(&self, out: &mut String) {
        i64::from(*self).put(out);
    }
}

impl Put for Rational {
    fn put(&self, out: &mut String) {
        put!(out, self.num());
        if self.den() != 1 {
            put!(out, '/', self.den());
        }
    }
}

/// A labelled pad in the graph, written `[v12]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pad {
    kind: char,
    n: u32,
}

impl Put for Pad {
    fn put(&self, out: &mut String) {
        put!(out, '[', self.kind, self.n, ']');
    }
}

impl fmt::Display for Pad {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('[')?;
        f.write_char(self.kind)?;
        f.write_str(u64_text(u64::from(self.n), &mut [0; 20]))?;
        f.write_char(']')
    }
}

/// The graph being written.
#[derive(Debug, Default)]
pub(crate) struct Graph {
    text: String,
    pads: u32,
}

impl Graph {
    /// An empty graph with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            text: String::with_capacity(capacity),
            pads: 0,
        }
    }

    /// A fresh pad; `kind` is `v` for video, `a` for audio (a readability aid only).
    pub(crate) fn pad(&mut self, kind: char) -> Pad {
        self.pads += 1;
        Pad { kind, n: self.pads }
    }

    /// A chain of `kind` (`v` or `a`) reading `inputs` (none for a source filter such as
    /// `color`).
    pub(crate) fn chain(&mut self, kind: char, inputs: &[Pad]) -> Chain<'_> {
        let mut chain = Chain {
            g: self,
            kind,
            pending: [None; 2],
            wrote: false,
        };
        for (slot, pad) in chain.pending.iter_mut().zip(inputs) {
            *slot = Some(*pad);
        }
        debug_assert!(inputs.len() <= 2, "a chain starts on at most two pads");
        chain
    }

    /// A chain reading one input stream of the command line, e.g. `0:v:0`.
    pub(crate) fn input_chain(&mut self, input: usize, stream: &str) -> Chain<'_> {
        put!(&mut self.text, '[', input, ':', stream, ']');
        let kind = if stream.starts_with('a') { 'a' } else { 'v' };
        Chain {
            g: self,
            kind,
            pending: [None; 2],
            wrote: false,
        }
    }

    /// Splits `pad` into `n` copies (`split` or `asplit`).
    pub(crate) fn split(&mut self, pad: Pad, n: usize) -> Vec<Pad> {
        if n <= 1 {
            return vec![pad];
        }
        let filter = if pad.kind == 'a' { "asplit=" } else { "split=" };
        put!(&mut self.text, pad, filter, n);
        let pads: Vec<Pad> = (0..n).map(|_| self.pad(pad.kind)).collect();
        for p in &pads {
            p.put(&mut self.text);
        }
        self.text.push(';');
        pads
    }

    /// The text, for a complete statement written as it is (`...[out];` included).
    pub(crate) fn raw(&mut self) -> &mut String {
        &mut self.text
    }

    /// The graph text, without the trailing separator.
    pub(crate) fn finish(mut self) -> String {
        if self.text.ends_with(';') {
            self.text.pop();
        }
        self.text
    }
}

/// A chain being written; see the module docs.
pub(crate) struct Chain<'g> {
    g: &'g mut Graph,
    /// `v` or `a`.
    kind: char,
    /// Input pads not yet written (written with the first filter).
    pending: [Option<Pad>; 2],
    /// Whether a filter has been written.
    wrote: bool,
}

impl Chain<'_> {
    /// Starts the next filter and gives the text to write it into (`name=args`, written
    /// by the caller with [`put!`]).
    pub(crate) fn filter(&mut self) -> &mut String {
        for pad in self.pending.iter_mut().filter_map(Option::take) {
            pad.put(&mut self.g.text);
        }
        if self.wrote {
            self.g.text.push(',');
        }
        self.wrote = true;
        &mut self.g.text
    }

    /// Appends one filter (`name=args`, written by the caller with `format_args!`).
    pub(crate) fn f(&mut self, args: fmt::Arguments<'_>) -> &mut Self {
        let _ = self.filter().write_fmt(args);
        self
    }

    /// Appends a filter given as plain text.
    pub(crate) fn s(&mut self, filter: &str) -> &mut Self {
        self.filter().push_str(filter);
        self
    }

    /// Closes the chain so far on a pad and continues with a filter that also reads the
    /// pad `side` writes (statements of its own, written where the chain is closed), its
    /// name and arguments written by `args`; with `under`, the other input comes first
    /// (the chain so far is overlaid on it).
    pub(crate) fn join_side(
        &mut self,
        under: bool,
        side: impl FnOnce(&mut Graph) -> Pad,
        args: impl FnOnce(&mut String),
    ) -> &mut Self {
        let first = self.close();
        let other = side(self.g);
        let text = &mut self.g.text;
        if under {
            put!(text, other, first);
        } else {
            put!(text, first, other);
        }
        args(text);
        self.wrote = true;
        self
    }

    /// Closes the chain so far on a pad, lets `side` write statements that read it, and
    /// continues with `args`, a filter reading the pads `side` returns, in order.
    pub(crate) fn detour(
        &mut self,
        side: impl FnOnce(&mut Graph, Pad) -> Vec<Pad>,
        args: &str,
    ) -> &mut Self {
        let first = self.close();
        let pads = side(self.g, first);
        for pad in pads {
            pad.put(&mut self.g.text);
        }
        self.g.text.push_str(args);
        self.wrote = true;
        self
    }

    /// Ends the chain on the pad that carries its output, so far, and starts writing
    /// after it (used by [`Chain::join_side`] and [`Chain::detour`]).
    fn close(&mut self) -> Pad {
        let kind = self.kind;
        if !self.wrote {
            if let [Some(pad), None] = self.pending {
                self.pending = [None; 2];
                return pad;
            }
            self.s(if kind == 'a' { "anull" } else { "null" });
        }
        let pad = self.g.pad(kind);
        put!(&mut self.g.text, pad, ';');
        self.wrote = false;
        pad
    }

    /// Ends the chain on a fresh pad (or on its input pad if it wrote nothing).
    pub(crate) fn end(mut self) -> Pad {
        self.close()
    }
}

/// A number for a filter argument: rounded to six decimals, no exponent, no trailing
/// zeros (written with integer arithmetic: this is on the hot path of big graphs).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Num(pub f64);

impl Num {
    fn micros(self) -> Micro {
        let v = if self.0.is_finite() { self.0 } else { 0.0 };
        #[allow(clippy::cast_possible_truncation)]
        let micros = (v * 1e6).round().clamp(-9.0e18, 9.0e18) as i64;
        Micro(micros)
    }
}

impl Put for Num {
    fn put(&self, out: &mut String) {
        self.micros().put(out);
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.micros(), f)
    }
}

/// Millionths as a decimal: `1500000` is `1.5` (times in seconds from microseconds).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Micro(pub i64);

impl Put for Micro {
    fn put(&self, out: &mut String) {
        out.push_str(micro_text(self.0, &mut [0; 24]));
    }
}

impl fmt::Display for Micro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(micro_text(self.0, &mut [0; 24]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_and_joins() {
        let mut g = Graph::default();
        let a = g.pad('v');
        let b = g.pad('v');
        let mut c = g.chain('v', &[a]);
        c.s("scale=2:2")
            .join_side(false, |_| b, |out| out.push_str("overlay"));
        let out = c.end();
        let mut empty = g.chain('v', &[out]);
        put!(empty.filter(), "fps=", 30_u32);
        let last = empty.end();
        assert_eq!(last.to_string(), "[v5]");
        assert_eq!(
            g.finish(),
            "[v1]scale=2:2[v3];[v3][v2]overlay[v4];[v4]fps=30[v5]"
        );
    }

    #[test]
    fn an_empty_chain_is_its_input() {
        let mut g = Graph::default();
        let a = g.pad('a');
        assert_eq!(g.chain('a', &[a]).end(), a);
        assert_eq!(g.finish(), "");
    }

    #[test]
    fn numbers_are_short_and_plain() {
        assert_eq!(Num(0.5).to_string(), "0.5");
        assert_eq!(Num(2.0).to_string(), "2");
        assert_eq!(Num(-0.000_000_1).to_string(), "0");
        assert_eq!(Num(0.000_01).to_string(), "0.00001");
        assert_eq!(Micro(-1_050_000).to_string(), "-1.05");
        assert_eq!(Micro(33_367).to_string(), "0.033367");
        assert_eq!(Num(1.0 / 3.0).to_string(), "0.333333");
        assert_eq!(Num(f64::NAN).to_string(), "0");
        assert_eq!(Num(-12.25).to_string(), "-12.25");
    }

    fn text_of(piece: &impl Put) -> String {
        let mut s = String::new();
        piece.put(&mut s);
        s
    }

    #[test]
    fn pieces_match_their_display() {
        for v in [
            0_i64,
            7,
            -7,
            10,
            1_000_000,
            -33_367,
            120_000_000_000,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(text_of(&v), v.to_string());
            assert_eq!(text_of(&Micro(v)), crate::time::format_seconds(v));
            assert_eq!(Micro(v).to_string(), crate::time::format_seconds(v));
        }
        assert_eq!(text_of(&u64::MAX), u64::MAX.to_string());
        let ntsc: Rational = "30000/1001".parse().unwrap();
        assert_eq!(text_of(&ntsc), ntsc.to_string());
        let pal: Rational = "25".parse().unwrap();
        assert_eq!(text_of(&pal), "25");
    }
}
