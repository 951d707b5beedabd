//! The searchable forms of a part's elements, as `warden_common.logstore.opensearch_searchable._walk` makes them
//! (that module is the definition and says why each rule is there): typed terms, and the aggregatable numbers
//! and texts by field name, with Python's dict semantics (a repeated field name keeps its first place).
//!
//! What a name gives (its term prefix, its field name, both already JSON-escaped) is made once per name and kept
//! in `Names`; terms are written straight into the JSON from the name and the value.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Write;

use rustc_hash::FxHashMap;

use crate::json::{escape_into, write_float, write_int, write_joined, write_str, Value, ARRAY, OBJECT};
use crate::naming::{Element, WIDEST_EXACT_INT};

/// The bounds the Python side defines (passed in once, so they are not restated here).
pub struct Limits {
    pub max_features: usize,
    pub max_keyword: usize,
    pub max_name_chars: usize,
    pub max_slot_names: usize,
    pub max_slot_name: usize,
}

/// What an element name gives, made once.
struct NameForms {
    /// `<len>:<name>=` JSON-escaped, without the kind letter and quotes; None for a name too long to search.
    term_tail: Option<Vec<u8>>,
    /// `"<field_name(name)>"` as JSON.
    field: Vec<u8>,
    chars: usize,
}

/// Element names seen, bounded (names come from payloads): started afresh when `limit` are kept.
pub struct Names {
    /// Keyed by names from payloads, so with the standard library's keyed (SipHash) hash, like Python's dicts.
    ids: HashMap<String, u32>,
    forms: Vec<NameForms>,
    limit: usize,
}

impl Names {
    pub fn new(limit: usize) -> Self {
        Names {
            ids: HashMap::new(),
            forms: Vec::new(),
            limit,
        }
    }

    /// Called between parts only: the forms of the one being made must stay where they are.
    pub fn trim(&mut self) {
        if self.forms.len() >= self.limit {
            self.ids.clear();
            self.forms.clear();
        }
    }

    fn id(&mut self, name: &str, limits: &Limits) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let chars = name.chars().count();
        let term_tail = (chars <= limits.max_name_chars).then(|| {
            let mut tail = Vec::with_capacity(name.len() + 8);
            write!(tail, "{chars}:").expect("writing to a Vec");
            escape_into(&mut tail, name);
            tail.push(b'=');
            tail
        });
        let mut field = Vec::with_capacity(name.len() + 2);
        write_str(&mut field, &name.replace('%', "%25").replace('.', "%2E"));
        let id = self.forms.len() as u32;
        self.forms.push(NameForms {
            term_tail,
            field,
            chars,
        });
        self.ids.insert(name.to_owned(), id);
        id
    }
}

#[derive(Clone, Copy)]
enum Number {
    Int(i64),
    Float(f64),
}

enum Term<'t> {
    Number(u32, u64),
    Text(u32, &'t str),
    Bool(u32, bool),
}

enum Text<'t> {
    Str(&'t str),
    Bool(bool),
}

/// Field name -> value, in first-set order; setting a name again replaces its value in place (a dict's way).
/// A part has a few dozen at most as a rule, which a scan finds faster than a hash; wide rows get an index.
struct Slots<V> {
    entries: Vec<(u32, V)>,
    /// By name id (ours, not a payload's): a fast hash is safe here. Made once the entries are many.
    at: Option<FxHashMap<u32, usize>>,
}

const SCANNED_SLOTS: usize = 32;

impl<V> Slots<V> {
    fn new() -> Self {
        Slots {
            entries: Vec::new(),
            at: None,
        }
    }

    fn set(&mut self, id: u32, value: V) {
        let found = match &self.at {
            Some(at) => at.get(&id).copied(),
            None => self.entries.iter().position(|(known, _)| *known == id),
        };
        if let Some(position) = found {
            self.entries[position].1 = value;
            return;
        }
        self.entries.push((id, value));
        match &mut self.at {
            Some(at) => {
                at.insert(id, self.entries.len() - 1);
            }
            None if self.entries.len() > SCANNED_SLOTS => {
                self.at = Some(
                    self.entries
                        .iter()
                        .enumerate()
                        .map(|(i, (known, _))| (*known, i))
                        .collect(),
                );
            }
            None => {}
        }
    }
}

pub struct Forms<'t> {
    terms: Vec<Term<'t>>,
    numbers: Slots<Number>,
    texts: Slots<Text<'t>>,
}

/// The first `limit` characters (code points, as Python slices) of `text`.
fn chars_prefix(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text; // fewer bytes than the limit: fewer characters too
    }
    match text.char_indices().nth(limit) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// `sortable_number`'s bits: as text (16 hex digits) they sort exactly as the doubles they encode.
