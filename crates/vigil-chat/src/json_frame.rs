//! A streaming JSON reader that walks the outer structure of a large export
//! itself and hands each inner value (one message) over whole, as a slice,
//! to be parsed by serde from memory: one pass over the bytes, with at most
//! one message (and a read buffer) held, and every value still checked as
//! JSON. Each value comes with the line it starts on, for its source.
//!
//! serde_json reading from a stream goes byte by byte through the reader;
//! parsing a slice is several times faster, and the framing scan here is a
//! tight loop over the buffer.

use crate::error::ChatError;
use crate::json_position::MAX_ITEM;
use serde::de::{DeserializeOwned, IgnoredAny};
use std::io::Read;

/// The buffer's first size, so a small export costs little; it doubles
/// while reads fill it (a large export) up to [`STEADY`], and beyond that
/// only when less than half of it is free (one large value).
const START: usize = 64 << 10;
const STEADY: usize = 1 << 20;

pub struct Frames<R> {
    input: R,
    pub file: String,
    buf: Vec<u8>,
    /// The unread part is `buf[at..end]`.
    at: usize,
    end: usize,
    /// Whether the last read filled the buffer: more is waiting.
    filled: bool,
    eof: bool,
    /// The line of `buf[at]`, from 1.
    line: u64,
    /// What is being read, for errors (`messages[3]`).
    pub path: String,
}

/// Why the framing stopped: the error names the file, line and path.
impl<R: Read> Frames<R> {
    pub fn new(input: R, file: &str) -> Self {
        Frames {
            input,
            file: file.to_owned(),
            buf: Vec::new(),
            at: 0,
            end: 0,
            filled: false,
            eof: false,
            line: 1,
            path: String::new(),
        }
    }

    /// An error at the current line and path.
    pub fn error(&self, why: impl Into<String>) -> ChatError {
        self.error_at(self.line, why)
    }

    pub fn error_at(&self, line: u64, why: impl Into<String>) -> ChatError {
        let at = if self.path.is_empty() { String::new() } else { format!(" ({})", self.path) };
        ChatError::at(format!("{} line {line}{at}", self.file), why.into())
    }

    fn cut_short(&self) -> ChatError {
        self.error("the JSON ends before it is complete (is the file cut short?)")
    }

