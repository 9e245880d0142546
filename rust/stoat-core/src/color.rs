//! Colours as callers write them: `#RRGGBB`, `#RRGGBBAA`, or one of FFmpeg's colour names
//! in lower case (exactly the names the JSON Schema lists). Stored in one canonical form, `#RRGGBB` (opaque) or `#RRGGBBAA`,
//! upper case, which FFmpeg reads as it is.

/// FFmpeg's colour names (`ffmpeg -colors`, 5.1), lower case, with their `RRGGBB` values.
pub const COLOR_NAMES: &[(&str, &str)] = &[
    ("aliceblue", "F0F8FF"),
    ("antiquewhite", "FAEBD7"),
    ("aqua", "00FFFF"),
    ("aquamarine", "7FFFD4"),
    ("azure", "F0FFFF"),
    ("beige", "F5F5DC"),
    ("bisque", "FFE4C4"),
    ("black", "000000"),
    ("blanchedalmond", "FFEBCD"),
    ("blue", "0000FF"),
    ("blueviolet", "8A2BE2"),
    ("brown", "A52A2A"),
    ("burlywood", "DEB887"),
    ("cadetblue", "5F9EA0"),
    ("chartreuse", "7FFF00"),
    ("chocolate", "D2691E"),
    ("coral", "FF7F50"),
    ("cornflowerblue", "6495ED"),
    ("cornsilk", "FFF8DC"),
    ("crimson", "DC143C"),
    ("cyan", "00FFFF"),
    ("darkblue", "00008B"),
    ("darkcyan", "008B8B"),
    ("darkgoldenrod", "B8860B"),
    ("darkgray", "A9A9A9"),
    ("darkgreen", "006400"),
    ("darkkhaki", "BDB76B"),
    ("darkmagenta", "8B008B"),
    ("darkolivegreen", "556B2F"),
    ("darkorange", "FF8C00"),
    ("darkorchid", "9932CC"),
    ("darkred", "8B0000"),
    ("darksalmon", "E9967A"),
    ("darkseagreen", "8FBC8F"),
    ("darkslateblue", "483D8B"),
    ("darkslategray", "2F4F4F"),
    ("darkturquoise", "00CED1"),
    ("darkviolet", "9400D3"),
    ("deeppink", "FF1493"),
    ("deepskyblue", "00BFFF"),
    ("dimgray", "696969"),
    ("dodgerblue", "1E90FF"),
    ("firebrick", "B22222"),
    ("floralwhite", "FFFAF0"),
    ("forestgreen", "228B22"),
    ("fuchsia", "FF00FF"),
    ("gainsboro", "DCDCDC"),
    ("ghostwhite", "F8F8FF"),
    ("gold", "FFD700"),
    ("goldenrod", "DAA520"),
    ("gray", "808080"),
    ("green", "008000"),
    ("greenyellow", "ADFF2F"),
    ("honeydew", "F0FFF0"),
    ("hotpink", "FF69B4"),
    ("indianred", "CD5C5C"),
    ("indigo", "4B0082"),
    ("ivory", "FFFFF0"),
    ("khaki", "F0E68C"),
    ("lavender", "E6E6FA"),
    ("lavenderblush", "FFF0F5"),
    ("lawngreen", "7CFC00"),
    ("lemonchiffon", "FFFACD"),
    ("lightblue", "ADD8E6"),
    ("lightcoral", "F08080"),
    ("lightcyan", "E0FFFF"),
    ("lightgoldenrodyellow", "FAFAD2"),
    ("lightgreen", "90EE90"),
    ("lightgrey", "D3D3D3"),
    ("lightpink", "FFB6C1"),
    ("lightsalmon", "FFA07A"),
    ("lightseagreen", "20B2AA"),
    ("lightskyblue", "87CEFA"),
    ("lightslategray", "778899"),
    ("lightsteelblue", "B0C4DE"),
    ("lightyellow", "FFFFE0"),
    ("lime", "00FF00"),
    ("limegreen", "32CD32"),
    ("linen", "FAF0E6"),
    ("magenta", "FF00FF"),
    ("maroon", "800000"),
    ("mediumaquamarine", "66CDAA"),
    ("mediumblue", "0000CD"),
    ("mediumorchid", "BA55D3"),
    ("mediumpurple", "9370D8"),
    ("mediumseagreen", "3CB371"),
    ("mediumslateblue", "7B68EE"),
    ("mediumspringgreen", "00FA9A"),
    ("mediumturquoise", "48D1CC"),
    ("mediumvioletred", "C71585"),
    ("midnightblue", "191970"),
    ("mintcream", "F5FFFA"),
    ("mistyrose", "FFE4E1"),
    ("moccasin", "FFE4B5"),
    ("navajowhite", "FFDEAD"),
    ("navy", "000080"),
    ("oldlace", "FDF5E6"),
    ("olive", "808000"),
    ("olivedrab", "6B8E23"),
    ("orange", "FFA500"),
    ("orangered", "FF4500"),
    ("orchid", "DA70D6"),
    ("palegoldenrod", "EEE8AA"),
    ("palegreen", "98FB98"),
    ("paleturquoise", "AFEEEE"),
    ("palevioletred", "D87093"),
    ("papayawhip", "FFEFD5"),
    ("peachpuff", "FFDAB9"),
    ("peru", "CD853F"),
    ("pink", "FFC0CB"),
    ("plum", "DDA0DD"),
    ("powderblue", "B0E0E6"),
    ("purple", "800080"),
    ("red", "FF0000"),
    ("rosybrown", "BC8F8F"),
    ("royalblue", "4169E1"),
    ("saddlebrown", "8B4513"),
    ("salmon", "FA8072"),
    ("sandybrown", "F4A460"),
    ("seagreen", "2E8B57"),
    ("seashell", "FFF5EE"),
    ("sienna", "A0522D"),
    ("silver", "C0C0C0"),
    ("skyblue", "87CEEB"),
    ("slateblue", "6A5ACD"),
    ("slategray", "708090"),
    ("snow", "FFFAFA"),
    ("springgreen", "00FF7F"),
    ("steelblue", "4682B4"),
    ("tan", "D2B48C"),
    ("teal", "008080"),
    ("thistle", "D8BFD8"),
    ("tomato", "FF6347"),
    ("turquoise", "40E0D0"),
    ("violet", "EE82EE"),
    ("wheat", "F5DEB3"),
    ("white", "FFFFFF"),
    ("whitesmoke", "F5F5F5"),
    ("yellow", "FFFF00"),
    ("yellowgreen", "9ACD32"),
];

