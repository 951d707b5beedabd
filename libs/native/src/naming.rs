//! A row's columns named, as `warden_request_logger.schema.ColumnNamer` and `name_by_payload` name them (they
//! are the definition). The namer is made from the Python one's steps; a schema this code would name
//! differently (repeated names or categories, category keys beyond 2**53) gets no namer here, and the caller
//! keeps the Python path for it.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::json::{Decline, Read, Value};

/// What an element holds: a value of the payload, or what the schema made of one.
pub enum Element<'v, 'a, 'n> {
    Value(&'v Value<'a>),
    /// A category's name from the schema.
    Category(&'n str),
    /// An integral float no category is named for, as `int(value)`.
    Int(i64),
    /// One element per category (PROBA / ONE_HOT features).
    Group(Vec<(&'n str, &'v Value<'a>)>),
    /// The feature's columns as a list (TENSOR features).
    Span(&'v [Value<'a>]),
}

pub type Elements<'v, 'a, 'n> = Vec<(Cow<'n, str>, Element<'v, 'a, 'n>)>;

enum Step {
    One(String, usize),
    Lookup(String, usize, Categories),
    Group(String, usize, Vec<String>),
    Span(String, usize, usize),
}

/// `_CategoryLookup`: names by category text, and by number (the keys Python writes as an int or a
/// non-integral float, compared as doubles, which is exact up to 2**53).
pub struct Categories {
    by_text: HashMap<String, String>,
    by_number: HashMap<u64, String>,
}

pub const WIDEST_EXACT_INT: i64 = 1 << 53;

/// The key a number is looked up by: its double's bits, -0.0 as 0.0 (equal numbers, one key, as in a dict).
pub fn number_key(value: f64) -> u64 {
    if value == 0.0 {
        0.0f64.to_bits()
    } else {
        value.to_bits()
    }
}

impl Categories {
    pub fn new(by_text: HashMap<String, String>, by_number: HashMap<u64, String>) -> Self {
        Categories { by_text, by_number }
    }

    fn of<'v, 'a, 'n>(&'n self, value: &'v Value<'a>) -> Read<Element<'v, 'a, 'n>> {
        let found = match value {
            Value::Str(text) => self.by_text.get(*text),
            Value::Int(number) if (-WIDEST_EXACT_INT..=WIDEST_EXACT_INT).contains(number) => {
                self.by_number.get(&number_key(*number as f64))
            }
            Value::Float(number) => self.by_number.get(&number_key(*number)),
            _ => return Err(Decline), // bools, nulls, wide ints: Python compares their text
        };
        if let Some(name) = found {
            return Ok(Element::Category(name));
        }
        match value {
            Value::Float(number) if number.fract() == 0.0 => {
                if number.abs() >= 9.223372036854776e18 {
                    return Err(Decline);
                }
                Ok(Element::Int(*number as i64))
            }
            _ => Ok(Element::Value(value)),
        }
    }
}

pub struct Namer {
    width: usize,
    steps: Vec<Step>,
}

pub enum StepSpec {
    One,
    Lookup(Categories),
    Group(Vec<String>),
    Span,
}

impl Namer {
    /// From the Python namer's steps: (name, first column, end column, what the feature makes of them).
    /// None when this code would not name rows exactly as Python does.
    pub fn new(width: usize, specs: Vec<(String, usize, usize, StepSpec)>) -> Option<Self> {
        let names: Vec<&str> = specs.iter().map(|(name, _, _, _)| name.as_str()).collect();
        if !all_distinct(&names) {
            return None;
        }
        let mut steps = Vec::with_capacity(specs.len());
        for (name, start, end, spec) in specs {
            if start > end || end > width {
                return None;
            }
            steps.push(match spec {
                StepSpec::One => Step::One(name, start),
                StepSpec::Lookup(categories) => Step::Lookup(name, start, categories),
                StepSpec::Group(categories) => {
                    if !all_distinct(&categories) || categories.len() != end - start {
                        return None;
                    }
                    Step::Group(name, start, categories)
                }
                StepSpec::Span => Step::Span(name, start, end),
            });
        }
        Some(Namer { width, steps })
    }

    /// `ColumnNamer.name`: None when the row does not have the columns the schema describes.
    pub fn name<'v, 'a, 'n>(&'n self, columns: &'v [Value<'a>]) -> Read<Option<Elements<'v, 'a, 'n>>> {
        if self.width != columns.len() || self.steps.is_empty() {
            return Ok(None);
        }
        let mut elements: Elements = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            let (name, element) = match step {
                Step::One(name, at) => (name, Element::Value(&columns[*at])),
                Step::Lookup(name, at, categories) => (name, categories.of(&columns[*at])?),
                Step::Group(name, at, categories) => {
                    let values = &columns[*at..*at + categories.len()];
                    (
                        name,
                        Element::Group(categories.iter().map(String::as_str).zip(values).collect()),
                    )
                }
                Step::Span(name, start, end) => (name, Element::Span(&columns[*start..*end])),
            };
            elements.push((Cow::Borrowed(name.as_str()), element));
        }
        Ok(Some(elements))
    }
}

/// `name_by_payload`: the payload's own column names, else positions ("0", "1", ...).
pub fn name_by_payload<'v, 'a, 'n>(names: &[&'a str], columns: &'v [Value<'a>]) -> Read<Elements<'v, 'a, 'n>>
where
    'a: 'n,
{
    if names.len() == columns.len() {
        if !all_distinct(names) {
            return Err(Decline); // a dict keeps the first place and the last value: let Python do it
        }
        return Ok(names
            .iter()
            .zip(columns)
            .map(|(n, v)| (Cow::Borrowed(*n), Element::Value(v)))
            .collect());
    }
    Ok(columns
        .iter()
        .enumerate()
        .map(|(i, v)| (Cow::Owned(i.to_string()), Element::Value(v)))
        .collect())
}

fn all_distinct<T: Eq + std::hash::Hash>(items: &[T]) -> bool {
    if items.len() <= 16 {
        return items.iter().enumerate().all(|(i, item)| !items[..i].contains(item));
    }
    let mut seen = std::collections::HashSet::with_capacity(items.len());
    items.iter().all(|item| seen.insert(item))
}
