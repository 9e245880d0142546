//! Field specifications: one definition per op, effect, transition and layout drives the
//! reader (wire JSON in, normalised JSON out, with located errors), the JSON Schema that
//! agents read, and the conversion of stored values back to wire units.
//!
//! Wire values are what agents send: seconds as JSON numbers, colours as `#RRGGBB` or
//! names, frame rates as `"30000/1001"`. Normalised (stored) values are exact: integer
//! microseconds, canonical colours, reduced fractions, finite `f64` numbers.

mod paths;
mod read;
mod schema;
mod wire;

pub(crate) use paths::{collect_paths, resolve_paths, Resources};
pub(crate) use read::{
    default_value, invalid_choice_error, invalid_id, read_object, read_object_modes,
    read_object_partial, read_value, Mode,
};
pub(crate) use schema::{color_schema, object_schema, object_schema_modes, with_color_defs};
pub(crate) use wire::object_to_wire;

use serde_json::{Map, Value};

use crate::model::MAX_TIMELINE_SECONDS;

/// What a path field points at; Python checks and probes each before `decide`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PathKind {
    /// A video or audio file (probed for its duration and streams).
    Media,
    /// A still image (probed for its size).
    Image,
    /// A 3D colour look-up table in `.cube` format.
    Lut,
    /// A subtitle file, `.srt` or `.vtt`.
    Subtitles,
    /// A font file, `.ttf`, `.otf` or `.ttc`.
    Font,
}

impl PathKind {
    /// The kind's name as [`crate::referenced_paths`] reports it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Media => "media",
            Self::Image => "image",
            Self::Lut => "lut",
            Self::Subtitles => "subtitles",
            Self::Font => "font",
        }
    }

    /// The accepted file extensions (lower case, without the dot); empty for any.
    pub const fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Media | Self::Image => &[],
            Self::Lut => &["cube"],
            Self::Subtitles => &["srt", "vtt"],
            Self::Font => &["ttf", "otf", "ttc"],
        }
    }

    /// Whether the file must be in the media map (probed), not only in `env.files`.
    pub const fn is_probed(self) -> bool {
        matches!(self, Self::Media | Self::Image)
    }
}

/// The type of a field's value.
#[derive(Clone, Copy, Debug)]
pub enum Ty {
    /// `true` or `false`.
    Bool,
    /// A whole number in `min..=max`.
    Int {
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// A finite number in `min..=max` (`min` itself excluded when `exclusive_min`).
    Num {
        /// Smallest allowed.
        min: f64,
        /// Largest allowed.
        max: f64,
        /// Whether `min` itself is refused.
        exclusive_min: bool,
    },
    /// Seconds on the wire, integer microseconds once read.
    Seconds {
        /// Smallest allowed, in seconds.
        min: f64,
        /// Largest allowed, in seconds.
        max: f64,
        /// Whether `min` itself is refused.
        exclusive_min: bool,
    },
    /// One of a fixed list of strings.
    Enum(&'static [&'static str]),
    /// Text that is not blank, at most `max_chars` characters, without NUL.
    Text {
        /// Longest allowed, in characters.
        max_chars: usize,
    },
    /// An id: 1 to 64 characters of `[A-Za-z0-9_.-]`.
    Id,
    /// A colour (see [`crate::parse_color`]).
    Color,
    /// A frame rate, `"N"` or `"N/D"`, from 1 to 240.
    Fps,
    /// A file path of the given kind.
    Path(PathKind),
    /// An easing name (see [`crate::ease`]).
    Easing,
    /// A list of values of one type.
    List {
        /// The items' type.
        item: &'static Ty,
        /// Fewest items.
        min: usize,
        /// Most items.
        max: usize,
    },
    /// An object with the given fields.
    Obj(&'static [Field]),
    /// An effect `{"type", "effect_id"?, "params"}` (see [`crate::effects_catalog`]).
    Effect,
    /// A screen layout `{"type", ...}` (see [`crate::layouts_catalog`]).
    ScreenLayout,
    /// Any object, read later by rules that know its shape (an effect patch's params).
    AnyObject,
}

/// Whether a field must be given, and what absence or `null` means.
#[derive(Clone, Copy, Debug)]
pub enum Presence {
    /// Must be given (in full mode).
    Required,
    /// May be left out; `null` is the same as absence.
    Optional,
    /// May be left out; `null` is a value of its own (it clears or resets).
    Nullable,
    /// Must be given (in full mode), and may be `null` (it clears).
    RequiredNullable,
    /// Takes this value when left out (in full mode); `null` is the same as absence.
    Default(Def),
}

/// A default value.
#[derive(Clone, Copy, Debug)]
pub enum Def {
    /// A boolean.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number (seconds for [`Ty::Seconds`]).
    Num(f64),
    /// A string (read as the field's type reads it, e.g. a colour name).
    Str(&'static str),
    /// An empty list.
    EmptyList,
    /// An object with every field at its default.
    EmptyObj,
}

/// One field of an object.
#[derive(Clone, Copy, Debug)]
pub struct Field {
    /// The key.
    pub name: &'static str,
    /// The value's type.
    pub ty: Ty,
    /// Whether it must be given.
    pub presence: Presence,
    /// What it means, for the schema's `description`.
    pub doc: &'static str,
}

impl Field {
    /// A required field.
    pub const fn req(name: &'static str, ty: Ty, doc: &'static str) -> Self {
        Self {
            name,
            ty,
            presence: Presence::Required,
            doc,
        }
    }

