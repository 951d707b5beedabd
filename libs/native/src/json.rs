//! JSON read and written exactly as the Python path does it (`orjson.loads`, then `orjson.dumps`), for the part
//! of JSON where that is simple to be sure of. Reading declines (`Decline`) everything else, and the caller
//! then runs the Python path, which accepts, reads or refuses the text as it always did:
//! - strings with a backslash (escapes: lone surrogates and `\u0000` are where readers disagree), a raw
//!   control character (invalid JSON) or invalid UTF-8;
//! - integers outside i64 (orjson reads wider ones as floats, the codec then hands them to `json`), numbers
//!   that overflow a double (`1e400`), NaN / Infinity (not JSON; `json` reads them);
//! - objects with a repeated key (a dict keeps the first position and the last value), nesting deeper than
//!   `MAX_DEPTH`.
//!
//! Writing is orjson's: no spaces, non-ASCII as is, `"` `\` and control characters escaped, floats as zmij's
//! shortest round-trip text (orjson formats floats with zmij too).

use std::io::Write;

/// A text this code does not read (or a value it does not write) exactly as the Python path would.
#[derive(Debug)]
pub struct Decline;

pub type Read<T> = Result<T, Decline>;

const MAX_DEPTH: usize = 64;

/// A decoded JSON value; strings are borrowed from the text (they hold no escapes, see the module doc).
#[derive(Debug)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    Array(Vec<Value<'a>>),
    Object(Vec<(&'a str, Value<'a>)>),
}

impl<'a> Value<'a> {
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        match self {
            Value::Object(entries) => entries.iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn as_str(&self) -> Option<&'a str> {
        if let Value::Str(text) = self {
            Some(text)
        } else {
            None
        }
    }

    /// A scalar as Python's decoded JSON has it: str, int, float, bool or None.
    pub fn is_scalar(&self) -> bool {
        !matches!(self, Value::Array(_) | Value::Object(_))
    }
}

pub fn parse(text: &[u8]) -> Read<Value<'_>> {
    // One check for the whole text, so strings can be sliced from it without checking each.
    let text = std::str::from_utf8(text).map_err(|_| Decline)?;
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    reader.skip_space();
    let value = reader.value(0)?;
    reader.skip_space();
    if reader.at != reader.bytes.len() {
        return Err(Decline);
    }
    Ok(value)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.at) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Read<u8> {
        self.bytes.get(self.at).copied().ok_or(Decline)
    }

    fn literal(&mut self, word: &[u8], value: Value<'a>) -> Read<Value<'a>> {
        if self.bytes[self.at..].starts_with(word) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(Decline)
        }
    }

    fn value(&mut self, depth: usize) -> Read<Value<'a>> {
        match self.peek()? {
            b'{' => self.object(depth + 1),
            b'[' => self.array(depth + 1),
            b'"' => Ok(Value::Str(self.string()?)),
            b't' => self.literal(b"true", Value::Bool(true)),
            b'f' => self.literal(b"false", Value::Bool(false)),
            b'n' => self.literal(b"null", Value::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(Decline),
        }
    }

    fn string(&mut self) -> Read<&'a str> {
        self.at += 1; // the opening quote
        let start = self.at;
        loop {
            match self.peek()? {
                b'"' => break,
                b'\\' => return Err(Decline),
                byte if byte < 0x20 => return Err(Decline),
                _ => self.at += 1,
            }
        }
        let text = &self.text[start..self.at];
        self.at += 1;
        Ok(text)
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while let Some(b'0'..=b'9') = self.bytes.get(self.at) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Read<Value<'a>> {
        let start = self.at;
        if self.bytes[self.at] == b'-' {
            self.at += 1;
        }
        let first = self.peek()?;
        let whole = self.digits();
        if whole == 0 || (first == b'0' && whole > 1) {
            return Err(Decline); // no digits, or a leading zero: not JSON
        }
        let mut integral = true;
        if self.bytes.get(self.at) == Some(&b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(Decline);
            }
            integral = false;
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.at) {
            self.at += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.at) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(Decline);
            }
            integral = false;
        }
        let text = &self.text[start..self.at];
        if integral {
            text.parse::<i64>().map(Value::Int).map_err(|_| Decline)
        } else {
            let number = text.parse::<f64>().map_err(|_| Decline)?;
            if number.is_finite() {
                Ok(Value::Float(number))
            } else {
                Err(Decline)
            }
        }
    }

    /// The comma-separated items of an array or object up to `close`, each read by `item` (the reader at the
    /// opening bracket, which counts one level of `depth`).
    fn items(&mut self, depth: usize, close: u8, mut item: impl FnMut(&mut Self) -> Read<()>) -> Read<()> {
        if depth > MAX_DEPTH {
            return Err(Decline);
        }
        self.at += 1;
        self.skip_space();
        if self.peek()? == close {
            self.at += 1;
            return Ok(());
        }
        loop {
            self.skip_space();
            item(self)?;
            self.skip_space();
            match self.peek()? {
                b',' => self.at += 1,
                byte if byte == close => {
                    self.at += 1;
                    return Ok(());
                }
                _ => return Err(Decline),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Read<Value<'a>> {
        let mut items = Vec::new();
        self.items(depth, b']', |reader| {
            items.push(reader.value(depth)?);
            Ok(())
        })?;
        Ok(Value::Array(items))
    }

    fn object(&mut self, depth: usize) -> Read<Value<'a>> {
        let mut entries: Vec<(&'a str, Value<'a>)> = Vec::new();
        self.items(depth, b'}', |reader| {
            if reader.peek()? != b'"' {
                return Err(Decline);
            }
            let key = reader.string()?;
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(Decline);
            }
            reader.skip_space();
            if reader.peek()? != b':' {
                return Err(Decline);
            }
            reader.at += 1;
            reader.skip_space();
            entries.push((key, reader.value(depth)?));
            Ok(())
        })?;
        Ok(Value::Object(entries))
    }
}

