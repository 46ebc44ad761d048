//! Raster images: their size and metadata read from the header alone, so
//! that a file claiming 100,000 × 100,000 pixels is refused before a pixel
//! is allocated; decoded upright (the EXIF orientation applied); and the
//! smaller sizes written without any of the original's metadata.
//!
//! Decoding and scaling use the `image` crate. WebP renditions are lossy,
//! written by libwebp (the `webp` crate): `image`'s own WebP encoder is
//! lossless only, which makes photographs larger than their JPEG. AVIF is
//! kept as uploaded, without renditions: the maintained decoders (dav1d)
//! are C libraries this build does not carry.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, Limits};

use super::{MediaKind, RenditionFormat, UploadError};

/// JPEG quality of renditions: visually lossless for figures and photos.
const JPEG_QUALITY: u8 = 82;
/// libwebp's quality of renditions.
const WEBP_QUALITY: f32 = 80.0;

/// What the header says about an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// As displayed: after the EXIF orientation.
    pub width: u32,
    pub height: u32,
    /// The file carries GPS coordinates (EXIF).
    pub has_location: bool,
}

/// One smaller size of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    pub width: u32,
    pub height: u32,
    pub format: RenditionFormat,
    pub bytes: Vec<u8>,
}

fn format_of(kind: MediaKind) -> Option<ImageFormat> {
    match kind {
        MediaKind::Jpeg => Some(ImageFormat::Jpeg),
        MediaKind::Png => Some(ImageFormat::Png),
        MediaKind::Gif => Some(ImageFormat::Gif),
        MediaKind::Webp => Some(ImageFormat::WebP),
        MediaKind::Avif | MediaKind::Svg | MediaKind::Pdf => None,
    }
}

fn malformed(kind: MediaKind, error: impl std::fmt::Display) -> UploadError {
    UploadError::Malformed { kind: kind.extension(), reason: error.to_string() }
}

/// A decoder for the header of `bytes`, refusing more than `max_pixels`
/// before anything is decoded. The decoder's own allocations are capped
/// too: four bytes a pixel, plus room for its tables.
fn decoder(bytes: &[u8], kind: MediaKind, max_pixels: u64) -> Result<impl ImageDecoder + '_, UploadError> {
    let format = format_of(kind).ok_or(UploadError::UnsupportedType)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(max_pixels.saturating_mul(4).saturating_add(64 << 20));
    reader.limits(limits);
    let decoder = reader.into_decoder().map_err(|e| malformed(kind, e))?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(malformed(kind, "it has no pixels"));
    }
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(UploadError::TooManyPixels { width, height, max: max_pixels });
    }
    Ok(decoder)
}

/// Size and metadata of a raster image, from its header.
pub fn probe(bytes: &[u8], kind: MediaKind, max_pixels: u64) -> Result<Probe, UploadError> {
    if kind == MediaKind::Avif {
        return probe_avif(bytes, max_pixels);
    }
    let mut decoder = decoder(bytes, kind, max_pixels)?;
    let (width, height) = decoder.dimensions();
    let turned = decoder.orientation().is_ok_and(quarter_turn);
    let exif = decoder.exif_metadata().ok().flatten();
    let has_location = exif.is_some_and(|raw| carries_location(&raw));
    let (width, height) = if turned { (height, width) } else { (width, height) };
    Ok(Probe { width, height, has_location })
}

fn quarter_turn(orientation: image::metadata::Orientation) -> bool {
    use image::metadata::Orientation::*;
    matches!(orientation, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH)
}

/// Whether raw EXIF (a TIFF structure) has a GPS directory with anything in it.
fn carries_location(raw: &[u8]) -> bool {
    let Ok(exif) = exif::Reader::new().read_raw(raw.to_vec()) else { return false };
    exif.fields().any(|field| field.tag.context() == exif::Context::Gps)
}

/// An AVIF's size from its `ispe` (image spatial extents) property: no
/// maintained pure-Rust decoder reads AVIF, so it is only measured.
fn probe_avif(bytes: &[u8], max_pixels: u64) -> Result<Probe, UploadError> {
    let head = &bytes[..bytes.len().min(1 << 16)];
    let at = head.windows(4).position(|w| w == b"ispe").ok_or_else(|| malformed(MediaKind::Avif, "no ispe box"))?;
    let word =
        |offset: usize| head.get(at + offset..at + offset + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let (Some(width), Some(height)) = (word(8), word(12)) else {
        return Err(malformed(MediaKind::Avif, "its ispe box is cut short"));
    };
    if width == 0 || height == 0 {
        return Err(malformed(MediaKind::Avif, "it has no pixels"));
    }
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(UploadError::TooManyPixels { width, height, max: max_pixels });
    }
    Ok(Probe { width, height, has_location: false })
}

