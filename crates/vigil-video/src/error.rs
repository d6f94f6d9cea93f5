use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    #[error("{program} was not found: install FFmpeg (Debian: apt-get install ffmpeg)")]
    ToolMissing { program: &'static str },
    #[error("{file}: {message}")]
    Probe { file: PathBuf, message: String },
    #[error("{file}: FFmpeg could not decode it: {message}")]
    Decode { file: PathBuf, message: String },
    #[error("{file}: {source}")]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
