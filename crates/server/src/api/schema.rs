//! A pool's attribute schema: the standard attributes, custom ones (`custom:` prefix), and the checks a
//! user's attributes must pass.

use std::collections::BTreeMap;

use cognate_proto::{CognitoError, Exception};
use serde::{Deserialize, Serialize};

/// Most custom attributes a pool may have.
pub const MAX_CUSTOM: usize = 50;
/// Longest attribute value, in characters.
const MAX_VALUE: usize = 2048;

/// `StringAttributeConstraints` (bounds are strings on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StringConstraints {
    /// Shortest value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<String>,
    /// Longest value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<String>,
}

/// `NumberAttributeConstraints` (bounds are strings on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NumberConstraints {
    /// Smallest value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_value: Option<String>,
    /// Largest value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_value: Option<String>,
}

/// `SchemaAttributeType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SchemaAttribute {
    /// The name; custom attributes carry `custom:` once stored.
    pub name: String,
    /// `String`, `Number`, `DateTime` or `Boolean`.
    #[serde(default = "string_type")]
    pub attribute_data_type: String,
    /// Only admins may see or set it.
    #[serde(default)]
    pub developer_only_attribute: bool,
    /// Users may change it after creation.
    #[serde(default = "yes")]
    pub mutable: bool,
    /// Every user must have it.
    #[serde(default)]
    pub required: bool,
    /// Bounds for numbers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number_attribute_constraints: Option<NumberConstraints>,
    /// Bounds for strings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string_attribute_constraints: Option<StringConstraints>,
}

fn string_type() -> String {
    "String".to_owned()
}
fn yes() -> bool {
    true
}

fn standard(name: &str, data_type: &str, mutable: bool, required: bool) -> SchemaAttribute {
    let (strings, numbers) = match data_type {
        "String" => (
            Some(StringConstraints {
                min_length: Some(if required { "1" } else { "0" }.to_owned()),
                max_length: Some(MAX_VALUE.to_string()),
            }),
            None,
        ),
        "Number" => (None, Some(NumberConstraints { min_value: Some("0".to_owned()), max_value: None })),
        _ => (None, None),
    };
    SchemaAttribute {
        name: name.to_owned(),
        attribute_data_type: data_type.to_owned(),
        developer_only_attribute: false,
        mutable,
        required,
        number_attribute_constraints: numbers,
        string_attribute_constraints: strings,
    }
}

/// The standard attributes every pool has, in Cognito's order.
pub fn standard_attributes() -> Vec<SchemaAttribute> {
    let mut attrs = vec![standard("sub", "String", false, true)];
    for name in [
        "name",
        "given_name",
        "family_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "email",
    ] {
        attrs.push(standard(name, "String", true, false));
    }
    attrs.push(standard("email_verified", "Boolean", true, false));
    for name in ["gender", "birthdate", "zoneinfo", "locale", "phone_number"] {
        attrs.push(standard(name, "String", true, false));
    }
    attrs.push(standard("phone_number_verified", "Boolean", true, false));
    attrs.push(standard("address", "String", true, false));
    attrs.push(standard("updated_at", "Number", true, false));
    attrs.push(standard("identities", "String", true, false));
    attrs
}

fn invalid(message: impl Into<String>) -> CognitoError {
    CognitoError::new(Exception::InvalidParameter, message)
}

/// Turns a request's custom attribute into its stored form (`custom:` prefix), checking it.
///
/// # Errors
/// `InvalidParameterException` for a bad name, type or constraint, or a required custom attribute.
pub fn custom_attribute(mut attr: SchemaAttribute) -> Result<SchemaAttribute, CognitoError> {
    let bare = attr.name.strip_prefix("custom:").unwrap_or(&attr.name).to_owned();
    if bare.is_empty()
        || bare.chars().count() > 20
        || !bare.chars().all(|c| c.is_alphanumeric() || "_-:".contains(c))
    {
        return Err(invalid(format!(
            "Invalid custom attribute name {bare}: 1 to 20 letters, digits, '_', '-' or ':'."
        )));
    }
    if !["String", "Number", "DateTime", "Boolean"].contains(&attr.attribute_data_type.as_str()) {
        return Err(invalid(format!(
            "Invalid AttributeDataType {} for custom:{bare}.",
            attr.attribute_data_type
        )));
    }
    if attr.required {
        return Err(invalid("Required custom attributes are not supported currently."));
    }
    for bound in [
        attr.string_attribute_constraints.as_ref().and_then(|c| c.min_length.as_ref()),
        attr.string_attribute_constraints.as_ref().and_then(|c| c.max_length.as_ref()),
        attr.number_attribute_constraints.as_ref().and_then(|c| c.min_value.as_ref()),
        attr.number_attribute_constraints.as_ref().and_then(|c| c.max_value.as_ref()),
    ]
    .into_iter()
    .flatten()
    {
        if bound.parse::<i64>().is_err() {
            return Err(invalid(format!(
                "Invalid constraint {bound} for custom:{bare}: must be an integer."
            )));
        }
    }
    attr.name = format!("custom:{bare}");
    Ok(attr)
}

