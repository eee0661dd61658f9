//! A small, bounded CBOR value tree: what the wire decoder reads before it knows
//! which message it holds. Bounded in depth and length so hostile input cannot
//! make it recurse or allocate without limit.

use minicbor::data::{Tag, Type};
use minicbor::Decoder;

use super::DecodeError;

/// Deepest nesting the decoder follows. Protocol messages nest three levels at most.
const MAX_DEPTH: usize = 8;
/// Most entries one array or map may declare.
const MAX_ITEMS: u64 = 100_000;

/// A decoded CBOR item, as far as the protocol needs to tell items apart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    /// `null` or `undefined`: the JavaScript client sends `undefined` for absent fields.
    Absent,
    Bool(bool),
    /// Any number. The JavaScript client may send integers as float64.
    Number(f64),
    Text(String),
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    Map(Vec<(Value, Value)>),
}

impl Value {
    pub(crate) fn decode(d: &mut Decoder<'_>, depth: usize) -> Result<Value, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::TooDeep);
        }
        let value = match d.datatype()? {
            Type::Null => {
                d.null()?;
                Value::Absent
            }
            Type::Undefined => {
                d.undefined()?;
                Value::Absent
            }
            Type::Bool => Value::Bool(d.bool()?),
            Type::U8 | Type::U16 | Type::U32 | Type::U64 => Value::Number(d.u64()? as f64),
            Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::Int => {
                let int = d.int()?;
                Value::Number(i128::from(int) as f64)
            }
            Type::F16 => Value::Number(f64::from(d.f32()?)),
            Type::F32 => Value::Number(f64::from(d.f32()?)),
            Type::F64 => Value::Number(d.f64()?),
            Type::String => Value::Text(d.str()?.to_owned()),
            Type::StringIndef => {
                let mut text = String::new();
                for part in d.str_iter()? {
                    text.push_str(part?);
                }
                Value::Text(text)
            }
            Type::Bytes => Value::Bytes(d.bytes()?.to_vec()),
            Type::BytesIndef => {
                let mut bytes = Vec::new();
                for part in d.bytes_iter()? {
                    bytes.extend_from_slice(part?);
                }
                Value::Bytes(bytes)
            }
            Type::Tag => {
                // cbor-x may tag a Uint8Array as a typed array (tag 64); the tag adds nothing here.
                let tag = d.tag()?;
                let inner = Value::decode(d, depth + 1)?;
                match (tag, inner) {
                    (t, Value::Bytes(b)) if t == Tag::new(64) => Value::Bytes(b),
                    (_, other) => other,
                }
            }
            Type::Array => {
                let len = d.array()?.ok_or(DecodeError::Malformed)?;
                if len > MAX_ITEMS {
                    return Err(DecodeError::TooLong);
                }
                let mut items = Vec::with_capacity(len.min(64) as usize);
                for _ in 0..len {
                    items.push(Value::decode(d, depth + 1)?);
                }
                Value::Array(items)
            }
            Type::ArrayIndef => {
                d.array()?;
                let mut items = Vec::new();
                while d.datatype()? != Type::Break {
                    if items.len() as u64 >= MAX_ITEMS {
                        return Err(DecodeError::TooLong);
                    }
                    items.push(Value::decode(d, depth + 1)?);
                }
                d.skip()?;
                Value::Array(items)
            }
            Type::Map => {
                let len = d.map()?.ok_or(DecodeError::Malformed)?;
                if len > MAX_ITEMS {
                    return Err(DecodeError::TooLong);
                }
                let mut entries = Vec::with_capacity(len.min(64) as usize);
                for _ in 0..len {
                    let key = Value::decode(d, depth + 1)?;
                    let value = Value::decode(d, depth + 1)?;
                    entries.push((key, value));
                }
                Value::Map(entries)
            }
            Type::MapIndef => {
                d.map()?;
                let mut entries = Vec::new();
                while d.datatype()? != Type::Break {
                    if entries.len() as u64 >= MAX_ITEMS {
                        return Err(DecodeError::TooLong);
                    }
                    let key = Value::decode(d, depth + 1)?;
                    let value = Value::decode(d, depth + 1)?;
                    entries.push((key, value));
                }
                d.skip()?;
                Value::Map(entries)
            }
            Type::Simple => {
                d.simple()?;
                Value::Absent
            }
            Type::Break | Type::Unknown(_) => return Err(DecodeError::Malformed),
        };
        Ok(value)
    }

    /// The value under a text key of a map; `Absent` when missing.
    pub(crate) fn field(&self, key: &str) -> &Value {
        const ABSENT: &Value = &Value::Absent;
        match self {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(k, Value::Text(t) if t == key))
                .map(|(_, v)| v)
                .unwrap_or(ABSENT),
            _ => ABSENT,
        }
    }

    pub(crate) fn is_absent(&self) -> bool {
        matches!(self, Value::Absent)
    }
}
