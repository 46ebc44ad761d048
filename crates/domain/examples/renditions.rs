//! How long an upload's renditions take: a 24-megapixel JPEG (6000 × 4000,
//! a photograph's gradients and grain) inspected and turned into the
//! default widths in WebP and JPEG, as `POST /api/v1/admin/media` does.
//! `make bench` runs it in release and reports the median of five; run it
//! alone with `cargo run --release -p longform-domain --example renditions`.

use std::time::{Duration, Instant};

use image::ImageEncoder;
use longform_domain::media::{self, DEFAULT_WIDTHS, raster};

const WIDTH: u32 = 6000;
const HEIGHT: u32 = 4000;
const RUNS: usize = 5;

type Failure = Box<dyn std::error::Error>;

fn photograph() -> Result<Vec<u8>, Failure> {
    let picture = image::RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let grain = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 28;
        let channel = |base: u32, scale: u32| ((base + (x * scale) / WIDTH + y * 60 / HEIGHT + grain) % 256) as u8;
        image::Rgb([channel(30, 150), channel(80, 90), channel(140, 60)])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).write_image(
        picture.as_raw(),
        WIDTH,
        HEIGHT,
        image::ExtendedColorType::Rgb8,
    )?;
    Ok(out)
}

fn main() -> Result<(), Failure> {
    let bytes = photograph()?;
    let max_pixels = 50_000_000;
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut made = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let inspected = media::inspect(&bytes, max_pixels)?;
        made = raster::renditions(&bytes, inspected.kind, max_pixels, &DEFAULT_WIDTHS)?.len();
        times.push(started.elapsed());
    }
    times.sort();
    let median = times[RUNS / 2];
    println!(
        "renditions of a {WIDTH}x{HEIGHT} JPEG ({} KB): {made} files, median {:.2} s of {RUNS} (fastest {:.2} s)",
        bytes.len() / 1024,
        median.as_secs_f64(),
        times[0].as_secs_f64()
    );
    Ok(())
}
