//! Writing a `-filter_complex` graph: labelled pads and linear chains of filters, into one
//! string with no intermediate allocations per filter.
//!
//! A chain is `[in1][in2]filter,filter,...[out]`. [`Graph::chain`] starts one on some
//! pads, [`Chain::f`] appends a filter, [`Chain::join_side`] closes the chain so far on a fresh
//! pad and continues with a filter that also reads another pad (an overlay), and
//! [`Chain::end`] closes it on a fresh pad. A chain that wrote no filter ends as the pad it
//! started on, so no `null` filters are emitted.
//!
//! Nothing here escapes text: callers pass caller text through
//! [`super::filter_escape::escape_filter_value`] first.

use std::fmt::{self, Write as _};

/// A labelled pad in the graph, written `[v12]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pad {
    kind: char,
    n: u32,
}

impl fmt::Display for Pad {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}{}]", self.kind, self.n)
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
        let _ = write!(self.text, "[{input}:{stream}]");
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
        let filter = if pad.kind == 'a' { "asplit" } else { "split" };
        let _ = write!(self.text, "{pad}{filter}={n}");
        let pads: Vec<Pad> = (0..n).map(|_| self.pad(pad.kind)).collect();
        for p in &pads {
            let _ = write!(self.text, "{p}");
        }
        self.text.push(';');
        pads
    }

    /// Writes a complete statement as it is (`...[out];` included).
    pub(crate) fn raw(&mut self, args: fmt::Arguments<'_>) {
        let _ = self.text.write_fmt(args);
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
    fn flush_inputs(&mut self) {
        for pad in self.pending.iter_mut().filter_map(Option::take) {
            let _ = write!(self.g.text, "{pad}");
        }
    }

    /// Appends one filter (`name=args`, written by the caller).
    pub(crate) fn f(&mut self, args: fmt::Arguments<'_>) -> &mut Self {
        self.flush_inputs();
        if self.wrote {
            self.g.text.push(',');
        }
        let _ = self.g.text.write_fmt(args);
        self.wrote = true;
        self
    }

    /// Appends a filter given as plain text.
    pub(crate) fn s(&mut self, filter: &str) -> &mut Self {
        self.f(format_args!("{filter}"))
    }

    /// Closes the chain so far on a pad and continues with `args`, a filter that also
    /// reads the pad `side` writes (statements of its
    /// own, written where the chain is closed) instead of given; with `under`, the other
    /// input comes first (the chain so far is overlaid on it).
    pub(crate) fn join_side(
        &mut self,
        under: bool,
        side: impl FnOnce(&mut Graph) -> Pad,
        args: fmt::Arguments<'_>,
    ) -> &mut Self {
        let first = self.close();
        let other = side(self.g);
        if under {
            let _ = write!(self.g.text, "{other}{first}");
        } else {
            let _ = write!(self.g.text, "{first}{other}");
        }
        let _ = self.g.text.write_fmt(args);
        self.wrote = true;
        self
    }

    /// Closes the chain so far on a pad, lets `side` write statements that read it, and
    /// continues with `args`, a filter reading the pads `side` returns, in order.
    pub(crate) fn detour(
        &mut self,
        side: impl FnOnce(&mut Graph, Pad) -> Vec<Pad>,
        args: fmt::Arguments<'_>,
    ) -> &mut Self {
        let first = self.close();
        let pads = side(self.g, first);
        for pad in pads {
            let _ = write!(self.g.text, "{pad}");
        }
        let _ = self.g.text.write_fmt(args);
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
        let _ = write!(self.g.text, "{pad};");
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

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = if self.0.is_finite() { self.0 } else { 0.0 };
        #[allow(clippy::cast_possible_truncation)]
        let micros = (v * 1e6).round().clamp(-9.0e18, 9.0e18) as i64;
        fmt::Display::fmt(&Micro(micros), f)
    }
}

/// Millionths as a decimal: `1500000` is `1.5` (times in seconds from microseconds).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Micro(pub i64);

impl fmt::Display for Micro {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let abs = self.0.unsigned_abs();
        let (whole, mut frac) = (abs / 1_000_000, abs % 1_000_000);
        if self.0 < 0 {
            f.write_str("-")?;
        }
        write!(f, "{whole}")?;
        if frac == 0 {
            return Ok(());
        }
        let mut digits = 6;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        write!(f, ".{frac:0digits$}")
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
            .join_side(false, |_| b, format_args!("overlay"));
        let out = c.end();
        let mut empty = g.chain('v', &[out]);
        empty.f(format_args!("fps={}", 30));
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
}
