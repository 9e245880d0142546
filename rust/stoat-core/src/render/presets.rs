//! The render presets: container, codecs, quality levels and defaults, and the encoder
//! arguments each produces. [`PRESETS`] is the one list; GET /v1/presets shows
//! [`catalog`].

use serde_json::{json, Value};

/// What a preset produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Moving pictures with sound.
    Video,
    /// Sound only.
    Audio,
    /// An animated GIF (no sound), with a palette made for it.
    Gif,
    /// One frame as an image (a poster frame at `time`).
    Still,
    /// A contact sheet of `count` frames spread over the render.
    Thumbnails,
}

impl Kind {
    pub(crate) const fn has_video(self) -> bool {
        !matches!(self, Self::Audio)
    }

    pub(crate) const fn has_audio(self) -> bool {
        matches!(self, Self::Video | Self::Audio)
    }

    const fn as_str(self) -> &'static str {
        match self {
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Gif => "gif",
            Self::Still => "image",
            Self::Thumbnails => "thumbnails",
        }
    }
}

/// The quality level names, lowest first.
pub(crate) const QUALITY_LEVELS: &[&str] = &["low", "medium", "high", "max"];

/// One preset.
pub(crate) struct Preset {
    pub name: &'static str,
    pub description: &'static str,
    pub extension: &'static str,
    pub content_type: &'static str,
    pub kind: Kind,
    /// The video encoders it may use, the software default first.
    pub encoders: &'static [&'static str],
    /// The encoder's quality value (CRF, or a `ProRes` profile) per level, lowest first.
    pub quality: [i64; 4],
    /// The largest CRF the default encoder takes (0 where quality is not a CRF).
    pub max_crf: i64,
    /// Largest canvas when the request gives no size.
    pub max_size: Option<(u32, u32)>,
    /// Highest frame rate when the request gives none.
    pub max_fps: Option<i64>,
    /// The pixel format the picture is encoded in.
    pub pix_fmt: &'static str,
    /// Audio encoder arguments (before `-ar` and `-ac`).
    pub audio: &'static [&'static str],
    /// A sample rate the audio encoder needs, if the project's may not do.
    pub sample_rate: Option<u32>,
    /// Container arguments.
    pub container: &'static [&'static str],
}

const H264: &[&str] = &["libx264", "h264_nvenc", "h264_qsv", "h264_vaapi"];
const HEVC: &[&str] = &["libx265", "hevc_nvenc", "hevc_qsv", "hevc_vaapi"];
const AAC: &[&str] = &["-c:a", "aac", "-b:a", "192k"];
const MP4: &[&str] = &["-movflags", "+faststart", "-f", "mp4"];