/// Decode `bytes` upright and write it at each of `widths` narrower than
/// itself, in each format [`RenditionFormat::for_original`] gives its
/// kind; an animated GIF gives stills of its first frame. Each size is
/// scaled from the next larger one, which keeps a 24-megapixel photo's set
/// to about one full-size pass.
pub fn renditions(
    bytes: &[u8],
    kind: MediaKind,
    max_pixels: u64,
    widths: &[u32],
) -> Result<Vec<Rendition>, UploadError> {
    let formats = RenditionFormat::for_original(kind);
    if formats.is_empty() {
        return Ok(Vec::new());
    }
    let mut decoder = decoder(bytes, kind, max_pixels)?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| malformed(kind, e))?;
    image.apply_orientation(orientation);
    let mut wanted: Vec<u32> = widths.iter().copied().filter(|w| *w > 0 && *w < image.width()).collect();
    wanted.sort_unstable_by(|a, b| b.cmp(a));
    wanted.dedup();
    let mut out = Vec::with_capacity(wanted.len() * formats.len());
    let mut source = image;
    for width in wanted {
        let height = super::scaled_height(source.width(), source.height(), width);
        let scaled = source.resize_exact(width, height, FilterType::CatmullRom);
        for format in formats {
            out.push(Rendition { width, height, format: *format, bytes: encode(&scaled, *format)? });
        }
        source = scaled;
    }
    Ok(out)
}

