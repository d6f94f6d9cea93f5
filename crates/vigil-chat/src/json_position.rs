//! Where a streaming JSON reader is in its input: the line, the nesting
//! depth and the line each open object or array began on, so a message
//! read by serde can be given the line it starts on. Also a cap on the
//! bytes between two marks, so one huge string is refused before it is held.

use std::cell::RefCell;
use std::io::{self, Read};
use std::rc::Rc;

/// The most bytes one message (or anything between two marks) may take.
/// Platforms cap a message at a few kilobytes of text; this leaves room for
/// long entity arrays and never lets a 2 GB string into memory.
pub const MAX_ITEM: u64 = 64 << 20;

#[derive(Debug, Default)]
pub struct Position {
    /// The line of the next byte, from 1.
    pub line: u64,
    pub depth: usize,
    in_string: bool,
    escape: bool,
    /// The line each open `{` or `[` at a depth began on.
    opens: Vec<u64>,
    since_mark: u64,
    /// Set when the cap was passed, so the error can say so.
    pub over_cap: bool,
}

impl Position {
    fn scan(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.line += 1;
            }
            if self.in_string {
                if self.escape {
                    self.escape = false;
                } else if b == b'\\' {
                    self.escape = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => {
                    if self.opens.len() <= self.depth {
                        self.opens.resize(self.depth + 1, 0);
                    }
                    self.opens[self.depth] = self.line;
                    self.depth += 1;
                }
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
    }

    /// The line the most recent `{` or `[` opened at `depth` began on.
    pub fn opened_at(&self, depth: usize) -> u64 {
        self.opens.get(depth).copied().unwrap_or(self.line)
    }

    /// Starts a new allowance of [`MAX_ITEM`] bytes.
    pub fn mark(&mut self) {
        self.since_mark = 0;
    }
}

/// A reader that keeps a shared [`Position`] up to date.
pub struct Tracked<R> {
    inner: R,
    pub pos: Rc<RefCell<Position>>,
}

impl<R: Read> Tracked<R> {
    pub fn new(inner: R) -> Self {
        Tracked { inner, pos: Rc::new(RefCell::new(Position { line: 1, ..Default::default() })) }
    }
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut p = self.pos.borrow_mut();
        p.since_mark += n as u64;
        if p.since_mark > MAX_ITEM {
            p.over_cap = true;
            return Err(io::Error::other("item too large"));
        }
        p.scan(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_with_brackets_and_escaped_quotes_do_not_move_the_depth() {
        let mut p = Position { line: 1, ..Default::default() };
        p.scan(b"{\n \"a\": \"x{[\\\"]\",\n \"b\": [\n  {\"c\": 1}\n ]\n}");
        assert_eq!((p.depth, p.line), (0, 6));
        assert_eq!(p.opened_at(2), 4);
    }
}