/// Every preset, `h264_aac` (the default) first.
pub(crate) const PRESETS: &[Preset] = &[
    Preset {
        name: "h264_aac",
        description: "MP4 with H.264 video and AAC sound: plays everywhere",
        extension: "mp4",
        content_type: "video/mp4",
        kind: Kind::Video,
        encoders: H264,
        quality: [28, 23, 20, 16],
        max_crf: 51,
        max_size: None,
        max_fps: None,
        pix_fmt: "yuv420p",
        audio: AAC,
        sample_rate: None,
        container: MP4,
    },
    Preset {
        name: "h265_aac",
        description: "MP4 with H.265 (HEVC) video and AAC sound: about half the size of H.264 at the same quality",
        extension: "mp4",
        content_type: "video/mp4",
        kind: Kind::Video,
        encoders: HEVC,
        quality: [32, 28, 24, 20],
        max_crf: 51,
        max_size: None,
        max_fps: None,
        pix_fmt: "yuv420p",
        audio: AAC,
        sample_rate: None,
        container: MP4,
    },
    Preset {
        name: "webm_vp9",
        description: "WebM with VP9 video and Opus sound, for the web",
        extension: "webm",
        content_type: "video/webm",
        kind: Kind::Video,
        encoders: &["libvpx-vp9", "vp9_qsv", "vp9_vaapi"],
        quality: [42, 36, 31, 24],
        max_crf: 63,
        max_size: None,
        max_fps: None,
        pix_fmt: "yuv420p",
        audio: &["-c:a", "libopus", "-b:a", "128k"],
        sample_rate: Some(48_000),
        container: &["-f", "webm"],
    },
    Preset {
        name: "prores_mov",
        description: "QuickTime MOV with Apple ProRes 4:2:2 10-bit video and PCM sound, for further editing; quality picks the profile (proxy, LT, standard, HQ)",
        extension: "mov",
        content_type: "video/quicktime",
        kind: Kind::Video,
        encoders: &["prores_ks"],
        quality: [0, 1, 2, 3],
        max_crf: 0,
        max_size: None,
        max_fps: None,
        pix_fmt: "yuv422p10le",
        audio: &["-c:a", "pcm_s16le"],
        sample_rate: None,
        container: &["-f", "mov"],
    },
    Preset {
        name: "gif",
        description: "Animated GIF with a palette made for the clip (no sound); at most 480 pixels and 15 fps unless asked otherwise",
        extension: "gif",
        content_type: "image/gif",
        kind: Kind::Gif,
        encoders: &["gif"],
        quality: [0, 0, 0, 0],
        max_crf: 0,
        max_size: Some((480, 480)),
        max_fps: Some(15),
        pix_fmt: "pal8",
        audio: &[],
        sample_rate: None,
        container: &["-loop", "0", "-f", "gif"],
    },
    Preset {
        name: "mp3",
        description: "The sound as MP3 (192 kb/s)",
        extension: "mp3",
        content_type: "audio/mpeg",
        kind: Kind::Audio,
        encoders: &[],
        quality: [0, 0, 0, 0],
        max_crf: 0,
        max_size: None,
        max_fps: None,
        pix_fmt: "",
        audio: &["-c:a", "libmp3lame", "-b:a", "192k"],
        sample_rate: Some(48_000),
        container: &["-f", "mp3"],
    },
    Preset {
        name: "wav",
        description: "The sound as 16-bit PCM WAV",
        extension: "wav",
        content_type: "audio/wav",
        kind: Kind::Audio,
        encoders: &[],
        quality: [0, 0, 0, 0],
        max_crf: 0,
        max_size: None,
        max_fps: None,
        pix_fmt: "",
        audio: &["-c:a", "pcm_s16le"],
        sample_rate: None,
        container: &["-f", "wav"],
    },
    Preset {
        name: "aac",
        description: "The sound as AAC in an M4A file (192 kb/s)",
        extension: "m4a",
        content_type: "audio/mp4",
        kind: Kind::Audio,
        encoders: &[],
        quality: [0, 0, 0, 0],
        max_crf: 0,
        max_size: None,
        max_fps: None,
        pix_fmt: "",
        audio: AAC,
        sample_rate: None,
        container: MP4,
    },
    Preset {
        name: "poster_jpg",
        description: "One frame at `time` (seconds, default 0) as a JPEG",
        extension: "jpg",
        content_type: "image/jpeg",
        kind: Kind::Still,
        encoders: &["mjpeg"],
        quality: [0, 0, 0, 0],
        max_crf: 0,
        max_size: None,
        max_fps: None,
        pix_fmt: "yuvj444p",
        audio: &[],
        sample_rate: None,
        container: &["-q:v", "2", "-update", "1", "-f", "image2"],
    },
    Preset {
        name: "poster_png",
        description: "One frame at `time` (seconds, default 0) as a PNG",
        extension: "png",
        content_type: "image/png",
        kind: Kind::Still,
        encoders: &["png"],
        quality: [0, 0, 0, 0],
        max_crf: 0,
        max_size: None,
        max_fps: None,
        pix_fmt: "rgb24",
        audio: &[],
        sample_rate: None,
        container: &["-update", "1", "-f", "image2"],
    },
    Preset {
        name: "thumbnails",
        description: "A JPEG contact sheet of `count` frames (default 9) spread evenly over the render, each at most 320 pixels",
        extension: "jpg",
        content_type: "image/jpeg",
        kind: Kind::Thumbnails,
        encoders: &["mjpeg"],
        quality: [0, 0, 0, 0],
        max_crf: 0,
        max_size: Some((320, 320)),
        max_fps: None,
        pix_fmt: "yuvj444p",
        audio: &[],
        sample_rate: None,
        container: &["-q:v", "3", "-update", "1", "-f", "image2"],
    },
    Preset {
        name: "preview",
        description: "A fast, small H.264/AAC MP4 for checking an edit: at most 640 pixels, low quality, fastest encoder settings",
        extension: "mp4",
        content_type: "video/mp4",
        kind: Kind::Video,
        encoders: H264,
        quality: [34, 30, 27, 23],
        max_crf: 51,
        max_size: Some((640, 640)),
        max_fps: None,
        pix_fmt: "yuv420p",
        audio: &["-c:a", "aac", "-b:a", "96k"],
        sample_rate: None,
        container: MP4,
    },
];

