//! The one row of a Seldon `data.ndarray` message or of a single-tensor V2 (Open Inference Protocol) message, as
//! `warden_common.payloads` reads it (that package is the definition). Only the common shapes are taken here;
//! anything else declines and the Python path parses it. The protocol is told as
//! `events.protocols.request_protocol` / `response_protocol` tell it, and then:
//! - Seldon: no `strData`, `jsonData` or `binData`; `data` is an object with an `ndarray` list holding one
//!   instance (`[[...]]`, or a flat `[...]`); `data.names`, when given, a list of strings;
//! - V2: exactly one tensor, with `data`, a `shape` of integers, and one row: shape `[1, k]` with `k` values
//!   (flat or already `[[...]]`), or shape `[1]` (or none) with one value; `parameters.names`, when given, a
//!   list of strings, else the tensor's `name` (a string) names the row;
//! - every column a scalar, at least one (`payloads.model.instance_of`'s tabular / text / number rows).

use crate::json::{Decline, Read, Value};

pub enum Part {
    Request,
    Response,
}

pub struct Row<'v, 'a> {
    /// The row's values; the instance stored is this list.
    pub columns: &'v [Value<'a>],
    pub names: Vec<&'a str>,
    pub data_type: &'static str,
}

const V1_REQUEST: [&str; 2] = ["inputs", "instances"];
const V1_RESPONSE: [&str; 2] = ["outputs", "predictions"];
const OTHER_SELDON_DATA: [&str; 3] = ["strData", "jsonData", "binData"];

/// `_is_v2_tensor_list`: a non-empty list of objects that all have a `datatype`.
fn is_v2_tensor_list(value: Option<&Value<'_>>) -> bool {
    match value {
        Some(Value::Array(items)) => {
            !items.is_empty() && items.iter().all(|t| matches!(t, Value::Object(_)) && t.has("datatype"))
        }
        _ => false,
    }
}

/// The one row of a request or response body, whichever protocol (of the two taken here) it speaks.
pub fn row<'v, 'a>(message: &'v Value<'a>, part: &Part) -> Read<Row<'v, 'a>> {
    if !matches!(message, Value::Object(_)) {
        return Err(Decline);
    }
    let (v2, v1): (bool, &[&str]) = match part {
        Part::Request => (is_v2_tensor_list(message.get("inputs")), &V1_REQUEST),
        Part::Response => (
            message.has("model_name") || is_v2_tensor_list(message.get("outputs")),
            &V1_RESPONSE,
        ),
    };
    if v2 {
        let tensors = match part {
            Part::Request => message.get("inputs"),
            Part::Response => message.get("outputs"),
        };
        return v2_row(tensors.ok_or(Decline)?);
    }
    if v1.iter().any(|k| message.has(k)) {
        return Err(Decline); // TensorFlow / KServe V1
    }
    seldon_row(message)
}

fn seldon_row<'v, 'a>(message: &'v Value<'a>) -> Read<Row<'v, 'a>> {
    if OTHER_SELDON_DATA.iter().any(|k| message.has(k)) {
        return Err(Decline);
    }
    let data = message.get("data").ok_or(Decline)?;
    let Some(Value::Array(ndarray)) = data.get("ndarray") else {
        return Err(Decline);
    };
    let names = match data.get("names") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(names)) => each(names, Value::as_str)?,
        Some(_) => return Err(Decline),
    };
    // `_rows`: a list of lists is a batch of rows; a flat list is one instance (a batch of strings, several).
    let columns: &[Value] = match ndarray.first() {
        Some(Value::Array(first)) if !first.is_empty() => {
            if ndarray.len() != 1 {
                return Err(Decline);
            }
            first
        }
        Some(Value::Str(_)) if ndarray.len() > 1 && ndarray.iter().all(|v| matches!(v, Value::Str(_))) => {
            return Err(Decline);
        }
        Some(_) => ndarray,
        None => return Err(Decline),
    };
    scalar_row(columns, names, false)
}

/// `parse_v2` of a single tensor holding one row (see the module doc for the shapes taken).
fn v2_row<'v, 'a>(tensors: &'v Value<'a>) -> Read<Row<'v, 'a>> {
    let Value::Array(tensors) = tensors else {
        return Err(Decline);
    };
    let [tensor @ Value::Object(_)] = tensors.as_slice() else {
        return Err(Decline); // none, several (a row per name), or not an object
    };
    let shape = match tensor.get("shape") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(dims)) => each(dims, |d| if let Value::Int(size) = d { Some(*size) } else { None })?,
        Some(_) => return Err(Decline),
    };
    let values: &[Value] = match tensor.get("data") {
        None | Some(Value::Null) => return Err(Decline), // the Python path says it has no data
        Some(Value::Array(values)) => values,
        Some(single) => std::slice::from_ref(single),
    };
    let already_nested = matches!(values.first(), Some(Value::Array(_)));
    let columns: &[Value] = match (shape.as_slice(), already_nested) {
        // Shape [n] (or none): n rows of one value each; one row here.
        ([] | [_], false) if values.len() == 1 => values,
        // Shape [1, k]: one row of k values, given flat (reshaped) or already nested.
        ([1, width], false) if *width >= 1 && values.len() as i64 == *width => values,
        ([_, _, ..], true) if values.len() == 1 => match &values[0] {
            Value::Array(row) => row,
            _ => return Err(Decline),
        },
        _ => return Err(Decline),
    };
    let names = match tensor.get("parameters").and_then(|p| p.get("names")) {
        Some(Value::Array(names)) => each(names, Value::as_str)?,
        _ => match tensor.get("name") {
            None => vec![""],
            Some(Value::Str(name)) => vec![*name],
            Some(_) => return Err(Decline),
        },
    };
    let text = matches!(tensor.get("datatype"), Some(Value::Str("BYTES")));
    scalar_row(columns, names, text)
}

/// `read` of every item, or `Decline` if one is not what it reads.
fn each<'v, 'a, T>(items: &'v [Value<'a>], read: impl Fn(&'v Value<'a>) -> Option<T>) -> Read<Vec<T>> {
    items.iter().map(|item| read(item).ok_or(Decline)).collect()
}

/// `instance_of` for a row of scalars (`text`: a V2 BYTES tensor, always text).
fn scalar_row<'v, 'a>(columns: &'v [Value<'a>], names: Vec<&'a str>, text: bool) -> Read<Row<'v, 'a>> {
    if columns.is_empty() || !columns.iter().all(Value::is_scalar) {
        return Err(Decline);
    }
    let data_type = match columns {
        _ if text => "text",
        [Value::Str(_)] => "text",
        [_] => "number",
        _ => "tabular",
    };
    Ok(Row {
        columns,
        names,
        data_type,
    })
}
