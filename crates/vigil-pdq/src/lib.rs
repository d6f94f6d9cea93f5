//! PDQ, Meta's 256-bit perceptual image hash, computed exactly as the
//! reference C++ in facebook/ThreatExchange `pdq/cpp` computes it: the same
//! f32 operations in the same order, so every lossless image gives the
//! identical hash and quality.
//!
//! Stages: luma → two passes of Jarosz box filters along rows then columns
//! (window `(dim + 127) / 128`) → a 64×64 point sample → quality from the
//! neighbour gradients → a 16×16 DCT (rows then columns, f32 sums in k order)
//! → each coefficient compared with the Torben median. The 8 dihedral hashes
//! are sign and transpose changes of the same DCT output.
//!
//! Speed comes from layout, never from reordering a sum: the column pass
//! runs across all columns at once, one row at a time, which keeps each
//! column's additions in the reference order while the CPU vectorises
//! across columns.

mod dct;
mod hash256;
mod image_input;
mod index;
mod jarosz;
mod luma;
mod median;
mod pdq;
mod preview;
mod quality;
mod stack;
pub mod synthetic;

pub use dct::dct_matrix;
pub use hash256::{Hash256, HashParseError};
pub use image_input::{hash_bytes, hash_file, hash_rgb, looks_like_image, ImageError};
pub use index::{parse_pdq_lines, IndexEntry, IndexError, IndexMatch, PdqIndex};
pub use jarosz::{decimate, jarosz_filter, window_size};
pub use luma::{luma_from_grey, luma_from_rgb, luma_from_rgba};
pub use median::torben;
pub use pdq::{dihedral_from_luma, hash_from_luma, Dihedral, PdqHasher, PdqResult, MIN_HASHABLE_DIM};
pub use preview::{preview_jpeg, preview_of_rgb, render_preview, ViewSettings, PREVIEW_SIDE};
pub use quality::quality;
pub use stack::{stack, Stack, StackInput, Stacks, STACK_MIN_QUALITY, STACK_RADIUS};
