//! Transitions: FFmpeg's xfade transitions by family, each paired with an audio
//! crossfade. The names come from the installed FFmpeg (`env.transitions`); FFmpeg 5.1's
//! 46 are the default.

use serde_json::{json, Value};

use crate::effects::AUDIO_CURVES;
use crate::spec::{object_schema, Def, Field, Ty};

/// A family of related transitions and what they look like.
struct Family {
    names: &'static [&'static str],
    description: &'static str,
}

const FAMILIES: &[Family] = &[
    Family {
        names: &["fade", "fadefast", "fadeslow", "dissolve"],
        description:
            "Blends the two clips (fadefast/fadeslow change the pace; dissolve blends with noise)",
    },
    Family {
        names: &["fadeblack", "fadewhite", "fadegrays"],
        description: "Fades through black, white or grey",
    },
    Family {
        names: &[
            "wipeleft",
            "wiperight",
            "wipeup",
            "wipedown",
            "wipetl",
            "wipetr",
            "wipebl",
            "wipebr",
        ],
        description: "A hard edge wipes the new clip in, in the named direction or from a corner",
    },
    Family {
        names: &["slideleft", "slideright", "slideup", "slidedown"],
        description: "The new clip slides in, pushing in the named direction",
    },
    Family {
        names: &["smoothleft", "smoothright", "smoothup", "smoothdown"],
        description: "A soft-edged wipe in the named direction",
    },
    Family {
        names: &["circlecrop", "rectcrop", "circleopen", "circleclose"],
        description: "A circle or rectangle opens or closes on the new clip",
    },
    Family {
        names: &["vertopen", "vertclose", "horzopen", "horzclose"],
        description: "Barn doors opening or closing vertically or horizontally",
    },
    Family {
        names: &["diagtl", "diagtr", "diagbl", "diagbr"],
        description: "A diagonal wipe from the named corner",
    },
    Family {
        names: &["hlslice", "hrslice", "vuslice", "vdslice"],
        description: "Slices reveal the new clip left, right, up or down",
    },
    Family {
        names: &[
            "radial", "distance", "pixelize", "hblur", "squeezeh", "squeezev", "zoomin",
        ],
        description: "Stylised: clock wipe, distance blend, pixelation, blur, squeeze or zoom",
    },
];

/// FFmpeg 5.1's xfade transitions (without `custom`), in FFmpeg's order.
pub const FFMPEG_TRANSITIONS: &[&str] = &[
    "fade",
    "wipeleft",
    "wiperight",
    "wipeup",
    "wipedown",
    "slideleft",
    "slideright",
    "slideup",
    "slidedown",
    "circlecrop",
    "rectcrop",
    "distance",
    "fadeblack",
    "fadewhite",
    "radial",
    "smoothleft",
    "smoothright",
    "smoothup",
    "smoothdown",
    "circleopen",
    "circleclose",
    "vertopen",
    "vertclose",
    "horzopen",
    "horzclose",
    "dissolve",
    "pixelize",
    "diagtl",
    "diagtr",
    "diagbl",
    "diagbr",
    "hlslice",
    "hrslice",
    "vuslice",
    "vdslice",
    "hblur",
    "fadegrays",
    "wipetl",
    "wipetr",
    "wipebl",
    "wipebr",
    "squeezeh",
    "squeezev",
    "zoomin",
    "fadefast",
    "fadeslow",
];

/// The longest transition, in seconds.
pub const MAX_TRANSITION_SECONDS: f64 = 60.0;

/// The fields of `set_transition` besides the two clip ids.
pub(crate) const TRANSITION_FIELDS: &[Field] = &[
    Field::def("name", Ty::Text { max_chars: 64 }, Def::Str("fade"), "The xfade transition (GET /v1/transitions lists what the installed FFmpeg offers)"),
    Field::req(
        "duration",
        Ty::Seconds { min: 0.0, max: MAX_TRANSITION_SECONDS, exclusive_min: true },
        "Seconds the two clips overlap; at most the length of each clip. The track gets this much shorter",
    ),
    Field::def("audio_curve", Ty::Enum(AUDIO_CURVES), Def::Str("tri"), "Curve of the paired audio crossfade (FFmpeg acrossfade; tri is linear)"),
];

/// The family description of `name`, if it is a known transition.
fn family_of(name: &str) -> Option<&'static Family> {
    FAMILIES.iter().find(|f| f.names.contains(&name))
}

/// The names a decide may use: `available` when given, FFmpeg 5.1's otherwise.
pub(crate) fn allowed(available: Option<&[String]>) -> Vec<&str> {
    match available {
        Some(names) => names
            .iter()
            .map(String::as_str)
            .filter(|n| *n != "custom")
            .collect(),
        None => FFMPEG_TRANSITIONS.to_vec(),
    }
}

/// One entry per available transition: `{name, family, description, ai_hint, parameters
/// (JSON Schema of set_transition's fields), example}`. `custom` (an expression) is left
/// out.
pub fn transitions_catalog(available: &[String]) -> Vec<Value> {
    let parameters = object_schema(&[TRANSITION_FIELDS], &[], false);
    available
        .iter()
        .filter(|n| n.as_str() != "custom")
        .map(|name| {
            let family = family_of(name);
            json!({
                "name": name,
                "family": family.map(|f| f.names[0]),
                "description": family.map_or("An FFmpeg xfade transition", |f| f.description),
                "ai_hint": "Set between two adjacent clips on one track; 0.5 to 1.5 seconds reads well, and the sound crossfades over the same time",
                "audio": "acrossfade over the same duration",
                "parameters": parameters,
                "example": {"op": "set_transition", "from_clip_id": "clip-1",
                    "to_clip_id": "clip-2", "name": name, "duration": 1},
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_cover_ffmpeg_51_exactly_once() {
        assert_eq!(FFMPEG_TRANSITIONS.len(), 46);
        for name in FFMPEG_TRANSITIONS {
            let n = FAMILIES.iter().filter(|f| f.names.contains(name)).count();
            assert_eq!(n, 1, "{name}");
        }
        let total: usize = FAMILIES.iter().map(|f| f.names.len()).sum();
        assert_eq!(total, 46);
    }
}
