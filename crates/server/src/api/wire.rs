//! Reading requests the way AWS validates them: a missing required member is an
//! `InvalidParameterException` naming it; a member of the wrong JSON type is a `SerializationException`;
//! unknown members are ignored.

use cognate_proto::{CognitoError, Exception};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub(crate) use crate::domain::validate::{camel, check_len, epoch_seconds, invalid};

/// A request body: a JSON object.
#[derive(Debug, Clone)]
pub struct Request {
    members: Map<String, Value>,
}

fn wrong_type(member: &str, expected: &str) -> CognitoError {
    CognitoError::new(Exception::Serialization, format!("Member {member} must be {expected}."))
}

impl Request {
    /// Wraps a parsed body, which must be a JSON object.
    ///
    /// # Errors
    /// `SerializationException` for anything but an object; `InvalidParameterException` when any
    /// string in it (a member name or a value, at any depth) holds the NUL character, which no
    /// Cognito field allows and PostgreSQL cannot store.
    pub fn new(body: Value) -> Result<Self, CognitoError> {
        match body {
            Value::Object(members) => {
                if let Some(path) = nul_at(&members) {
                    return Err(CognitoError::new(
                        Exception::InvalidParameter,
                        format!(
                            "1 validation error detected: Value at '{path}' failed to satisfy constraint: Member must not contain the NUL character"
                        ),
                    ));
                }
                Ok(Self { members })
            }
            _ => Err(CognitoError::new(Exception::Serialization, "The request body must be a JSON object.")),
        }
    }

    /// The member, absent when missing or null.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.members.get(name).filter(|v| !v.is_null())
    }

    /// Fails unless the member is present.
    ///
    /// # Errors
    /// `InvalidParameterException` naming the member.
    pub fn require(&self, name: &str) -> Result<&Value, CognitoError> {
        self.get(name).ok_or_else(|| {
            CognitoError::new(
                Exception::InvalidParameter,
                format!(
                    "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                    camel(name)
                ),
            )
        })
    }

    /// A required string member.
    ///
    /// # Errors
    /// `InvalidParameterException` when missing, `SerializationException` when not a string.
    pub fn string(&self, name: &str) -> Result<String, CognitoError> {
        self.require(name)?;
        self.opt_string(name)?.ok_or_else(|| wrong_type(name, "a string"))
    }

    /// An optional string member.
    ///
    /// # Errors
    /// `SerializationException` when present but not a string.
    pub fn opt_string(&self, name: &str) -> Result<Option<String>, CognitoError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(wrong_type(name, "a string")),
        }
    }

    /// An optional boolean member.
    ///
    /// # Errors
    /// `SerializationException` when present but not a boolean.
    pub fn opt_bool(&self, name: &str) -> Result<Option<bool>, CognitoError> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(wrong_type(name, "a boolean")),
        }
    }

    /// An optional integer member.
    ///
    /// # Errors
    /// `SerializationException` when present but not an integer.
    pub fn opt_int(&self, name: &str) -> Result<Option<i64>, CognitoError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v.as_i64().map(Some).ok_or_else(|| wrong_type(name, "an integer")),
        }
    }

    /// An optional member parsed into `T` (nested structures, lists).
    ///
    /// # Errors
    /// `SerializationException` when it does not have `T`'s shape.
    pub fn opt<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, CognitoError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => serde_json::from_value(v.clone())
                .map(Some)
                .map_err(|e| CognitoError::new(Exception::Serialization, format!("Member {name}: {e}"))),
        }
    }

    /// A `Limit` / `MaxResults` member in `1..=max` (`default` when absent).
    ///
    /// # Errors
    /// `InvalidParameterException` when out of range.
    pub fn limit(&self, name: &str, default: usize, max: usize, min: i64) -> Result<usize, CognitoError> {
        match self.opt_int(name)? {
            None => Ok(default),
            Some(n) if n < min => Err(invalid(
                name,
                &n.to_string(),
                &format!("Member must have value greater than or equal to {min}"),
            )),
            Some(n) if n > i64::try_from(max).unwrap_or(i64::MAX) => Err(invalid(
                name,
                &n.to_string(),
                &format!("Member must have value less than or equal to {max}"),
            )),
            Some(0) => Ok(default),
            Some(n) => Ok(usize::try_from(n).unwrap_or(default)),
        }
    }

    /// A list of `AttributeType` (`[{Name, Value}]`) as a map; a missing `Value` is empty.
    ///
    /// # Errors
    /// `InvalidParameterException` / `SerializationException` for a member of the wrong shape.
    pub fn attributes(
        &self,
        member: &str,
    ) -> Result<std::collections::BTreeMap<String, String>, CognitoError> {
        let list: Vec<crate::domain::users::AttributeType> = self.opt(member)?.unwrap_or_default();
        Ok(list.into_iter().map(|a| (a.name, a.value.unwrap_or_default())).collect())
    }

    /// The key a pagination token `member` continues after, if the request has one.
    ///
    /// # Errors
    /// `InvalidParameterException` for a token this server did not make.
    pub fn page_after(&self, member: &str) -> Result<Option<String>, CognitoError> {
        use base64::Engine as _;
        self.opt_string(member)?
            .map(|t| {
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(&t)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| {
                        CognitoError::new(Exception::InvalidParameter, format!("Invalid {member}."))
                    })
            })
            .transpose()
    }
}

