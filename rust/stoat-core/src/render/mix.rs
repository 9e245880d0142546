//! The sound of the render: track streams ducked and mixed, then loudness-normalised
//! when the project asks.
//!
//! Mixing never attenuates: `amix` divides by its input count unless told `normalize=0`.
//! Ducking runs the music track through `sidechaincompress` keyed by the voice track.
//! Loudness normalisation is one pass: `loudnorm` (its dynamic mode reaches the target
//! over the whole render; for steady material it is a plain gain), then a true-peak
//! limiter (`alimiter` on 4x oversampled sound, half a decibel under the ceiling, so
//! that inter-sample peaks stay under it once back at the output rate).

use super::clip_audio::{aformat, silence};
use super::graph::{put, Chain, Graph, Num, Pad, Put};
use crate::model::{Ducking, Loudness};

/// A track's sound, with what mixing needs to know about the track.
pub(crate) struct TrackSound<'a> {
    pub pad: Pad,
    pub id: &'a str,
    pub ducking: Option<&'a Ducking>,
}

/// Decibels to a linear gain.
fn gain(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// Appends loudness normalisation to `target` LUFS under `true_peak` dBTP.
pub(crate) fn normalise(chain: &mut Chain<'_>, target: f64, true_peak: f64, sample_rate: u32) {
    let oversampled = sample_rate * 4;
    let _ = chain.f(format_args!(
        "loudnorm=I={}:TP={}:LRA=50,aresample={sample_rate},aresample={oversampled},\
         alimiter=limit={}:level=0,aresample={sample_rate}",
        Num(target),
        Num(true_peak),
        Num(gain(true_peak - 0.5).clamp(0.0625, 1.0)),
    ));
    aformat(chain, sample_rate);
}

/// Ducks, mixes and normalises `sounds` into one stream of exactly `total` samples.
pub(crate) fn mix(
    g: &mut Graph,
    sounds: &[TrackSound<'_>],
    sample_rate: u32,
    total: i64,
    loudness: Option<Loudness>,
) -> Pad {
    if sounds.is_empty() {
        return silence(g, sample_rate, total);
    }
    // How many sidechains each voice track feeds.
    let keys: Vec<usize> = sounds
        .iter()
        .map(|s| {
            sounds
                .iter()
                .filter(|m| m.ducking.is_some_and(|d| d.under == s.id))
                .count()
        })
        .collect();
    let mut mixed: Vec<Pad> = Vec::with_capacity(sounds.len());
    let mut sidechains: Vec<(String, Vec<Pad>)> = Vec::new();
    for (s, n) in sounds.iter().zip(&keys) {
        if *n == 0 {
            mixed.push(s.pad);
        } else {
            let mut copies = g.split(s.pad, n + 1);
            mixed.push(copies.remove(0));
            sidechains.push((s.id.to_owned(), copies));
        }
    }
    for (k, s) in sounds.iter().enumerate() {
        let Some(d) = s.ducking else { continue };
        let Some(key) = sidechains
            .iter_mut()
            .find(|(id, _)| *id == d.under)
            .and_then(|(_, pads)| pads.pop())
        else {
            continue;
        };
        let mut chain = g.chain('a', &[mixed[k], key]);
        #[allow(clippy::cast_precision_loss)]
        let _ = chain.f(format_args!(
            "sidechaincompress=threshold={}:ratio={}:attack={}:release={}",
            Num(gain(d.threshold).clamp(0.000_976_563, 1.0)),
            Num(d.ratio),
            Num((d.attack as f64 / 1000.0).clamp(0.01, 2000.0)),
            Num((d.release as f64 / 1000.0).clamp(0.01, 9000.0)),
        ));
        mixed[k] = chain.end();
    }
    let pad = if let [only] = mixed.as_slice() {
        *only
    } else {
        let out = g.pad('a');
        let text = g.raw();
        for p in &mixed {
            p.put(text);
        }
        put!(
            text,
            "amix=inputs=",
            mixed.len(),
            ":normalize=0:duration=longest",
            out,
            ';'
        );
        out
    };
    let mut chain = g.chain('a', &[pad]);
    aformat(&mut chain, sample_rate);
    if let Some(l) = loudness {
        normalise(&mut chain, l.target, l.true_peak, sample_rate);
        let _ = chain.f(format_args!(
            "apad=whole_len={total},atrim=end_sample={total}"
        ));
    }
    chain.end()
}