/// The canonical form of a colour, or `None` when `text` is not one.
///
/// ```
/// use stoat_core::parse_color;
/// assert_eq!(parse_color("#ff8800").as_deref(), Some("#FF8800"));
/// assert_eq!(parse_color("#FF8800ff").as_deref(), Some("#FF8800"));
/// assert_eq!(parse_color("#00000080").as_deref(), Some("#00000080"));
/// assert_eq!(parse_color("white").as_deref(), Some("#FFFFFF"));
/// assert_eq!(parse_color("White"), None); // names are lower case, as the schema lists them
/// assert_eq!(parse_color("#fff"), None);
/// assert_eq!(parse_color("ultraviolet"), None);
/// ```
pub fn parse_color(text: &str) -> Option<String> {
    if let Some(hex) = text.strip_prefix('#') {
        if !matches!(hex.len(), 6 | 8) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let upper = hex.to_ascii_uppercase();
        let canonical = upper.strip_suffix("FF").filter(|_| upper.len() == 8);
        return Some(format!("#{}", canonical.unwrap_or(&upper)));
    }
    COLOR_NAMES
        .iter()
        .find(|(name, _)| *name == text)
        .map(|(_, hex)| format!("#{hex}"))
}

/// The regular expression (ECMA-262) of the hexadecimal forms, for JSON Schema.
pub const COLOR_HEX_PATTERN: &str = "^#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lower_case_unique_and_valid() {
        let mut seen = std::collections::HashSet::new();
        for (name, hex) in COLOR_NAMES {
            assert!(seen.insert(*name), "{name}");
            assert_eq!(name.to_ascii_lowercase(), *name);
            assert_eq!(parse_color(&format!("#{hex}")).unwrap(), format!("#{hex}"));
        }
        assert_eq!(COLOR_NAMES.len(), 140);
    }

    #[test]
    fn rejects_near_misses() {
        for bad in [
            "",
            "#",
            "#12345",
            "#1234567",
            "#GGGGGG",
            "red ",
            "0xFF0000",
            "#ff0000ff0",
        ] {
            assert_eq!(parse_color(bad), None, "{bad:?}");
        }
    }
}
