//! One stream per track: its clips joined by transitions into runs, runs and gaps
//! concatenated, all in output frames (pictures) or samples (sound) relative to the
//! rendered window.
//!
//! A run is a clip and the clips joined to it by transitions. Inside a run each transition
//! is an `xfade` whose offset is the running length minus the overlaps (the next clip's
//! first frame, counted from the run's start: xfade offsets count from the start of its
//! first input), paired with an `acrossfade` over exactly the overlapping samples. A
//! transition that snaps to no whole frame is a cut.
//!
//! Runs outside the window are left out; runs that cross its edges are trimmed after they
//! are built (clip-relative effect times stay right).

use super::clip::{self, ClipRender};
use super::clip_audio::{self, silence};
use super::graph::{put, Graph, Micro, Pad, Put};
use super::inputs::Inputs;
use super::plan::{rgb, Boxes, Canvas, Rect, Window};
use crate::model::{Doc, Track, TrackKind};
use crate::placement::{PlacedClip, PlacedTrack};

/// Everything the track builders share.
pub(crate) struct Scene<'a> {
    pub doc: &'a Doc,
    pub tracks: &'a [PlacedTrack],
    pub canvas: &'a Canvas,
    pub boxes: &'a Boxes,
    pub window: Window,
    /// Clips numbered so far (filter instance names).
    pub clips_seen: usize,
}

/// Clips `first..=last` of a track and the frames `[f0, f1)` they cover.
#[derive(Clone, Copy, Debug)]
struct Run {
    first: usize,
    last: usize,
    f0: i64,
    f1: i64,
}

fn end(p: &PlacedClip) -> i64 {
    p.frame_start + p.frame_count
}

fn runs(track: &Track, placed: &PlacedTrack) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for (i, (clip, p)) in track.clips.iter().zip(&placed.clips).enumerate() {
        match out.last_mut() {
            Some(run) if clip.transition_in.is_some() && p.frame_start < run.f1 => {
                run.last = i;
                run.f1 = run.f1.max(end(p));
            }
            _ => out.push(Run {
                first: i,
                last: i,
                f0: p.frame_start,
                f1: end(p),
            }),
        }
    }
    out.retain(|r| r.f1 > r.f0);
    out
}

/// A track's picture as a layer over the tracks below.
pub(crate) struct Layer {
    pub pad: Pad,
    /// Window-relative frame ranges where it shows anything.
    pub shows: Vec<(i64, i64)>,
}