/// orjson's escapes: `"`, `\` and the control characters below 0x20 (\b \t \n \f \r short, others \u00xx).
pub fn escape_into(buf: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        if byte >= 0x20 && byte != b'"' && byte != b'\\' {
            continue;
        }
        buf.extend_from_slice(&bytes[start..at]);
        start = at + 1;
        match byte {
            b'"' => buf.extend_from_slice(b"\\\""),
            b'\\' => buf.extend_from_slice(b"\\\\"),
            0x08 => buf.extend_from_slice(b"\\b"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            0x0c => buf.extend_from_slice(b"\\f"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                buf.extend_from_slice(b"\\u00");
                buf.push(HEX[(byte >> 4) as usize]);
                buf.push(HEX[(byte & 0xf) as usize]);
            }
        }
    }
    buf.extend_from_slice(&bytes[start..]);
}

/// `items` between `open` and `close`, each written by `write`, with commas between: a JSON array, or an object's
/// entries when `write` writes `"key":value`.
pub fn write_joined<T>(
    buf: &mut Vec<u8>,
    (open, close): (u8, u8),
    items: impl IntoIterator<Item = T>,
    mut write: impl FnMut(&mut Vec<u8>, T),
) {
    buf.push(open);
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        write(buf, item);
    }
    buf.push(close);
}

pub const ARRAY: (u8, u8) = (b'[', b']');
pub const OBJECT: (u8, u8) = (b'{', b'}');

pub fn write_str(buf: &mut Vec<u8>, text: &str) {
    buf.reserve(text.len() + 2);
    buf.push(b'"');
    escape_into(buf, text);
    buf.push(b'"');
}

pub fn write_float(buf: &mut Vec<u8>, value: f64) {
    if value.is_finite() {
        buf.extend_from_slice(zmij::Buffer::new().format_finite(value).as_bytes());
    } else {
        buf.extend_from_slice(b"null");
    }
}

pub fn write_int(buf: &mut Vec<u8>, value: i64) {
    write!(buf, "{value}").expect("writing to a Vec");
}

pub fn write_value(buf: &mut Vec<u8>, value: &Value<'_>) {
    match value {
        Value::Null => buf.extend_from_slice(b"null"),
        Value::Bool(truth) => buf.extend_from_slice(if *truth { b"true" } else { b"false" }),
        Value::Int(number) => write_int(buf, *number),
        Value::Float(number) => write_float(buf, *number),
        // Read strings hold nothing to escape (no `"`, `\` or control characters), so they are copied.
        Value::Str(text) => {
            buf.push(b'"');
            buf.extend_from_slice(text.as_bytes());
            buf.push(b'"');
        }
        Value::Array(items) => write_array(buf, items),
        Value::Object(entries) => write_joined(buf, OBJECT, entries, |buf, (key, item)| {
            buf.push(b'"');
            buf.extend_from_slice(key.as_bytes());
            buf.extend_from_slice(b"\":");
            write_value(buf, item);
        }),
    }
}

pub fn write_array(buf: &mut Vec<u8>, items: &[Value<'_>]) {
    write_joined(buf, ARRAY, items, write_value);
}