    /// Reads more input after what is unread; false at the end.
    fn fill(&mut self) -> Result<bool, ChatError> {
        if self.eof {
            return Ok(false);
        }
        if self.at > 0 {
            self.buf.copy_within(self.at..self.end, 0);
            self.end -= self.at;
            self.at = 0;
        }
        let busy = self.filled && self.buf.len() < STEADY;
        if busy || self.buf.len() - self.end < self.buf.len() / 2 || self.end == self.buf.len() {
            let grown = (self.buf.len() * 2).max(START);
            self.buf.resize(grown, 0);
        }
        let n = loop {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        };
        self.filled = self.end + n == self.buf.len();
        self.end += n;
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// Consumes `n` unread bytes, counting their lines.
    fn consume(&mut self, n: usize) {
        self.line += memchr::memchr_iter(b'\n', &self.buf[self.at..self.at + n]).count() as u64;
        self.at += n;
    }

    /// The next byte that is not white space, unconsumed; `None` at the end.
    pub fn peek(&mut self) -> Result<Option<u8>, ChatError> {
        loop {
            while self.at < self.end {
                match self.buf[self.at] {
                    b'\n' => {
                        self.line += 1;
                        self.at += 1;
                    }
                    b' ' | b'\t' | b'\r' => self.at += 1,
                    b => return Ok(Some(b)),
                }
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Consumes `want`, after any white space.
    pub fn expect(&mut self, want: u8, what: &str) -> Result<(), ChatError> {
        match self.peek()? {
            Some(b) if b == want => {
                self.at += 1;
                Ok(())
            }
            Some(_) => Err(self.error(format!("expected {what}"))),
            None => Err(self.cut_short()),
        }
    }

    /// Within an object (after its `{`), the next key, or `None` at its
    /// `}` (consumed). `first` says whether any key has been read yet.
    pub fn next_key(&mut self, first: bool) -> Result<Option<String>, ChatError> {
        match self.peek()? {
            Some(b'}') => {
                self.at += 1;
                return Ok(None);
            }
            Some(b',') if !first => self.at += 1,
            Some(_) if first => {}
            Some(_) => return Err(self.error("expected `,` or `}`")),
            None => return Err(self.cut_short()),
        }
        if self.peek()? != Some(b'"') {
            return Err(if self.eof && self.at >= self.end {
                self.cut_short()
            } else {
                self.error("expected a key in quotes")
            });
        }
        let (key, _) = self.value::<String>()?;
        self.expect(b':', "`:` after a key")?;
        Ok(Some(key))
    }

    /// Within a list (after its `[`), whether another element follows
    /// (its `,` consumed); at the `]`, consumes it and says no.
    pub fn next_element(&mut self, first: bool) -> Result<bool, ChatError> {
        match self.peek()? {
            Some(b']') => {
                self.at += 1;
                Ok(false)
            }
            Some(b',') if !first => {
                self.at += 1;
                Ok(true)
            }
            Some(_) if first => Ok(true),
            Some(_) => Err(self.error("expected `,` or `]`")),
            None => Err(self.cut_short()),
        }
    }

    /// The length of the complete value starting at `buf[at]` (after white
    /// space), reading more input as needed; refused past [`MAX_ITEM`].
    fn value_len(&mut self) -> Result<usize, ChatError> {
        if self.peek()?.is_none() {
            return Err(self.cut_short());
        }
        let mut i = 0usize;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escape = false;
        let scalar = !matches!(self.buf[self.at], b'{' | b'[' | b'"');
        loop {
            let buf = &self.buf[self.at..self.end];
            while i < buf.len() {
                let b = buf[i];
                if in_string {
                    if escape {
                        escape = false;
                    } else if b == b'\\' {
                        escape = true;
                    } else if b == b'"' {
                        in_string = false;
                        if depth == 0 {
                            return Ok(i + 1);
                        }
                    } else if let Some(j) = memchr::memchr2(b'"', b'\\', &buf[i + 1..]) {
                        // Skip the string's plain run at once.
                        i += j;
                    } else {
                        i = buf.len() - 1;
                    }
                } else if scalar {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                        return Ok(i);
                    }
                } else {
                    match b {
                        b'"' => in_string = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                return Ok(i + 1);
                            }
                        }
                        _ => {}
                    }
                }
                i += 1;
            }
            if i as u64 > MAX_ITEM {
                return Err(self.error(format!("one item is larger than {} MiB; no chat message is", MAX_ITEM >> 20)));
            }
            if !self.fill()? {
                if scalar && i > 0 {
                    return Ok(i);
                }
                // Named where the file ends.
                let end = self.line + memchr::memchr_iter(b'\n', &self.buf[self.at..self.end]).count() as u64;
                return Err(self.error_at(end, "the JSON ends before it is complete (is the file cut short?)"));
            }
        }
    }

    /// The next complete value, parsed by serde from memory, with the line
    /// it starts on.
    pub fn value<T: DeserializeOwned>(&mut self) -> Result<(T, u64), ChatError> {
        let n = self.value_len()?;
        let line = self.line;
        let parsed = serde_json::from_slice::<T>(&self.buf[self.at..self.at + n]);
        let parsed = parsed.map_err(|e| {
            let why = e.to_string().split(" at line ").next().unwrap_or("not valid JSON").to_owned();
            self.error_at(line + (e.line() as u64).saturating_sub(1), why)
        })?;
        self.consume(n);
        Ok((parsed, line))
    }

    /// A list (`what`, its `[` next) read one element at a time, each parsed
    /// from memory and handed to `each` with its source (`file line N
    /// (path[i])`).
    pub fn each_element<T: DeserializeOwned>(
        &mut self,
        path: &str,
        what: &str,
        mut each: impl FnMut(T, String) -> Result<(), ChatError>,
    ) -> Result<(), ChatError> {
        self.expect(b'[', what)?;
        let mut i = 0usize;
        while self.next_element(i == 0)? {
            self.path = format!("{path}[{i}]");
            let (value, line) = self.value::<T>()?;
            each(value, format!("{} line {line} ({})", self.file, self.path))?;
            i += 1;
        }
        Ok(())
    }

    /// Passes over the next value, checking it is JSON.
    pub fn skip(&mut self) -> Result<(), ChatError> {
        self.value::<IgnoredAny>().map(|_| ())
    }

    /// After the document: nothing but white space may follow.
    pub fn end(&mut self) -> Result<(), ChatError> {
        match self.peek()? {
            None => Ok(()),
            Some(_) => Err(self.error("trailing characters after the JSON")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_whole_with_their_lines_across_reads() {
        let json = "{\n \"a\": [\n  {\"x\": \"}]\\\"\"},\n  2, true , null,\n  \"s\"\n ]\n}\n";
        // Read a byte at a time, so every value spans reads.
        struct Slow<'a>(&'a [u8]);
        impl Read for Slow<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut f = Frames::new(Slow(json.as_bytes()), "t.json");
        f.expect(b'{', "{").unwrap();
        assert_eq!(f.next_key(true).unwrap().as_deref(), Some("a"));
        f.expect(b'[', "[").unwrap();
        let mut got = Vec::new();
        let mut first = true;
        while f.next_element(first).unwrap() {
            first = false;
            let (v, line) = f.value::<serde_json::Value>().unwrap();
            got.push((v.to_string(), line));
        }
        assert_eq!(
            got,
            vec![
                (r#"{"x":"}]\""}"#.to_owned(), 3),
                ("2".into(), 4),
                ("true".into(), 4),
                ("null".into(), 4),
                ("\"s\"".into(), 5)
            ]
        );
        assert_eq!(f.next_key(false).unwrap(), None);
        f.end().unwrap();
    }

    #[test]
    fn a_cut_or_broken_value_is_named_by_its_line() {
        let mut f = Frames::new("[\n {\"a\": 1},\n {\"b\": ".as_bytes(), "t.json");
        f.path = "x[1]".into();
        f.expect(b'[', "[").unwrap();
        assert!(f.next_element(true).unwrap());
        f.skip().unwrap();
        assert!(f.next_element(false).unwrap());
        let e = f.skip().unwrap_err().to_string();
        assert_eq!(e, "t.json line 3 (x[1]): the JSON ends before it is complete (is the file cut short?)");
        let mut f = Frames::new("[{\"a\":\n tru}]".as_bytes(), "t.json");
        f.expect(b'[', "[").unwrap();
        assert!(f.next_element(true).unwrap());
        let e = f.skip().unwrap_err().to_string();
        assert!(e.starts_with("t.json line 2: "), "{e}");
    }
}
