//! FFmpeg as a frame source: `ffprobe` for the stream's size and rate,
//! `ffmpeg` for the sampled frames as raw RGB24 on a pipe.

use crate::error::VideoError;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

/// What the first video stream says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamInfo {
    pub width: usize,
    pub height: usize,
    /// `avg_frame_rate`, or `r_frame_rate` where the average is unknown, as
    /// the reference takes it.
    pub frame_rate: f64,
}

/// File names that are video containers FFmpeg reads, by extension.
pub fn looks_like_video(path: &str) -> bool {
    const EXT: [&str; 13] =
        ["mp4", "m4v", "mov", "mkv", "webm", "avi", "wmv", "flv", "3gp", "ts", "mpg", "mpeg", "mts"];
    path.rsplit_once('.').is_some_and(|(_, e)| EXT.contains(&e.to_ascii_lowercase().as_str()))
}

/// Whether `ffmpeg` and `ffprobe` can be run.
pub fn ffmpeg_available() -> bool {
    ["ffmpeg", "ffprobe"].iter().all(|p| {
        Command::new(p).arg("-version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
    })
}

fn spawn_error(program: &'static str, file: &Path, e: std::io::Error) -> VideoError {
    if e.kind() == std::io::ErrorKind::NotFound {
        VideoError::ToolMissing { program }
    } else {
        VideoError::Io { file: file.to_path_buf(), source: e }
    }
}

fn rate(text: &str) -> Option<f64> {
    let (n, d) = text.split_once('/')?;
    let (n, d): (f64, f64) = (n.trim().parse().ok()?, d.trim().parse().ok()?);
    (n > 0.0 && d > 0.0).then_some(n / d)
}

/// The first video stream's size and frame rate.
pub fn probe(file: &Path) -> Result<StreamInfo, VideoError> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .arg("stream=width,height,avg_frame_rate,r_frame_rate")
        .args(["-of", "json", "--"])
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error("ffprobe", file, e))?;
    let probe_err = |message: String| VideoError::Probe { file: file.to_path_buf(), message };
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
        // ffprobe names the file itself; the error names it once.
        let msg = msg.strip_prefix(&format!("{}: ", file.display())).map(str::to_string).unwrap_or(msg);
        return Err(probe_err(if msg.is_empty() { "ffprobe could not read it".into() } else { msg }));
    }
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| probe_err(format!("ffprobe's answer: {e}")))?;
    let s = v["streams"].get(0).ok_or_else(|| probe_err("no video stream".into()))?;
    let dim = |k: &str| s[k].as_u64().filter(|d| *d > 0).map(|d| d as usize);
    let (width, height) = match (dim("width"), dim("height")) {
        (Some(w), Some(h)) => (w, h),
        _ => return Err(probe_err("the video stream has no width or height".into())),
    };
    let frame_rate = s["avg_frame_rate"]
        .as_str()
        .and_then(rate)
        .or_else(|| s["r_frame_rate"].as_str().and_then(rate))
        .ok_or_else(|| probe_err("the video stream has no frame rate".into()))?;
    Ok(StreamInfo { width, height, frame_rate })
}

/// One frame at `seconds`, scaled to `width` pixels wide, as PNG: for an
/// officer who asks to see the edge of a cut.
pub fn frame_png(file: &Path, seconds: f64, width: u32) -> Result<Vec<u8>, VideoError> {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-ss", &format!("{:.3}", seconds.max(0.0)), "-i"])
        .arg(file)
        .args(["-map", "0:v:0", "-frames:v", "1", "-vf", &format!("scale={width}:-2"), "-f", "image2pipe"])
        .args(["-vcodec", "png", "pipe:1"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| spawn_error("ffmpeg", file, e))?;
    if !out.status.success() || out.stdout.is_empty() {
        let msg = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(VideoError::Decode {
            file: file.to_path_buf(),
            message: if msg.is_empty() { format!("no frame at {seconds:.1} s") } else { msg },
        });
    }
    Ok(out.stdout)
}

/// A rectangle of the picture, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CropBox {
    pub width: usize,
    pub height: usize,
    pub x: usize,
    pub y: usize,
}