/// Builds a pool's schema from `CreateUserPool`'s `Schema`: standard attributes may become required
/// or immutable; the rest are custom.
///
/// # Errors
/// `InvalidParameterException` for a bad custom attribute, a duplicate, or too many.
pub fn build(requested: Vec<SchemaAttribute>) -> Result<Vec<SchemaAttribute>, CognitoError> {
    let mut schema = standard_attributes();
    for attr in requested {
        if let Some(std) = schema.iter_mut().find(|s| s.name == attr.name && !s.name.starts_with("custom:")) {
            if std.name == "sub" {
                return Err(invalid("The sub attribute cannot be changed."));
            }
            std.required = attr.required;
            std.mutable = attr.mutable;
            std.developer_only_attribute = attr.developer_only_attribute;
            continue;
        }
        add_custom(&mut schema, attr)?;
    }
    Ok(schema)
}

/// Adds one custom attribute to `schema`.
///
/// # Errors
/// `InvalidParameterException` for a bad or duplicate attribute, or one too many.
pub fn add_custom(schema: &mut Vec<SchemaAttribute>, attr: SchemaAttribute) -> Result<(), CognitoError> {
    let attr = custom_attribute(attr)?;
    if schema.iter().any(|s| s.name == attr.name) {
        return Err(invalid(format!("Existing attribute already has name {}.", attr.name)));
    }
    if schema.iter().filter(|s| s.name.starts_with("custom:")).count() >= MAX_CUSTOM {
        return Err(invalid(format!("A user pool can have at most {MAX_CUSTOM} custom attributes.")));
    }
    schema.push(attr);
    Ok(())
}

/// Loose but real checks: one `@`, a dot in the domain, no spaces.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(char::is_whitespace)
        && !domain.contains('@')
}

