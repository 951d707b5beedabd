//! Compiled hot path of Warden's request logger: an executor's request or response body (the event's JSON bytes)
//! straight to the part of an OpenSearch instance document, searchable forms included, without building the
//! Python objects in between. The Python path (`warden_request_logger.documents` and
//! `warden_common.logstore.opensearch_searchable`) stays the definition: the bytes here are the ones
//! `orjson.dumps` writes for what it builds, the tests hold the two equal, and any body outside the common
//! shapes this code takes (one Seldon or single-tensor V2 row: `payload`; JSON it reads exactly as the Python
//! path does: `json`) is answered with None, so the caller runs the Python path.

mod forms;
mod json;
mod naming;
mod payload;

use std::collections::HashMap;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyFloat, PyInt, PyList};

use forms::{Forms, Limits, Names};
use json::{write_array, write_int, write_joined, write_str, write_value, Decline, Read, ARRAY, OBJECT};
use naming::{name_by_payload, number_key, Categories, Element, Elements, StepSpec, WIDEST_EXACT_INT};
use payload::{row, Part};

/// A prediction schema's column namer (`ColumnNamer`), made once per schema by `namer()`.
#[pyclass(frozen)]
struct Namer {
    inner: naming::Namer,
}

/// The namer for `ColumnNamer.native_steps()`'s (kind, name, first column, end column, extra) steps, or None
/// when this code would not name rows exactly as the Python namer does (the caller keeps the Python path).
#[pyfunction]
fn namer(width: usize, steps: &Bound<'_, PyList>) -> PyResult<Option<Namer>> {
    let mut specs = Vec::with_capacity(steps.len());
    for step in steps.iter() {
        let (kind, name, start, end, extra): (String, String, usize, usize, Bound<'_, PyAny>) = step.extract()?;
        let spec = match kind.as_str() {
            "one" => StepSpec::One,
            "span" => StepSpec::Span,
            "group" => StepSpec::Group(extra.extract()?),
            "lookup" => match categories(&extra)? {
                Some(categories) => StepSpec::Lookup(categories),
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        specs.push((name, start, end, spec));
    }
    Ok(naming::Namer::new(width, specs).map(|inner| Namer { inner }))
}

/// (names by text, names by number) of a `_CategoryLookup`; None for a number key not exact as a double.
fn categories(extra: &Bound<'_, PyAny>) -> PyResult<Option<Categories>> {
    let (by_text, by_number): (HashMap<String, String>, Bound<'_, PyDict>) = extra.extract()?;
    let mut numbers = HashMap::with_capacity(by_number.len());
    for (key, name) in by_number.iter() {
        let double = if key.is_exact_instance_of::<PyFloat>() {
            key.extract::<f64>()?
        } else if key.is_exact_instance_of::<PyInt>() {
            match key.extract::<i64>() {
                Ok(whole) if (-WIDEST_EXACT_INT..=WIDEST_EXACT_INT).contains(&whole) => whole as f64,
                _ => return Ok(None),
            }
        } else {
            return Ok(None);
        };
        numbers.insert(number_key(double), name.extract::<String>()?);
    }
    Ok(Some(Categories::new(by_text, numbers)))
}

/// Writes the request or response part of an instance document, as the OpenSearch store would send it.
#[pyclass]
struct PartEncoder {
    limits: Limits,
    names: Names,
    max_payload_bytes: usize,
    inline: String,
}

#[pymethods]
impl PartEncoder {
    #[new]
    #[pyo3(signature = (*, max_features, max_keyword, max_name_chars, max_slot_names, max_slot_name,
                        max_payload_bytes, max_cached_names, payload_inline))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        max_features: usize,
        max_keyword: usize,
        max_name_chars: usize,
        max_slot_names: usize,
        max_slot_name: usize,
        max_payload_bytes: usize,
        max_cached_names: usize,
        payload_inline: String,
    ) -> Self {
        PartEncoder {
            limits: Limits {
                max_features,
                max_keyword,
                max_name_chars,
                max_slot_names,
                max_slot_name,
            },
            names: Names::new(max_cached_names),
            max_payload_bytes,
            inline: payload_inline,
        }
    }

    /// The part's JSON (its searchable forms included) for an event of `part` ("request" / "response") with
    /// `body` as its data; None when the body is not one this code takes.
    #[pyo3(signature = (part, body, time, ce_id, model_id, content_type, namer))]
    #[allow(clippy::too_many_arguments)]
    fn encode<'py>(
        &mut self,
        py: Python<'py>,
        part: &str,
        body: &[u8],
        time: &str,
        ce_id: &str,
        model_id: Option<&str>,
        content_type: Option<&str>,
        namer: Option<PyRef<'_, Namer>>,
    ) -> Option<Bound<'py, PyBytes>> {
        let part = match part {
            "request" => Part::Request,
            "response" => Part::Response,
            _ => return None,
        };
        let head = Head {
            time,
            ce_id,
            model_id,
            content_type,
        };
        let namer = namer.as_ref().map(|n| &n.inner);
        self.names.trim();
        let written = self.write(&part, body, &head, namer).ok()?;
        Some(PyBytes::new(py, &written))
    }
}