fn sortable_bits(value: f64) -> u64 {
    let bits = (if value == 0.0 { 0.0 } else { value }).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// 16 lower-case hex digits, as `f"{bits:016x}"`.
fn write_hex(buf: &mut Vec<u8>, bits: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for shift in (0..16).rev() {
        buf.push(HEX[((bits >> (shift * 4)) & 0xf) as usize]);
    }
}

/// What one element is to the walk.
enum Scalar<'t> {
    Number(Number),
    Text(&'t str),
    Bool(bool),
    Skipped,
}

fn scalar<'t>(value: &'t Value<'_>) -> Scalar<'t> {
    match value {
        Value::Int(number) => Scalar::Number(Number::Int(*number)),
        Value::Float(number) => Scalar::Number(Number::Float(*number)),
        Value::Str(text) => Scalar::Text(text),
        Value::Bool(truth) => Scalar::Bool(*truth),
        // Lists (tensors, images) and nulls are kept in `elements` but neither searchable nor aggregatable.
        Value::Null | Value::Array(_) | Value::Object(_) => Scalar::Skipped,
    }
}

impl<'t> Forms<'t> {
    pub fn new() -> Self {
        Forms {
            terms: Vec::new(),
            numbers: Slots::new(),
            texts: Slots::new(),
        }
    }

    /// `_walk` over a part's elements (groups walked in place, their slots only at the top level).
    pub fn walk(&mut self, names: &mut Names, limits: &Limits, elements: &'t [(Cow<'t, str>, Element<'t, 't, 't>)]) {
        for (key, element) in elements {
            let key: &str = key;
            let value = match element {
                Element::Group(entries) => {
                    let (term_room, slot_room) = self.room(limits, true);
                    if !(term_room || slot_room) {
                        return;
                    }
                    let chars = key.chars().count();
                    let slot = slot_room && 0 < chars && chars <= limits.max_slot_name;
                    for (category, value) in entries {
                        // A full group ends its own walk only: the next top-level element may still have a slot.
                        if !self.element(names, limits, &format!("{key}.{category}"), scalar(value), slot) {
                            break;
                        }
                    }
                    continue;
                }
                Element::Value(value) => scalar(value),
                Element::Category(text) => Scalar::Text(text),
                Element::Int(number) => Scalar::Number(Number::Int(*number)),
                Element::Span(_) => Scalar::Skipped,
            };
            if !self.element(names, limits, key, value, true) {
                return;
            }
        }
    }

    fn room(&self, limits: &Limits, slots: bool) -> (bool, bool) {
        let term_room = self.terms.len() < limits.max_features;
        let slot_room = slots && self.numbers.entries.len() + self.texts.entries.len() < limits.max_slot_names;
        (term_room, slot_room)
    }

    /// One element; false when both the terms and the slots are full (the walk stops).
    fn element(&mut self, names: &mut Names, limits: &Limits, name: &str, value: Scalar<'t>, slots: bool) -> bool {
        let (term_room, slot_room) = self.room(limits, slots);
        if !(term_room || slot_room) {
            return false;
        }
        if let Scalar::Skipped = value {
            return true;
        }
        let id = names.id(name, limits);
        let forms = &names.forms[id as usize];
        let searchable = term_room && forms.term_tail.is_some();
        let slot = slot_room && 0 < forms.chars && forms.chars <= limits.max_slot_name;
        match value {
            Scalar::Number(number) => {
                let (double, aggregatable) = match number {
                    Number::Int(whole) => (whole as f64, (-WIDEST_EXACT_INT..=WIDEST_EXACT_INT).contains(&whole)),
                    Number::Float(double) => (double, double.is_finite()),
                };
                if searchable && double.is_finite() {
                    self.terms.push(Term::Number(id, sortable_bits(double)));
                }
                if slot && aggregatable {
                    self.numbers.set(id, number);
                }
            }
            Scalar::Text(text) => {
                if searchable {
                    self.terms.push(Term::Text(id, text));
                }
                if slot {
                    self.texts.set(id, Text::Str(text));
                }
            }
            Scalar::Bool(truth) => {
                if searchable {
                    self.terms.push(Term::Bool(id, truth));
                }
                if slot {
                    self.texts.set(id, Text::Bool(truth));
                }
            }
            Scalar::Skipped => {}
        }
        true
    }

    pub fn write_terms(&self, buf: &mut Vec<u8>, names: &Names, limits: &Limits) {
        write_joined(buf, ARRAY, &self.terms, |buf, term| {
            let (id, kind) = match term {
                Term::Number(id, _) => (id, b'n'),
                Term::Text(id, _) => (id, b's'),
                Term::Bool(id, _) => (id, b'b'),
            };
            buf.push(b'"');
            buf.push(kind);
            buf.extend_from_slice(names.forms[*id as usize].term_tail.as_deref().unwrap_or_default());
            match term {
                Term::Number(_, bits) => write_hex(buf, *bits),
                Term::Text(_, text) => escape_into(buf, chars_prefix(text, limits.max_keyword)),
                Term::Bool(_, truth) => buf.extend_from_slice(if *truth { b"true" } else { b"false" }),
            }
            buf.push(b'"');
        });
    }

    pub fn write_numbers(&self, buf: &mut Vec<u8>, names: &Names) {
        write_joined(buf, OBJECT, &self.numbers.entries, |buf, (id, value)| {
            buf.extend_from_slice(&names.forms[*id as usize].field);
            buf.push(b':');
            match value {
                Number::Int(whole) => write_int(buf, *whole),
                Number::Float(double) => write_float(buf, *double),
            }
        });
    }

    pub fn write_texts(&self, buf: &mut Vec<u8>, names: &Names, limits: &Limits) {
        write_joined(buf, OBJECT, &self.texts.entries, |buf, (id, text)| {
            buf.extend_from_slice(&names.forms[*id as usize].field);
            buf.push(b':');
            match text {
                Text::Str(text) => write_str(buf, chars_prefix(text, limits.max_keyword)),
                Text::Bool(truth) => write_str(buf, if *truth { "true" } else { "false" }),
            }
        });
    }
}