/// E.164: `+` and 2 to 15 digits.
pub fn is_phone(value: &str) -> bool {
    value
        .strip_prefix('+')
        .is_some_and(|d| (2..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

fn nonconforming(name: &str, why: &str) -> CognitoError {
    invalid(format!("Attributes did not conform to the schema: {name}: {why}"))
}

/// Checks one value against its schema entry.
///
/// # Errors
/// `InvalidParameterException` saying what is wrong.
pub fn check_value(attr: &SchemaAttribute, value: &str) -> Result<(), CognitoError> {
    let name = attr.name.as_str();
    if value.chars().count() > MAX_VALUE {
        return Err(nonconforming(name, "String must be no longer than 2048 characters"));
    }
    match attr.attribute_data_type.as_str() {
        "Boolean" if value != "true" && value != "false" => {
            return Err(nonconforming(name, "Boolean attributes must be \"true\" or \"false\""));
        }
        "Number" => {
            let n: f64 = value.parse().map_err(|_| nonconforming(name, "Number is not a number"))?;
            let c = attr.number_attribute_constraints.clone().unwrap_or_default();
            if c.min_value.and_then(|m| m.parse::<f64>().ok()).is_some_and(|m| n < m) {
                return Err(nonconforming(name, "Number is less than the minimum value"));
            }
            if c.max_value.and_then(|m| m.parse::<f64>().ok()).is_some_and(|m| n > m) {
                return Err(nonconforming(name, "Number is greater than the maximum value"));
            }
        }
        "String" => {
            let c = attr.string_attribute_constraints.clone().unwrap_or_default();
            let len = value.chars().count();
            if c.min_length.and_then(|m| m.parse::<usize>().ok()).is_some_and(|m| len < m) {
                return Err(nonconforming(name, "String is shorter than the minimum length"));
            }
            if c.max_length.and_then(|m| m.parse::<usize>().ok()).is_some_and(|m| len > m) {
                return Err(nonconforming(name, "String is longer than the maximum length"));
            }
        }
        _ => {}
    }
    if name == "email" && !is_email(value) {
        return Err(invalid("Invalid email address format."));
    }
    if name == "phone_number" && !is_phone(value) {
        return Err(invalid("Invalid phone number format."));
    }
    Ok(())
}

/// Checks a set of attributes an admin sets: every name in the schema, every value valid, `sub` never.
///
/// # Errors
/// `InvalidParameterException` for the first problem found.
pub fn check_attributes(
    schema: &[SchemaAttribute],
    attrs: &BTreeMap<String, String>,
) -> Result<(), CognitoError> {
    for (name, value) in attrs {
        if name == "sub" {
            return Err(invalid("Cannot modify the non-mutable attribute sub."));
        }
        let entry = schema
            .iter()
            .find(|s| &s.name == name)
            .ok_or_else(|| invalid(format!("Attribute does not exist in the schema: {name}")))?;
        check_value(entry, value)?;
    }
    Ok(())
}

/// Checks that every required attribute is present.
///
/// # Errors
/// `InvalidParameterException` naming the first missing one.
pub fn check_required(
    schema: &[SchemaAttribute],
    attrs: &BTreeMap<String, String>,
) -> Result<(), CognitoError> {
    match schema.iter().find(|s| s.required && s.name != "sub" && !attrs.contains_key(&s.name)) {
        Some(missing) => Err(nonconforming(&missing.name, "The attribute is required")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(name: &str, data_type: &str) -> SchemaAttribute {
        SchemaAttribute {
            name: name.into(),
            attribute_data_type: data_type.into(),
            ..standard("x", "String", true, false)
        }
    }

    #[test]
    fn builds_a_schema_with_custom_attributes() {
        let mut email = standard("email", "String", true, true);
        email.mutable = false;
        let mut age = custom("age", "Number");
        age.number_attribute_constraints =
            Some(NumberConstraints { min_value: Some("18".into()), max_value: Some("130".into()) });
        age.string_attribute_constraints = None;
        let schema = build(vec![email, age]).unwrap();
        let email = schema.iter().find(|s| s.name == "email").unwrap();
        assert!(email.required && !email.mutable);
        let age = schema.iter().find(|s| s.name == "custom:age").unwrap();
        assert_eq!(check_value(age, "42"), Ok(()));
        assert!(check_value(age, "17").is_err());
        assert!(check_value(age, "old").is_err());
        let mut attrs = BTreeMap::new();
        assert!(check_required(&schema, &attrs).unwrap_err().message.contains("email"));
        attrs.insert("email".to_owned(), "a@example.com".to_owned());
        assert_eq!(check_required(&schema, &attrs), Ok(()));
        attrs.insert("custom:unknown".to_owned(), "x".to_owned());
        assert!(check_attributes(&schema, &attrs).unwrap_err().message.contains("does not exist"));
    }

    #[test]
    fn refuses_bad_custom_attributes() {
        let mut required = custom("x", "String");
        required.required = true;
        assert!(build(vec![required]).is_err());
        assert!(build(vec![custom("this-name-is-far-too-long", "String")]).is_err());
        assert!(build(vec![custom("ok", "Float")]).is_err());
        assert!(
            build(vec![custom("dup", "String"), custom("dup", "String")])
                .unwrap_err()
                .message
                .contains("Existing")
        );
        let many: Vec<_> = (0..=MAX_CUSTOM).map(|i| custom(&format!("a{i}"), "String")).collect();
        assert!(build(many).is_err());
    }

    #[test]
    fn email_and_phone_formats() {
        for good in ["a@b.co", "first.last+tag@sub.example.org"] {
            assert!(is_email(good), "{good}");
        }
        for bad in ["", "a", "a@b", "@b.co", "a b@c.de", "a@b@c.de", "a@.co"] {
            assert!(!is_email(bad), "{bad}");
        }
        assert!(is_phone("+14155550100"));
        for bad in ["14155550100", "+1", "+1-415-555", "+1234567890123456"] {
            assert!(!is_phone(bad), "{bad}");
        }
    }
}