    /// An optional field (`null` = absent).
    pub const fn opt(name: &'static str, ty: Ty, doc: &'static str) -> Self {
        Self {
            name,
            ty,
            presence: Presence::Optional,
            doc,
        }
    }

    /// An optional field whose `null` clears or resets.
    pub const fn nullable(name: &'static str, ty: Ty, doc: &'static str) -> Self {
        Self {
            name,
            ty,
            presence: Presence::Nullable,
            doc,
        }
    }

    /// A required field whose `null` clears.
    pub const fn req_nullable(name: &'static str, ty: Ty, doc: &'static str) -> Self {
        Self {
            name,
            ty,
            presence: Presence::RequiredNullable,
            doc,
        }
    }

    /// A field with a default.
    pub const fn def(name: &'static str, ty: Ty, def: Def, doc: &'static str) -> Self {
        Self {
            name,
            ty,
            presence: Presence::Default(def),
            doc,
        }
    }
}

/// `Ty::Num` with an inclusive range.
pub const fn num(min: f64, max: f64) -> Ty {
    Ty::Num {
        min,
        max,
        exclusive_min: false,
    }
}

/// `Ty::Seconds` from 0 (inclusive) to the longest timeline.
pub const SECONDS: Ty = Ty::Seconds {
    min: 0.0,
    max: MAX_TIMELINE_SECONDS,
    exclusive_min: false,
};

/// `Ty::Seconds` above 0, up to the longest timeline.
pub const DURATION: Ty = Ty::Seconds {
    min: 0.0,
    max: MAX_TIMELINE_SECONDS,
    exclusive_min: true,
};

/// Nine anchors of a frame, reading order.
pub const ANCHORS: &[&str] = &[
    "top_left",
    "top_center",
    "top_right",
    "center_left",
    "center",
    "center_right",
    "bottom_left",
    "bottom_center",
    "bottom_right",
];

/// A normalised object: keys to stored values.
pub type Obj = Map<String, Value>;

/// Typed access to a normalised object, for code that knows the spec it was read with.
pub(crate) trait ObjExt {
    fn str_of(&self, key: &str) -> Option<&str>;
    fn f64_of(&self, key: &str) -> Option<f64>;
    fn i64_of(&self, key: &str) -> Option<i64>;
    fn bool_of(&self, key: &str) -> Option<bool>;
}

impl ObjExt for Obj {
    fn str_of(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }
    fn f64_of(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(Value::as_f64)
    }
    fn i64_of(&self, key: &str) -> Option<i64> {
        self.get(key).and_then(Value::as_i64)
    }
    fn bool_of(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(Value::as_bool)
    }
}