fn encode(image: &DynamicImage, format: RenditionFormat) -> Result<Vec<u8>, UploadError> {
    let failed = |e: String| UploadError::Malformed { kind: format.as_str(), reason: format!("cannot encode: {e}") };
    let (width, height) = (image.width(), image.height());
    let alpha = image.color().has_alpha();
    let mut out = Vec::new();
    match format {
        RenditionFormat::Webp => {
            let encoded = if alpha {
                let rgba = image.to_rgba8();
                webp::Encoder::from_rgba(rgba.as_raw(), width, height).encode_simple(false, WEBP_QUALITY)
            } else {
                let rgb = image.to_rgb8();
                webp::Encoder::from_rgb(rgb.as_raw(), width, height).encode_simple(false, WEBP_QUALITY)
            };
            out = encoded.map_err(|e| failed(format!("{e:?}")))?.to_vec();
        }
        RenditionFormat::Jpeg => {
            let rgb = image.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
                .write_image(rgb.as_raw(), width, height, image::ExtendedColorType::Rgb8)
                .map_err(|e| failed(e.to_string()))?;
        }
        RenditionFormat::Png => {
            let png = image::codecs::png::PngEncoder::new(&mut out);
            if alpha {
                png.write_image(image.to_rgba8().as_raw(), width, height, image::ExtendedColorType::Rgba8)
            } else {
                png.write_image(image.to_rgb8().as_raw(), width, height, image::ExtendedColorType::Rgb8)
            }
            .map_err(|e| failed(e.to_string()))?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    /// A `width` × `height` JPEG, left half red and right half blue, with
    /// EXIF `orientation` and, if asked, a GPS directory.
    fn jpeg(width: u32, height: u32, orientation: u8, gps: bool) -> Vec<u8> {
        let picture =
            RgbImage::from_fn(width, height, |x, _| if x < width / 2 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) });
        let mut out = Vec::new();
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
        encoder.set_exif_metadata(exif_block(orientation, gps)).unwrap();
        encoder.write_image(picture.as_raw(), width, height, image::ExtendedColorType::Rgb8).unwrap();
        out
    }

    /// Little-endian TIFF: IFD0 with Orientation and, if asked, a GPSInfo
    /// pointer to a directory holding GPSLatitudeRef = "N".
    fn exif_block(orientation: u8, gps: bool) -> Vec<u8> {
        let entries: u16 = if gps { 2 } else { 1 };
        let mut b = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
        b.extend_from_slice(&entries.to_le_bytes());
        b.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation, 0, 0, 0]);
        let gps_at = 8 + 2 + 12 * u32::from(entries) + 4;
        if gps {
            b.extend_from_slice(&[0x25, 0x88, 4, 0, 1, 0, 0, 0]);
            b.extend_from_slice(&gps_at.to_le_bytes());
        }
        b.extend_from_slice(&0u32.to_le_bytes());
        if gps {
            b.extend_from_slice(&1u16.to_le_bytes());
            b.extend_from_slice(&[0x01, 0x00, 2, 0, 2, 0, 0, 0, b'N', 0, 0, 0]);
            b.extend_from_slice(&0u32.to_le_bytes());
        }
        b
    }

    #[test]
    fn sizes_are_read_upright_and_locations_are_noticed() {
        let plain = jpeg(64, 32, 1, false);
        assert_eq!(probe(&plain, MediaKind::Jpeg, 1 << 20), Ok(Probe { width: 64, height: 32, has_location: false }));
        let turned = jpeg(64, 32, 6, true);
        assert_eq!(probe(&turned, MediaKind::Jpeg, 1 << 20), Ok(Probe { width: 32, height: 64, has_location: true }));
    }

    #[test]
    fn renditions_are_upright_narrower_than_the_original_and_carry_no_metadata() {
        // Stored sideways (orientation 6: turn 90° clockwise to display):
        // displayed, it is 600 wide and 1200 tall, red on top.
        let original = jpeg(1200, 600, 6, true);
        let made = renditions(&original, MediaKind::Jpeg, 1 << 24, &[480, 960, 1440]).unwrap();
        let sizes: Vec<(u32, u32, RenditionFormat)> = made.iter().map(|r| (r.width, r.height, r.format)).collect();
        assert_eq!(sizes, [(480, 960, RenditionFormat::Webp), (480, 960, RenditionFormat::Jpeg)]);
        for rendition in &made {
            let decoded = image::load_from_memory(&rendition.bytes).unwrap().to_rgb8();
            let (top, bottom) = (decoded.get_pixel(240, 100), decoded.get_pixel(240, 860));
            assert!(top[0] > 200 && top[2] < 60, "{:?}: top is {top:?}", rendition.format);
            assert!(bottom[2] > 200 && bottom[0] < 60, "{:?}: bottom is {bottom:?}", rendition.format);
            let mut reader =
                ImageReader::new(Cursor::new(&rendition.bytes)).with_guessed_format().unwrap().into_decoder().unwrap();
            assert_eq!(reader.exif_metadata().unwrap(), None, "{:?} carries EXIF", rendition.format);
        }
    }

    #[test]
    fn a_pixel_bomb_is_refused_from_its_header() {
        // A 1 × 1 PNG whose header is rewritten to claim 100,000 × 100,000.
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&[0, 0, 0], 1, 1, image::ExtendedColorType::Rgb8)
            .unwrap();
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let expected = UploadError::TooManyPixels { width: 100_000, height: 100_000, max: 50_000_000 };
        assert_eq!(probe(&png, MediaKind::Png, 50_000_000), Err(expected.clone()));
        assert_eq!(renditions(&png, MediaKind::Png, 50_000_000, &[480]), Err(expected));
    }

    /// The CRC a PNG chunk ends with (ISO 3309), so the rewritten header
    /// is a valid one.
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = u32::MAX;
        for byte in data {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { 0xEDB8_8320 ^ (crc >> 1) } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn a_png_with_alpha_keeps_it_and_a_small_one_gets_no_renditions() {
        let picture = image::RgbaImage::from_pixel(1000, 500, image::Rgba([0, 128, 0, 100]));
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(picture.as_raw(), 1000, 500, image::ExtendedColorType::Rgba8)
            .unwrap();
        let made = renditions(&png, MediaKind::Png, 1 << 24, &[480, 960, 1920]).unwrap();
        assert_eq!(made.len(), 4);
        for rendition in &made {
            let decoded = image::load_from_memory(&rendition.bytes).unwrap();
            assert!(decoded.color().has_alpha(), "{:?} lost its alpha", rendition.format);
        }
        assert_eq!(renditions(&png, MediaKind::Png, 1 << 24, &[1000, 1920]).unwrap(), []);
    }
}