impl Scene<'_> {
    fn clip_render(&self, t: usize, i: usize, transparent: bool) -> ClipRender<'_> {
        let track = &self.doc.tracks[t];
        let clip = &track.clips[i];
        let p = &self.tracks[t].clips[i];
        let canvas = self.canvas;
        ClipRender {
            clip,
            n: 0,
            frames: p.frame_count,
            samples: canvas.samples_at(end(p)) - canvas.samples_at(p.frame_start),
            canvas,
            rect: self
                .boxes
                .of_clip(t, &clip.id)
                .unwrap_or_else(|| Rect::full(canvas)),
            transparent,
            track: track.kind,
        }
    }

    /// Whether track `t` can be the opaque base of the picture.
    pub(crate) fn can_be_base(&self, t: usize) -> bool {
        let track = &self.doc.tracks[t];
        track.kind == TrackKind::Video
            && !self.boxes.touches_track(self.doc, t)
            && track.clips.iter().all(|c| {
                let rect = self
                    .boxes
                    .of_clip(t, &c.id)
                    .unwrap_or_else(|| Rect::full(self.canvas));
                clip::is_opaque(c, track.kind, rect, self.canvas)
            })
    }

    fn gap(&self, g: &mut Graph, frames: i64, base: bool) -> Pad {
        let c = self.canvas;
        let mut chain = g.chain('v', &[]);
        let (color, format) = if base {
            (rgb(&c.background), "yuv420p")
        } else {
            ("black@0", "yuva420p")
        };
        put!(
            chain.filter(),
            "color=c=",
            color,
            ":s=",
            c.w,
            'x',
            c.h,
            ":r=",
            c.fps,
            ",format=",
            format,
            ",trim=end_frame=",
            frames
        );
        chain.end()
    }

    /// The picture of one clip (a gap of its length when it has none).
    fn clip_video(
        &mut self,
        g: &mut Graph,
        inputs: &mut Inputs,
        t: usize,
        i: usize,
        base: bool,
    ) -> (Pad, Option<usize>) {
        self.clips_seen += 1;
        let mut render = self.clip_render(t, i, !base);
        render.n = self.clips_seen;
        if !render.clip.has_video() {
            return (self.gap(g, render.frames, base), None);
        }
        let before = inputs.count();
        let pad = clip::video(g, inputs, &render);
        // The media input the picture opened, for the sound to share.
        let opened = (render.clip.kind == crate::model::ClipKind::Media).then_some(before);
        (pad, opened)
    }

    /// Track `t`'s picture, or `None` when nothing of it falls in the window. With `base`,
    /// the layer is opaque and fills the window (gaps in the background colour).
    pub(crate) fn video_track(
        &mut self,
        g: &mut Graph,
        inputs: &mut Inputs,
        t: usize,
        base: bool,
        opened: &mut [Vec<Option<usize>>],
    ) -> Option<Layer> {
        let win = self.window;
        let (doc, placed_tracks) = (self.doc, self.tracks);
        let track = &doc.tracks[t];
        let placed = &placed_tracks[t];
        let mut segments: Vec<Pad> = Vec::new();
        let mut shows: Vec<(i64, i64)> = Vec::new();
        let mut cursor = win.f0;
        for run in runs(track, placed) {
            if !win.overlaps(run.f0, run.f1) {
                continue;
            }
            let from = run.f0.max(win.f0);
            if from > cursor {
                segments.push(self.gap(g, from - cursor, base));
            }
            let mut acc: Option<(Pad, i64)> = None;
            for (i, slot) in opened[t]
                .iter_mut()
                .enumerate()
                .take(run.last + 1)
                .skip(run.first)
            {
                let (pad, input) = self.clip_video(g, inputs, t, i, base);
                *slot = input;
                let p = &placed.clips[i];
                acc = Some(match acc {
                    None => (pad, end(p)),
                    Some((prev, prev_end)) => {
                        let canvas = self.canvas;
                        let name = track.clips[i]
                            .transition_in
                            .as_ref()
                            .map_or("fade", |tr| tr.name.as_str());
                        let mut chain = g.chain('v', &[prev, pad]);
                        put!(
                            chain.filter(),
                            "xfade=transition=",
                            name,
                            ":duration=",
                            Micro(canvas.micros_at(prev_end - p.frame_start)),
                            ":offset=",
                            Micro(canvas.micros_at(p.frame_start - run.f0)),
                        );
                        (chain.end(), prev_end.max(end(p)))
                    }
                });
            }
            let (mut pad, _) = acc?;
            let to = run.f1.min(win.f1);
            if from > run.f0 || to < run.f1 {
                let mut chain = g.chain('v', &[pad]);
                put!(
                    chain.filter(),
                    "trim=start_frame=",
                    from - run.f0,
                    ":end_frame=",
                    to - run.f0,
                    ",setpts=PTS-STARTPTS"
                );
                pad = chain.end();
            }
            segments.push(pad);
            match shows.last_mut() {
                Some(last) if last.1 == from - win.f0 => last.1 = to - win.f0,
                _ => shows.push((from - win.f0, to - win.f0)),
            }
            cursor = to;
        }
        if segments.is_empty() {
            return None;
        }
        if base && cursor < win.f1 {
            segments.push(self.gap(g, win.f1 - cursor, true));
        }
        Some(Layer {
            pad: concat(g, &segments, 'v'),
            shows,
        })
    }

    /// Track `t`'s sound, exactly the window's length, or `None` when it has none there.
    /// `opened` holds the media input each clip's picture opened, by track and clip.
    pub(crate) fn audio_track(
        &mut self,
        g: &mut Graph,
        inputs: &mut Inputs,
        t: usize,
        opened: &[Vec<Option<usize>>],
    ) -> Option<Pad> {
        let win = self.window;
        let canvas = self.canvas;
        let (doc, placed_tracks) = (self.doc, self.tracks);
        let track = &doc.tracks[t];
        let placed = &placed_tracks[t];
        let at = |f: i64| canvas.samples_at(f);
        let total = at(win.f1) - at(win.f0);
        let sounding = runs(track, placed).into_iter().filter(|run| {
            win.overlaps(run.f0, run.f1)
                && track.clips[run.first..=run.last]
                    .iter()
                    .any(|c| c.has_audio() && !c.muted)
        });
        let mut segments: Vec<Pad> = Vec::new();
        let mut cursor = at(win.f0);
        for run in sounding {
            let from = at(run.f0.max(win.f0));
            if from > cursor {
                segments.push(silence(g, canvas.sample_rate, from - cursor));
            }
            let mut acc: Option<(Pad, i64)> = None;
            for (i, &input) in opened[t]
                .iter()
                .enumerate()
                .take(run.last + 1)
                .skip(run.first)
            {
                let mut c = self.clip_render(t, i, false);
                c.n = 0;
                let pad = clip_audio::audio(g, inputs, &c, input);
                let p = &placed.clips[i];
                acc = Some(match acc {
                    None => (pad, end(p)),
                    Some((prev, prev_end)) => {
                        let curve = track.clips[i]
                            .transition_in
                            .as_ref()
                            .map_or("tri", |tr| tr.audio_curve.as_str());
                        let mut chain = g.chain('a', &[prev, pad]);
                        put!(
                            chain.filter(),
                            "acrossfade=ns=",
                            at(prev_end) - at(p.frame_start),
                            ":c1=",
                            curve,
                            ":c2=",
                            curve
                        );
                        (chain.end(), prev_end.max(end(p)))
                    }
                });
            }
            let (mut pad, _) = acc?;
            let to = at(run.f1.min(win.f1));
            let run_start = at(run.f0);
            if from > run_start || to < at(run.f1) {
                let mut chain = g.chain('a', &[pad]);
                put!(
                    chain.filter(),
                    "atrim=start_sample=",
                    from - run_start,
                    ":end_sample=",
                    to - run_start,
                    ",asetpts=PTS-STARTPTS"
                );
                pad = chain.end();
            }
            segments.push(pad);
            cursor = to;
        }
        if segments.is_empty() {
            return None;
        }
        let pad = concat(g, &segments, 'a');
        let mut chain = g.chain('a', &[pad]);
        if (track.volume - 1.0).abs() > f64::EPSILON {
            put!(chain.filter(), "volume=", super::graph::Num(track.volume));
        }
        if cursor < at(win.f1) {
            put!(
                chain.filter(),
                "apad=whole_len=",
                total,
                ",atrim=end_sample=",
                total
            );
        }
        Some(chain.end())
    }
}

/// Concatenates `pads` (one stream each) of kind `v` or `a`.
pub(crate) fn concat(g: &mut Graph, pads: &[Pad], kind: char) -> Pad {
    if let [only] = pads {
        return *only;
    }
    let out = g.pad(kind);
    let (v, a) = if kind == 'a' { ('0', '1') } else { ('1', '0') };
    let text = g.raw();
    for p in pads {
        p.put(text);
    }
    put!(text, "concat=n=", pads.len(), ":v=", v, ":a=", a, out, ';');
    out
}