/// The preset named `name`.
pub(crate) fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// The quality level a request gets when it names none.
pub(crate) const DEFAULT_QUALITY: &str = "high";

impl Preset {
    /// Video encoder arguments for `encoder` at quality value `q`.
    pub(crate) fn video_args(&self, encoder: &str, q: i64) -> Vec<String> {
        let q = q.to_string();
        let preview = self.name == "preview";
        let args: Vec<&str> = match encoder {
            "libx264" => vec![
                "-c:v",
                "libx264",
                "-preset",
                if preview { "ultrafast" } else { "veryfast" },
                "-crf",
                &q,
            ],
            "libx265" => vec![
                "-c:v",
                "libx265",
                "-preset",
                "fast",
                "-crf",
                &q,
                "-tag:v",
                "hvc1",
                "-x265-params",
                "log-level=error",
            ],
            "libvpx-vp9" => vec![
                "-c:v",
                "libvpx-vp9",
                "-crf",
                &q,
                "-b:v",
                "0",
                "-deadline",
                "good",
                "-cpu-used",
                "4",
                "-row-mt",
                "1",
            ],
            "prores_ks" => vec!["-c:v", "prores_ks", "-profile:v", &q, "-vendor", "apl0"],
            "h264_nvenc" | "hevc_nvenc" => vec![
                "-c:v", encoder, "-preset", "p4", "-rc", "vbr", "-cq", &q, "-b:v", "0",
            ],
            "h264_qsv" | "hevc_qsv" | "vp9_qsv" => {
                vec!["-c:v", encoder, "-global_quality", &q]
            }
            "h264_vaapi" | "hevc_vaapi" | "vp9_vaapi" => vec!["-c:v", encoder, "-qp", &q],
            other => vec!["-c:v", other],
        };
        let mut out: Vec<String> = args.into_iter().map(str::to_owned).collect();
        if !encoder.ends_with("_vaapi") && !self.pix_fmt.is_empty() && self.kind != Kind::Gif {
            out.extend(["-pix_fmt".to_owned(), self.pix_fmt.to_owned()]);
        }
        out
    }

    fn catalog_entry(&self) -> Value {
        let quality = match (self.kind, self.name) {
            (Kind::Video, "prores_mov") => json!({
                "levels": QUALITY_LEVELS, "default": DEFAULT_QUALITY,
                "prores_profile": QUALITY_LEVELS.iter().zip(self.quality).map(|(l, q)| ((*l).to_owned(), Value::from(q))).collect::<serde_json::Map<String, Value>>(),
            }),
            (Kind::Video, _) => json!({
                "levels": QUALITY_LEVELS, "default": DEFAULT_QUALITY,
                "crf": QUALITY_LEVELS.iter().zip(self.quality).map(|(l, q)| ((*l).to_owned(), Value::from(q))).collect::<serde_json::Map<String, Value>>(),
                "crf_range": [0, self.max_crf],
            }),
            _ => Value::Null,
        };
        let mut parameters = vec!["range", "width", "height", "fps"];
        if self.kind == Kind::Video {
            parameters.extend(["quality", "crf", "video_encoder"]);
        }
        match self.kind {
            Kind::Still => parameters.push("time"),
            Kind::Thumbnails => parameters.push("count"),
            Kind::Audio => parameters.retain(|p| *p == "range"),
            _ => {}
        }
        json!({
            "name": self.name,
            "description": self.description,
            "kind": self.kind.as_str(),
            "extension": self.extension,
            "content_type": self.content_type,
            "video_encoders": self.encoders,
            "pixel_format": (!self.pix_fmt.is_empty()).then_some(self.pix_fmt),
            "audio": (!self.audio.is_empty()).then(|| self.audio.get(1).copied()),
            "quality": quality,
            "max_size": self.max_size.map(|(w, h)| json!({"width": w, "height": h})),
            "max_fps": self.max_fps,
            "parameters": parameters,
            "example": {"preset": self.name},
        })
    }
}

/// Every preset as plain data: `{name, description, kind, extension, content_type,
/// video_encoders, pixel_format, audio, quality, max_size, max_fps, parameters (the
/// request fields it reads), example}`.
pub(crate) fn catalog() -> Vec<Value> {
    PRESETS.iter().map(Preset::catalog_entry).collect()
}