/// Writes `next` (the key a page ends on, when more follow) into `out` as the opaque pagination
/// token `member` (`NextToken`, `PaginationToken`): base64url, as Cognito's are opaque strings.
pub(crate) fn set_page_token(out: &mut Value, member: &str, next: Option<String>) {
    use base64::Engine as _;
    if let Some(key) = next {
        out[member] = Value::String(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key));
    }
}

/// Where a NUL character is in `members` (a dotted path of member names and indexes), if anywhere.
fn nul_at(members: &serde_json::Map<String, Value>) -> Option<String> {
    fn walk(value: &Value, path: &mut Vec<String>) -> bool {
        match value {
            Value::String(s) => s.contains('\0'),
            Value::Array(items) => items.iter().enumerate().any(|(i, item)| {
                path.push(i.to_string());
                let found = walk(item, path);
                if !found {
                    path.pop();
                }
                found
            }),
            Value::Object(members) => members.iter().any(|(name, item)| {
                path.push(name.replace('\0', "\\0"));
                let found = name.contains('\0') || walk(item, path);
                if !found {
                    path.pop();
                }
                found
            }),
            _ => false,
        }
    }
    members.iter().find_map(|(name, item)| {
        let mut path = vec![name.replace('\0', "\\0")];
        (name.contains('\0') || walk(item, &mut path)).then(|| path.join("."))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn nul_is_refused_anywhere_in_the_body() {
        let refused = [
            (serde_json::json!({ "Username": "a\u{0}b" }), "Username"),
            (
                serde_json::json!({ "UserAttributes": [{ "Name": "email", "Value": "x\u{0}" }] }),
                "UserAttributes.0.Value",
            ),
            (serde_json::json!({ "Map": { "k\u{0}": "v" } }), "Map.k\\0"),
        ];
        for (body, path) in refused {
            let err = super::Request::new(body).unwrap_err();
            assert_eq!(err.kind, cognate_proto::Exception::InvalidParameter);
            assert!(err.message.contains(&format!("'{path}'")), "{}", err.message);
        }
        assert!(super::Request::new(serde_json::json!({ "Username": "a\\u{0}b", "n": [1, null] })).is_ok());
    }

    use super::*;
    use serde_json::json;

    #[test]
    fn missing_and_mistyped_members_are_named() {
        let req = Request::new(json!({"UserPoolId": 5, "Name": "x", "Extra": {"ignored": true}})).unwrap();
        let e = req.string("PoolName").unwrap_err();
        assert_eq!(e.kind, Exception::InvalidParameter);
        assert!(e.message.contains("'poolName'"), "{}", e.message);
        assert_eq!(req.string("UserPoolId").unwrap_err().kind, Exception::Serialization);
        assert_eq!(req.string("Name").unwrap(), "x");
        assert_eq!(Request::new(json!([1])).unwrap_err().kind, Exception::Serialization);
    }

    #[test]
    fn limits_and_tokens() {
        let req = Request::new(json!({"Limit": 61, "MaxResults": 0})).unwrap();
        assert_eq!(req.limit("Limit", 60, 60, 0).unwrap_err().kind, Exception::InvalidParameter);
        assert_eq!(req.limit("MaxResults", 60, 60, 0).unwrap(), 60);
        assert_eq!(req.limit("Missing", 10, 60, 0).unwrap(), 10);
        let mut out = json!({});
        set_page_token(&mut out, "PaginationToken", Some("alice".into()));
        let next = Request::new(json!({ "PaginationToken": out["PaginationToken"] })).unwrap();
        assert_eq!(next.page_after("PaginationToken").unwrap().as_deref(), Some("alice"));
        set_page_token(&mut out, "NextToken", None);
        assert!(out.get("NextToken").is_none(), "no token when nothing follows");
        let forged = Request::new(json!({ "NextToken": "!!" })).unwrap();
        assert_eq!(forged.page_after("NextToken").unwrap_err().message, "Invalid NextToken.");
    }
}
