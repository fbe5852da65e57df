//! Validation messages as AWS words them, for any member of any request.

use cognate_proto::{CognitoError, Exception};
use serde_json::Value;

/// AWS names members in messages in lowerCamelCase: `UserPoolId` → `userPoolId`.
pub(crate) fn camel(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map(|c| c.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}

/// An `InvalidParameterException` in AWS's validation wording.
pub(crate) fn invalid(member: &str, value: &str, constraint: &str) -> CognitoError {
    CognitoError::new(
        Exception::InvalidParameter,
        format!(
            "1 validation error detected: Value '{value}' at '{}' failed to satisfy constraint: {constraint}",
            camel(member)
        ),
    )
}

/// Checks a string's length in characters.
///
/// # Errors
/// `InvalidParameterException` in AWS's wording.
pub(crate) fn check_len(member: &str, value: &str, min: usize, max: usize) -> Result<(), CognitoError> {
    let n = value.chars().count();
    if n < min {
        return Err(invalid(
            member,
            value,
            &format!("Member must have length greater than or equal to {min}"),
        ));
    }
    if n > max {
        return Err(invalid(member, value, &format!("Member must have length less than or equal to {max}")));
    }
    Ok(())
}

/// Checks that `value` is one of `allowed`.
///
/// # Errors
/// `InvalidParameterException` in AWS's wording.
pub fn one_of(member: &str, value: &str, allowed: &[&str]) -> Result<(), CognitoError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(invalid(member, value, &format!("Member must satisfy enum value set: [{}]", allowed.join(", "))))
    }
}

/// A time as the JSON protocol sends it: epoch seconds.
pub fn epoch_seconds(ms: i64) -> Value {
    serde_json::Number::from_f64(ms as f64 / 1000.0).map_or(Value::Null, Value::Number)
}
