//! One clip's sound: exactly its sample count at the output rate, in stereo.
//!
//! The source is resampled to the output rate and laid out as stereo with `aformat`
//! (explicit layout: `aresample` alone fails on some layouts after mixes), trimmed to its
//! span *before* `areverse` (decoded AAC keeps encoder padding at the end, which would
//! otherwise play first), slowed or sped up with `atempo` (pitch kept), given a silence
//! where a freeze holds the picture, then the clip's volume, its audio effects and volume
//! keyframes. Clips without sound (and muted ones) are silence of the same length.

use super::clip::ClipRender;
use super::effects as fx;
use super::graph::{put, Chain, Graph, Num, Pad};
use super::inputs::Inputs;
use super::keyframes;
use crate::time::{Micros, MICROS_PER_SECOND};

/// `aformat` to the output's rate and stereo.
pub(crate) fn aformat(chain: &mut Chain<'_>, sample_rate: u32) {
    put!(
        chain.filter(),
        "aformat=sample_fmts=fltp:sample_rates=",
        sample_rate,
        ":channel_layouts=stereo"
    );
}

/// Silence of `samples` samples.
pub(crate) fn silence(g: &mut Graph, sample_rate: u32, samples: i64) -> Pad {
    let mut chain = g.chain('a', &[]);
    put!(
        chain.filter(),
        "anullsrc=r=",
        sample_rate,
        ":cl=stereo,atrim=end_sample=",
        samples
    );
    aformat(&mut chain, sample_rate);
    chain.end()
}

/// Factors in `[0.5, 2]` whose product is `speed` (one `atempo` each keeps quality).
fn tempo_factors(speed: f64) -> Vec<f64> {
    let mut left = speed;
    let mut out = Vec::new();
    while left > 2.0 {
        out.push(2.0);
        left /= 2.0;
    }
    while left < 0.5 {
        out.push(0.5);
        left /= 0.5;
    }
    out.push(left);
    out
}

/// Samples in `micros` at `rate`, rounded.
fn samples_in(micros: Micros, rate: u32) -> i64 {
    let num = i128::from(micros) * i128::from(rate);
    let den = i128::from(MICROS_PER_SECOND);
    i64::try_from((2 * num + den).div_euclid(2 * den)).unwrap_or(0)
}

/// Writes the clip's sound chain and returns its pad. `input` is the clip's media input
/// when its picture already opened it.
pub(crate) fn audio(
    g: &mut Graph,
    inputs: &mut Inputs,
    c: &ClipRender<'_>,
    input: Option<usize>,
) -> Pad {
    let clip = c.clip;
    let rate = c.canvas.sample_rate;
    if !clip.has_audio() || clip.muted {
        return silence(g, rate, c.samples);
    }
    let span = clip.span();
    let k = input.unwrap_or_else(|| {
        inputs.media(
            clip.source.as_deref().unwrap_or_default(),
            clip.in_point.unwrap_or(0),
            span + c.canvas.fps.frame_duration_ceil() * 2,
        )
    });
    let mut chain = g.input_chain(k, "a:0");
    put!(chain.filter(), "asetpts=PTS-STARTPTS,aresample=", rate);
    aformat(&mut chain, rate);
    put!(chain.filter(), "atrim=end_sample=", samples_in(span, rate));
    if clip.reverse {
        chain.s("areverse");
    }
    if (clip.speed - 1.0).abs() > f64::EPSILON {
        for factor in tempo_factors(clip.speed) {
            put!(chain.filter(), "atempo=", Num(factor));
        }
    }
    if clip.reverse || (clip.speed - 1.0).abs() > f64::EPSILON {
        // Clip-relative times for the fades and keyframes below.
        chain.s("asetpts=N/SR/TB");
    }
    if let Some(freeze) = clip.freeze {
        let offset = if clip.reverse {
            clip.out_point.unwrap_or(0) - freeze.at
        } else {
            freeze.at - clip.in_point.unwrap_or(0)
        };
        #[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
        let at = samples_in((offset as f64 / clip.speed).round() as Micros, rate);
        let hold = samples_in(freeze.duration, rate);
        insert_silence(&mut chain, rate, at, hold);
    }
    if (clip.volume - 1.0).abs() > f64::EPSILON && c.keyframes("volume").is_none() {
        put!(chain.filter(), "volume=", Num(clip.volume));
    }
    fx::audio_stage(&mut chain, c);
    if let Some(k) = c.keyframes("volume") {
        let e = keyframes::expression(k, "t", 1.0, 0.0);
        let _ = chain.f(format_args!("volume='max(0,{e})':eval=frame"));
    }
    let n = c.samples;
    put!(
        chain.filter(),
        "apad=whole_len=",
        n,
        ",atrim=end_sample=",
        n,
        ",asetpts=N/SR/TB"
    );
    chain.end()
}

/// Splits the sound at sample `at` and puts `hold` samples of silence there.
fn insert_silence(chain: &mut Chain<'_>, rate: u32, at: i64, hold: i64) {
    if hold <= 0 {
        return;
    }
    chain.detour(
        |g, sound| {
            let halves = g.split(sound, 2);
            let mut head = g.chain('a', &[halves[0]]);
            let _ = head.f(format_args!("atrim=end_sample={at}"));
            let head = head.end();
            let mut tail = g.chain('a', &[halves[1]]);
            let _ = tail.f(format_args!("atrim=start_sample={at},asetpts=PTS-STARTPTS"));
            let tail = tail.end();
            let gap = silence(g, rate, hold);
            vec![head, gap, tail]
        },
        "concat=n=3:v=0:a=1",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tempo_stays_within_atempo_quality_range() {
        assert_eq!(tempo_factors(4.0), [2.0, 2.0]);
        assert_eq!(tempo_factors(0.25), [0.5, 0.5]);
        assert_eq!(tempo_factors(1.5), [1.5]);
        let p: f64 = tempo_factors(3.3).iter().product();
        assert!((p - 3.3).abs() < 1e-12);
    }
}
