//! The one row of a Seldon `data.ndarray` message, as `warden_common.payloads` reads it (that package is the
//! definition). Only the common shape is taken here; anything else declines and the Python path parses it:
//! - the protocol is Seldon: a request without `inputs` / `instances`, a response without `model_name` /
//!   `outputs` / `predictions` (`events.protocols.request_protocol` / `response_protocol`), and no `strData`,
//!   `jsonData` or `binData`;
//! - `data` is an object with an `ndarray` list holding one instance (`[[...]]`, or a flat `[...]`), every
//!   column a scalar, at least one (`payloads.model.instance_of`'s tabular / text / number rows);
//! - `data.names`, when given, is a list of strings (`names` other than that are stringified by Python).

use crate::json::{Decline, Read, Value};

pub enum Part {
    Request,
    Response,
}

pub struct Row<'v, 'a> {
    pub columns: &'v [Value<'a>],
    /// The instance as stored: the row itself.
    pub instance: &'v Value<'a>,
    pub names: Vec<&'a str>,
    pub data_type: &'static str,
}

const NOT_SELDON_REQUEST: [&str; 2] = ["inputs", "instances"];
const NOT_SELDON_RESPONSE: [&str; 3] = ["model_name", "outputs", "predictions"];
const OTHER_SELDON_DATA: [&str; 3] = ["strData", "jsonData", "binData"];

pub fn seldon_row<'v, 'a>(message: &'v Value<'a>, part: &Part) -> Read<Row<'v, 'a>> {
    let other_protocol: &[&str] = match part {
        Part::Request => &NOT_SELDON_REQUEST,
        Part::Response => &NOT_SELDON_RESPONSE,
    };
    if !matches!(message, Value::Object(_)) || other_protocol.iter().chain(&OTHER_SELDON_DATA).any(|k| message.has(k)) {
        return Err(Decline);
    }
    let data = message.get("data").ok_or(Decline)?;
    let Some(Value::Array(ndarray)) = data.get("ndarray") else {
        return Err(Decline);
    };
    let names = match data.get("names") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(names)) => names
            .iter()
            .map(|name| {
                if let Value::Str(text) = name {
                    Ok(*text)
                } else {
                    Err(Decline)
                }
            })
            .collect::<Read<Vec<_>>>()?,
        Some(_) => return Err(Decline),
    };
    // `_rows`: a list of lists is a batch of rows; a flat list is one instance (a batch of strings, several).
    let instance = match ndarray.first() {
        Some(Value::Array(first)) if !first.is_empty() => {
            if ndarray.len() != 1 {
                return Err(Decline);
            }
            &ndarray[0]
        }
        Some(Value::Str(_)) if ndarray.len() > 1 && ndarray.iter().all(|v| matches!(v, Value::Str(_))) => {
            return Err(Decline);
        }
        Some(_) => data.get("ndarray").expect("just read"),
        None => return Err(Decline),
    };
    let Value::Array(columns) = instance else {
        return Err(Decline);
    };
    if columns.is_empty() || !columns.iter().all(Value::is_scalar) {
        return Err(Decline);
    }
    let data_type = match columns.as_slice() {
        [Value::Str(_)] => "text",
        [_] => "number",
        _ => "tabular",
    };
    Ok(Row {
        columns,
        instance,
        names,
        data_type,
    })
}