/// The picture inside black bars (letterbox or pillarbox), found by FFmpeg's
/// `cropdetect` over the key frames: the union of what every key frame
/// shows, so a dark scene does not shrink it. None when there are no bars.
pub fn detect_bars(file: &Path, info: &StreamInfo) -> Result<Option<CropBox>, VideoError> {
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-v", "info", "-skip_frame", "nokey", "-i"])
        .arg(file)
        .args(["-map", "0:v:0", "-vf", "cropdetect=limit=24:round=2:reset=0", "-f", "null", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .output()
        .map_err(|e| spawn_error("ffmpeg", file, e))?;
    if !out.status.success() {
        return Err(VideoError::Decode {
            file: file.to_path_buf(),
            message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stderr).rsplit("crop=").next().and_then(|last| parse_crop(last, info)))
}

fn parse_crop(text: &str, info: &StreamInfo) -> Option<CropBox> {
    let nums: Vec<usize> = text.split(|c: char| !c.is_ascii_digit()).take(4).filter_map(|n| n.parse().ok()).collect();
    let [width, height, x, y] = nums[..] else { return None };
    let b = CropBox { width, height, x, y };
    let inside = width >= 16 && height >= 16 && x + width <= info.width && y + height <= info.height;
    (inside && (width, height) != (info.width, info.height)).then_some(b)
}

/// Every `step`-th decoded frame (0, step, 2·step, …) of the first video
/// stream, as RGB24 at the stream's size.
pub struct SampledFrames {
    file: PathBuf,
    child: Child,
    stdout: ChildStdout,
    stderr: Option<std::thread::JoinHandle<Vec<u8>>>,
    frame_bytes: usize,
}

impl SampledFrames {
    /// Frames cut to `crop` when it is given, otherwise at the stream's size.
    pub fn open(file: &Path, info: &StreamInfo, step: u64, crop: Option<CropBox>) -> Result<Self, VideoError> {
        // `select` sees every decoded frame in decoding output order, so its
        // `n` is the reference's frame number; passthrough keeps FFmpeg from
        // duplicating or dropping frames to reach a constant rate. The size
        // is fixed to the probed one, as the reference scales to it.
        let mut filter = format!("select=not(mod(n\\,{step})),scale={}:{}:flags=area", info.width, info.height);
        let (w, h) = match crop {
            Some(c) => {
                filter.push_str(&format!(",crop={}:{}:{}:{}", c.width, c.height, c.x, c.y));
                (c.width, c.height)
            }
            None => (info.width, info.height),
        };
        let mut child = Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-i"])
            .arg(file)
            .args(["-map", "0:v:0", "-vf", &filter, "-fps_mode", "passthrough"])
            .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| spawn_error("ffmpeg", file, e))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let mut err = child.stderr.take().expect("piped stderr");
        // Drained on its own thread so a chatty decoder never blocks on a full pipe.
        let stderr = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = (&mut err).take(64 * 1024).read_to_end(&mut buf);
            let _ = std::io::copy(&mut err, &mut std::io::sink());
            buf
        });
        Ok(Self { file: file.to_path_buf(), child, stdout, stderr: Some(stderr), frame_bytes: w * h * 3 })
    }

    /// Fills `buf` with the next frame; false at the end of the stream.
    pub fn next_frame(&mut self, buf: &mut Vec<u8>) -> Result<bool, VideoError> {
        buf.resize(self.frame_bytes, 0);
        let mut filled = 0;
        while filled < self.frame_bytes {
            match self.stdout.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(VideoError::Io { file: self.file.clone(), source: e }),
            }
        }
        if filled == self.frame_bytes {
            return Ok(true);
        }
        self.finish()?;
        if filled == 0 {
            Ok(false)
        } else {
            Err(VideoError::Decode {
                file: self.file.clone(),
                message: format!("a frame ended after {filled} of {} bytes", self.frame_bytes),
            })
        }
    }

    fn finish(&mut self) -> Result<(), VideoError> {
        let status = self.child.wait().map_err(|e| VideoError::Io { file: self.file.clone(), source: e })?;
        let stderr = self.stderr.take().map(|h| h.join().unwrap_or_default()).unwrap_or_default();
        if status.success() {
            Ok(())
        } else {
            let msg = String::from_utf8_lossy(&stderr).trim().to_string();
            Err(VideoError::Decode {
                file: self.file.clone(),
                message: if msg.is_empty() { format!("ffmpeg exited with {status}") } else { msg },
            })
        }
    }
}

impl Drop for SampledFrames {
    fn drop(&mut self) {
        if self.stderr.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn videos_are_known_by_their_extension() {
        assert!(looks_like_video("a/b.MP4") && looks_like_video("x.webm"));
        assert!(!looks_like_video("a/b.png") && !looks_like_video("mp4"));
    }

    #[test]
    fn cropdetect_answers_are_read_and_checked() {
        let info = StreamInfo { width: 320, height: 240, frame_rate: 30.0 };
        assert_eq!(parse_crop("320:180:0:30\n", &info), Some(CropBox { width: 320, height: 180, x: 0, y: 30 }));
        assert_eq!(parse_crop("320:240:0:0", &info), None, "the whole picture is no crop");
        assert_eq!(parse_crop("320:240:8:0", &info), None, "outside the picture");
        assert_eq!(parse_crop("garbage", &info), None);
    }

    #[test]
    fn rates_parse_as_ffprobe_writes_them() {
        assert_eq!(rate("30/1"), Some(30.0));
        assert!((rate("30000/1001").unwrap() - 29.97).abs() < 0.01);
        assert_eq!(rate("0/0"), None);
        assert_eq!(rate("25"), None);
    }
}