/// The fields of a part that come from the event, not its body.
struct Head<'h> {
    time: &'h str,
    ce_id: &'h str,
    model_id: Option<&'h str>,
    content_type: Option<&'h str>,
}

fn write_optional_str(buf: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(text) => write_str(buf, text),
        None => buf.extend_from_slice(b"null"),
    }
}

impl PartEncoder {
    fn write(&mut self, part: &Part, body: &[u8], head: &Head<'_>, namer: Option<&naming::Namer>) -> Read<Vec<u8>> {
        let message = json::parse(body)?;
        let row = row(&message, part)?;
        let mut payload = Vec::with_capacity(body.len());
        write_value(&mut payload, &message);
        if payload.len() > self.max_payload_bytes {
            return Err(Decline); // the Python path words the rejection
        }
        let named = match namer {
            Some(namer) => namer.name(row.columns)?,
            None => None,
        };
        let elements: Elements = match named {
            Some(elements) => elements,
            None => name_by_payload(&row.names, row.columns)?,
        };

        let mut buf = Vec::with_capacity(payload.len() * 3 + 512);
        buf.extend_from_slice(b"{\"time\":");
        write_str(&mut buf, head.time);
        buf.extend_from_slice(b",\"ceId\":");
        write_str(&mut buf, head.ce_id);
        buf.extend_from_slice(b",\"modelId\":");
        write_optional_str(&mut buf, head.model_id);
        buf.extend_from_slice(b",\"contentType\":");
        write_optional_str(&mut buf, head.content_type);
        buf.extend_from_slice(b",\"dataType\":");
        write_str(&mut buf, row.data_type);
        buf.extend_from_slice(b",\"names\":");
        write_joined(&mut buf, ARRAY, &row.names, |buf, name| write_str(buf, name));
        buf.extend_from_slice(b",\"batchSize\":1,\"instance\":{\"value\":");
        write_array(&mut buf, row.columns);
        buf.extend_from_slice(b"},\"elements\":");
        write_elements(&mut buf, &elements);
        buf.extend_from_slice(b",\"payloadSizeBytes\":");
        write_int(&mut buf, payload.len() as i64);
        buf.extend_from_slice(b",\"payloadStored\":");
        write_str(&mut buf, &self.inline);
        buf.extend_from_slice(b",\"payload\":{\"value\":");
        buf.extend_from_slice(&payload);
        buf.push(b'}');

        let mut forms = Forms::new();
        forms.walk(&mut self.names, &self.limits, &elements);
        buf.extend_from_slice(b",\"features\":");
        forms.write_terms(&mut buf, &self.names, &self.limits);
        buf.extend_from_slice(b",\"values\":");
        forms.write_numbers(&mut buf, &self.names);
        buf.extend_from_slice(b",\"categories\":");
        forms.write_texts(&mut buf, &self.names, &self.limits);
        buf.push(b'}');
        Ok(buf)
    }
}

fn write_elements(buf: &mut Vec<u8>, elements: &Elements<'_, '_, '_>) {
    write_joined(buf, OBJECT, elements, |buf, (key, element)| {
        write_str(buf, key);
        buf.push(b':');
        match element {
            Element::Value(value) => write_value(buf, value),
            Element::Category(name) => write_str(buf, name),
            Element::Int(whole) => write_int(buf, *whole),
            Element::Span(values) => write_array(buf, values),
            Element::Group(entries) => write_joined(buf, OBJECT, entries, |buf, (category, value)| {
                write_str(buf, category);
                buf.push(b':');
                write_value(buf, value);
            }),
        }
    });
}

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PartEncoder>()?;
    module.add_class::<Namer>()?;
    module.add_function(wrap_pyfunction!(namer, module)?)?;
    Ok(())
}
