//! The shared parts of the visitor JSON readers (the Discord data
//! package's `messages.json`, Instagram):
//! running a serde visitor over a tracked stream with errors that name the
//! file, line and JSON path, and a visitor for a list whose elements are
//! read one at a time, each given the line it starts on.

use crate::error::ChatError;
use crate::json_position::{Position, Tracked, MAX_ITEM};
use crate::message::Item;
use serde::de::{self, DeserializeOwned, DeserializeSeed, SeqAccess, Visitor};
use std::cell::{Cell, RefCell};
use std::fmt;
use std::io::{BufReader, Read};
use std::marker::PhantomData;
use std::rc::Rc;

pub type JsonDe<R> = serde_json::Deserializer<serde_json::de::IoRead<Tracked<BufReader<R>>>>;

pub struct Stream<'e> {
    pub file: String,
    pos: Rc<RefCell<Position>>,
    emit: RefCell<&'e mut dyn FnMut(Item) -> Result<(), ChatError>>,
    failed: RefCell<Option<ChatError>>,
    path: RefCell<String>,
    pub messages: Cell<u64>,
}

impl Stream<'_> {
    /// Stops the read with `e`, which [`run`] then returns.
    pub fn fail<E: de::Error>(&self, e: ChatError) -> E {
        *self.failed.borrow_mut() = Some(e);
        E::custom("stopped")
    }

    /// Hands an item on.
    pub fn send(&self, item: Item) -> Result<(), ChatError> {
        if matches!(item, Item::Message(_)) {
            self.messages.set(self.messages.get() + 1);
        }
        (self.emit.borrow_mut())(item)
    }

    /// Notes the path being read, for errors.
    pub fn at(&self, path: &str) {
        path.clone_into(&mut self.path.borrow_mut());
        self.pos.borrow_mut().mark();
    }
}

/// Reads `input` with `body`, mapping every failure to one that names the
/// file, line and path.
pub fn run<R: Read>(
    file: &str,
    input: R,
    emit: &mut dyn FnMut(Item) -> Result<(), ChatError>,
    body: impl FnOnce(&Stream<'_>, &mut JsonDe<R>) -> Result<(), serde_json::Error>,
) -> Result<u64, ChatError> {
    let tracked = Tracked::new(BufReader::with_capacity(64 << 10, input));
    let stream = Stream {
        file: file.to_owned(),
        pos: tracked.pos.clone(),
        emit: RefCell::new(emit),
        failed: RefCell::new(None),
        path: RefCell::new(String::new()),
        messages: Cell::new(0),
    };
    let mut de = serde_json::Deserializer::from_reader(tracked);
    let read = body(&stream, &mut de).and_then(|()| de.end());
    if let Some(e) = stream.failed.borrow_mut().take() {
        return Err(e);
    }
    if let Err(e) = read {
        let pos = stream.pos.borrow();
        let path = stream.path.borrow();
        let at = if path.is_empty() { String::new() } else { format!(" ({path})") };
        let why = if pos.over_cap {
            format!("one item is larger than {} MiB; no chat message is", MAX_ITEM >> 20)
        } else if e.is_eof() {
            "the JSON ends before it is complete (is the file cut short?)".to_owned()
        } else {
            e.to_string().split(" at line ").next().unwrap_or("not valid JSON").to_owned()
        };
        let line = if e.line() > 0 { e.line() as u64 } else { pos.line };
        return Err(ChatError::at(format!("{file} line {line}{at}"), why));
    }
    Ok(stream.messages.get())
}

/// A JSON list read one element at a time; `each` gets the element, its
/// source (`file line N (path[i])`) and its index.
pub struct Elements<'s, 'e, T, F> {
    pub stream: &'s Stream<'e>,
    pub path: String,
    pub each: F,
    pub _t: PhantomData<T>,
}

impl<'s, 'e, T, F> Elements<'s, 'e, T, F> {
    pub fn new(stream: &'s Stream<'e>, path: String, each: F) -> Self {
        Elements { stream, path, each, _t: PhantomData }
    }
}

impl<'de, T: DeserializeOwned, F: FnMut(T, String, usize) -> Result<(), ChatError>> DeserializeSeed<'de>
    for Elements<'_, '_, T, F>
{
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T: DeserializeOwned, F: FnMut(T, String, usize) -> Result<(), ChatError>> Visitor<'de>
    for Elements<'_, '_, T, F>
{
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let path = format!("{}[{i}]", self.path);
            self.stream.at(&path);
            let depth = self.stream.pos.borrow().depth;
            let Some(item) = seq.next_element::<T>()? else { return Ok(()) };
            let line = self.stream.pos.borrow().opened_at(depth);
            let source = format!("{} line {line} ({path})", self.stream.file);
            (self.each)(item, source, i).map_err(|e| self.stream.fail(e))?;
            i += 1;
        }
    }
}
