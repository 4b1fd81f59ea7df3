//! Recognizes a logo file by its first bytes. The content type a browser sends is ignored,
//! because it follows the file name and a renamed file would pass.

use shared::branding::LOGO_MAX_BYTES;

/// The image formats a logo may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoFormat {
    Png,
    Jpeg,
    Webp,
}

impl LogoFormat {
    pub fn media_type(self) -> &'static str {
        match self {
            LogoFormat::Png => "image/png",
            LogoFormat::Jpeg => "image/jpeg",
            LogoFormat::Webp => "image/webp",
        }
    }
}

/// The PNG signature followed by the length and type of the IHDR chunk, which must come first
/// (PNG specification, sections 5.2 and 5.3).
const PNG_START: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR";
/// SOI marker and the first byte of the next marker (JPEG, ITU T.81, annex B).
const JPEG_START: &[u8] = b"\xff\xd8\xff";

/// Returns the format of `bytes`, or why they cannot be a logo, as a message for the `logo`
/// field.
pub fn check(bytes: &[u8]) -> Result<LogoFormat, String> {
    if bytes.is_empty() {
        return Err("is empty: choose a PNG, JPEG or WebP file of at most 512 KiB".into());
    }
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(too_large(Some(bytes.len())));
    }
    if bytes.starts_with(PNG_START) {
        return Ok(LogoFormat::Png);
    }
    if bytes.starts_with(JPEG_START) {
        return Ok(LogoFormat::Jpeg);
    }
    // A RIFF container whose form type is WEBP and whose first chunk is VP8, VP8L or VP8X.
    if bytes.len() >= 16
        && &bytes[..4] == b"RIFF"
        && &bytes[8..12] == b"WEBP"
        && &bytes[12..15] == b"VP8"
    {
        return Ok(LogoFormat::Webp);
    }
    Err(unsupported(bytes))
}

/// Explains a file over [`LOGO_MAX_BYTES`], of `size` bytes when the size is known.
pub fn too_large(size: Option<usize>) -> String {
    let size = match size {
        Some(size) => format!("is {} KiB, ", size.div_ceil(1024)),
        None => "is ".into(),
    };
    format!(
        "{size}larger than the maximum of {} KiB; shrink or compress the image and upload it \
         again",
        LOGO_MAX_BYTES / 1024
    )
}

fn unsupported(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    let text = head.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('<') && (text.contains("<svg") || text.starts_with("<?xml")) {
        return "is an SVG image, which is not accepted because SVG files can carry script; \
                export the logo as PNG, JPEG or WebP"
            .into();
    }
    if bytes.starts_with(b"GIF8") {
        return "is a GIF image; export the logo as PNG, JPEG or WebP".into();
    }
    "is not a PNG, JPEG or WebP image (its first bytes match none of these formats); export \
     the logo in one of them"
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Vec<u8> {
        let mut bytes = PNG_START.to_vec();
        bytes.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
        bytes
    }

    #[test]
    fn formats_by_first_bytes() {
        assert_eq!(check(&png()), Ok(LogoFormat::Png));
        assert_eq!(check(b"\xff\xd8\xff\xe0\0\x10JFIF\0"), Ok(LogoFormat::Jpeg));
        assert_eq!(
            check(b"RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0"),
            Ok(LogoFormat::Webp)
        );
    }

    #[test]
    fn svg_with_png_name_is_rejected() {
        let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
        let message = check(svg).unwrap_err();
        assert!(message.starts_with("is an SVG image"), "{message}");
        let message = check(b"  <svg onload=\"alert(1)\"/>").unwrap_err();
        assert!(message.starts_with("is an SVG image"), "{message}");
    }

    #[test]
    fn other_files_are_rejected() {
        assert!(check(b"").unwrap_err().starts_with("is empty"));
        assert!(check(b"GIF89a....").unwrap_err().starts_with("is a GIF"));
        assert!(check(b"\x89PNG\r\n\x1a\n").is_err(), "a signature alone");
        assert!(check(b"RIFF\0\0\0\0WAVEfmt ").is_err());
        let mut large = png();
        large.resize(LOGO_MAX_BYTES + 1, 0);
        assert!(check(&large).unwrap_err().contains("maximum of 512 KiB"));
    }
}
