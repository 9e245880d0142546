//! The `-i` inputs of a render, numbered in the order the graph asks for them.
//!
//! Paths are argv items of their own (no shell, no escaping). A path starting with `-`
//! cannot occur: the decider only accepts absolute paths.

use super::graph::Micro;
use crate::time::{Micros, Rational};

/// The inputs, as argv items, and how many there are.
#[derive(Debug, Default)]
pub(crate) struct Inputs {
    args: Vec<String>,
    count: usize,
    /// Single-frame images already opened, by path (an image used by many overlays is
    /// decoded once).
    images: Vec<(String, usize)>,
}

impl Inputs {
    /// With room for about `n` inputs.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            args: Vec::with_capacity(n * 6),
            count: 0,
            images: Vec::new(),
        }
    }

    fn push<const N: usize>(&mut self, items: [String; N], path: &str) -> usize {
        self.args.extend(items);
        self.args.push("-i".to_owned());
        self.args.push(path.to_owned());
        self.count += 1;
        self.count - 1
    }

    /// A media file read from `seek` for `duration` (input seeking: fast, and exact since
    /// FFmpeg decodes from the key frame before and drops what precedes `seek`).
    pub(crate) fn media(&mut self, path: &str, seek: Micros, duration: Micros) -> usize {
        let [ss, t] = [seek, duration].map(|v| Micro(v).to_string());
        self.push(["-ss".to_owned(), ss, "-t".to_owned(), t], path)
    }

    /// A still image repeated at `fps` for `duration`.
    pub(crate) fn still(&mut self, path: &str, fps: Rational, duration: Micros) -> usize {
        self.push(
            [
                "-loop".to_owned(),
                "1".to_owned(),
                "-framerate".to_owned(),
                fps.to_string(),
                "-t".to_owned(),
                Micro(duration).to_string(),
            ],
            path,
        )
    }

    /// A single image frame (for overlays, which repeat their last frame).
    pub(crate) fn image(&mut self, path: &str) -> usize {
        if let Some((_, n)) = self.images.iter().find(|(p, _)| p == path) {
            return *n;
        }
        let n = self.push([], path);
        self.images.push((path.to_owned(), n));
        n
    }

    /// How many inputs there are (the next one's number).
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// The argv items.
    pub(crate) fn into_args(self) -> Vec<String> {
        self.args
    }
}
