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

/// A `SchemaAttributeType` as CreateUserPool and AddCustomAttributes take it: every member may be
/// absent, and what is absent matters (a custom attribute must name its type).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RequestedAttribute {
    /// The name, without `custom:` for custom attributes.
    #[serde(default)]
    pub name: String,
    /// `String`, `Number`, `DateTime` or `Boolean`.
    pub attribute_data_type: Option<String>,
    /// Only admins may see or set it.
    pub developer_only_attribute: Option<bool>,
    /// Users may change it after creation.
    pub mutable: Option<bool>,
    /// Every user must have it.
    pub required: Option<bool>,
    /// Bounds for numbers.
    pub number_attribute_constraints: Option<NumberConstraints>,
    /// Bounds for strings.
    pub string_attribute_constraints: Option<StringConstraints>,
}

fn standard(name: &str, data_type: &str, mutable: bool, required: bool) -> SchemaAttribute {
    let (strings, numbers) = match data_type {
        "String" => {
            // Cognito's birthdate is YYYY-MM-DD: exactly 10 characters.
            let (min, max) = match name {
                "birthdate" => ("10".to_owned(), "10".to_owned()),
                _ => (if required { "1" } else { "0" }.to_owned(), MAX_VALUE.to_string()),
            };
            (Some(StringConstraints { min_length: Some(min), max_length: Some(max) }), None)
        }
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

/// The data types Cognito knows, in the order its validation message lists them.
const DATA_TYPES: [&str; 4] = ["Boolean", "Number", "String", "DateTime"];

/// The requested data type, if any, checked against [`DATA_TYPES`].
fn data_type(attr: &RequestedAttribute) -> Result<Option<&str>, CognitoError> {
    match attr.attribute_data_type.as_deref() {
        Some(t) if !DATA_TYPES.contains(&t) => Err(invalid(format!(
            "Validation error detected: Value '{t}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
            DATA_TYPES.join(", ")
        ))),
        other => Ok(other),
    }
}

/// One bound of a constraint: absent or empty is no bound; otherwise an integer (a length: not negative).
fn bound(
    value: Option<&String>,
    member: &str,
    name: &str,
    length: bool,
) -> Result<Option<i64>, CognitoError> {
    let Some(text) = value.filter(|v| !v.is_empty()) else { return Ok(None) };
    match text.parse::<i64>() {
        Ok(n) if !length || n >= 0 => Ok(Some(n)),
        _ => Err(invalid(format!("Invalid {member} for schema attribute {name}"))),
    }
}

/// Checks the requested constraints of an attribute of `data_type` named `name`, and keeps only
/// those of its own type (Cognito does not echo number bounds on a string, or the reverse).
fn constraints(
    attr: &RequestedAttribute,
    name: &str,
    data_type: &str,
) -> Result<(Option<StringConstraints>, Option<NumberConstraints>), CognitoError> {
    match data_type {
        "String" => {
            let Some(c) = &attr.string_attribute_constraints else { return Ok((None, None)) };
            let member = "StringAttributeConstraints";
            let min = bound(c.min_length.as_ref(), member, name, true)?;
            let max = bound(c.max_length.as_ref(), member, name, true)?;
            if min.max(max).is_some_and(|n| n > MAX_VALUE as i64) {
                return Err(invalid(format!(
                    "user.{name}: String attributes cannot have a length of more than {MAX_VALUE}"
                )));
            }
            if let (Some(min), Some(max)) = (min, max)
                && min > max
            {
                return Err(invalid(format!("user.{name}: Max length cannot be less than min length.")));
            }
            Ok((Some(c.clone()), None))
        }
        "Number" => {
            let Some(c) = &attr.number_attribute_constraints else { return Ok((None, None)) };
            let member = "NumberAttributeConstraints";
            let min = bound(c.min_value.as_ref(), member, name, false)?;
            let max = bound(c.max_value.as_ref(), member, name, false)?;
            if let (Some(min), Some(max)) = (min, max)
                && min > max
            {
                return Err(invalid(format!("user.{name}: Max value cannot be less than min value.")));
            }
            Ok((None, Some(c.clone())))
        }
        _ => Ok((None, None)),
    }
}

/// Turns a request's custom attribute into its stored form (`custom:` prefix, and `dev:` before it
/// for a developer-only attribute), checking it.
///
/// # Errors
/// `InvalidParameterException` for a bad name, type or constraint, or a required custom attribute.
pub fn custom_attribute(attr: RequestedAttribute) -> Result<SchemaAttribute, CognitoError> {
    let data_type = data_type(&attr)?;
    let bare = attr.name.strip_prefix("custom:").unwrap_or(&attr.name).to_owned();
    if bare.is_empty()
        || bare.chars().count() > 20
        || !bare.chars().all(|c| c.is_alphanumeric() || "_-:".contains(c))
    {
        return Err(invalid(format!(
            "Invalid custom attribute name {bare}: 1 to 20 letters, digits, '_', '-' or ':'."
        )));
    }
    let Some(data_type) = data_type else {
        return Err(invalid(
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum.",
        ));
    };
    if attr.required == Some(true) {
        return Err(invalid("Required custom attributes are not supported currently."));
    }
    let developer_only = attr.developer_only_attribute.unwrap_or(false);
    let name = if developer_only { format!("dev:custom:{bare}") } else { format!("custom:{bare}") };
    let (strings, numbers) = constraints(&attr, &name, data_type)?;
    Ok(SchemaAttribute {
        name,
        attribute_data_type: data_type.to_owned(),
        developer_only_attribute: developer_only,
        mutable: attr.mutable.unwrap_or(true),
        required: false,
        number_attribute_constraints: numbers,
        string_attribute_constraints: strings,
    })
}

/// Applies a request for a standard attribute: it may become required or immutable, and take other
/// bounds of its own type, but never another type or developer-only.
fn override_standard(std: &mut SchemaAttribute, attr: &RequestedAttribute) -> Result<(), CognitoError> {
    let requested_type = data_type(attr)?;
    if requested_type.is_some_and(|t| t != std.attribute_data_type)
        || attr.developer_only_attribute == Some(true)
    {
        return Err(invalid(format!(
            "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute {}",
            std.name
        )));
    }
    if std.name == "sub" {
        return Err(invalid("The sub attribute cannot be changed."));
    }
    std.required = attr.required.unwrap_or(std.required);
    std.mutable = attr.mutable.unwrap_or(std.mutable);
    // As Cognito does, bounds are read only when the request names the data type.
    if requested_type.is_some() {
        let (strings, numbers) = constraints(attr, &std.name, &std.attribute_data_type)?;
        if strings.is_some() || numbers.is_some() {
            std.string_attribute_constraints = strings;
            std.number_attribute_constraints = numbers;
        }
    }
    Ok(())
}

/// Builds a pool's schema from `CreateUserPool`'s `Schema`: standard attributes may become required
/// or immutable; the rest are custom.
///
/// # Errors
/// `InvalidParameterException` for a bad attribute, a duplicate, or too many.
pub fn build(requested: Vec<RequestedAttribute>) -> Result<Vec<SchemaAttribute>, CognitoError> {
    let mut schema = standard_attributes();
    for attr in requested {
        if let Some(std) = schema.iter_mut().find(|s| s.name == attr.name && !s.name.contains("custom:")) {
            override_standard(std, &attr)?;
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
pub fn add_custom(schema: &mut Vec<SchemaAttribute>, attr: RequestedAttribute) -> Result<(), CognitoError> {
    let attr = custom_attribute(attr)?;
    let plain = attr.name.trim_start_matches("dev:");
    if let Some(existing) = schema.iter().find(|s| s.name.trim_start_matches("dev:") == plain) {
        return Err(invalid(format!("{plain}: Existing attribute already has name {}.", existing.name)));
    }
    if schema.iter().filter(|s| s.name.contains("custom:")).count() >= MAX_CUSTOM {
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
        "Boolean" if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") => {
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

/// Writes Boolean values as `true` / `false`, however they were cased on input (Cognito takes `True`).
pub fn normalize_booleans(schema: &[SchemaAttribute], attrs: &mut BTreeMap<String, String>) {
    for (name, value) in attrs.iter_mut() {
        let boolean = schema.iter().any(|s| &s.name == name && s.attribute_data_type == "Boolean");
        if boolean && (value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false")) {
            *value = value.to_ascii_lowercase();
        }
    }
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

    fn custom(name: &str, data_type: &str) -> RequestedAttribute {
        RequestedAttribute {
            name: name.into(),
            attribute_data_type: Some(data_type.into()),
            ..RequestedAttribute::default()
        }
    }

    /// A bound as the wire gives it; "" for none.
    fn wire(b: &str) -> Option<String> {
        (!b.is_empty()).then(|| b.to_owned())
    }

    fn strings(min: &str, max: &str) -> Option<StringConstraints> {
        Some(StringConstraints { min_length: wire(min), max_length: wire(max) })
    }

    fn numbers(min: &str, max: &str) -> Option<NumberConstraints> {
        Some(NumberConstraints { min_value: wire(min), max_value: wire(max) })
    }

    fn refusal(attr: RequestedAttribute) -> String {
        build(vec![attr]).unwrap_err().message
    }

    #[test]
    fn builds_a_schema_with_custom_attributes() {
        let email = RequestedAttribute {
            name: "email".into(),
            required: Some(true),
            mutable: Some(false),
            ..RequestedAttribute::default()
        };
        let mut age = custom("age", "Number");
        age.number_attribute_constraints = numbers("18", "130");
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
        required.required = Some(true);
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
    fn refuses_schemas_as_cognito_does() {
        let mut untyped = custom("plain", "String");
        untyped.attribute_data_type = None;
        assert_eq!(
            refusal(untyped),
            "Invalid AttributeDataType input, consider using the provided AttributeDataType enum."
        );
        assert_eq!(
            refusal(custom("fruit", "Banana")),
            "Validation error detected: Value 'Banana' failed to satisfy constraint: Member must satisfy enum value set: [Boolean, Number, String, DateTime]"
        );
        let changed = "You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute email";
        assert_eq!(refusal(custom("email", "Number")), changed);
        let mut dev_email = RequestedAttribute { name: "email".into(), ..RequestedAttribute::default() };
        dev_email.developer_only_attribute = Some(true);
        assert_eq!(refusal(dev_email), changed);
        let string_refusal = |name: &str, min: &str, max: &str| {
            let mut a = custom(name, "String");
            a.string_attribute_constraints = strings(min, max);
            refusal(a)
        };
        let number_refusal = |min: &str, max: &str| {
            let mut a = custom("updated_at", "Number");
            a.number_attribute_constraints = numbers(min, max);
            refusal(a)
        };
        for (min, max) in [("invalid_value", ""), ("", "invalid_value"), ("-1", "")] {
            let message = string_refusal("email", min, max);
            assert_eq!(message, "Invalid StringAttributeConstraints for schema attribute email");
        }
        let invalid_number = "Invalid NumberAttributeConstraints for schema attribute updated_at";
        assert_eq!(number_refusal("", "invalid_value"), invalid_number);
        for (min, max) in [("2049", ""), ("", "2049")] {
            let message = string_refusal("email", min, max);
            assert_eq!(message, "user.email: String attributes cannot have a length of more than 2048");
        }
        let inverted = "Max length cannot be less than min length.";
        assert_eq!(string_refusal("email", "2", "1"), format!("user.email: {inverted}"));
        assert_eq!(string_refusal("code", "5", "3"), format!("user.custom:code: {inverted}"));
        let inverted = "user.updated_at: Max value cannot be less than min value.";
        assert_eq!(number_refusal("2", "1"), inverted);
    }

    #[test]
    fn keeps_only_the_constraints_of_the_type_and_names_developer_attributes() {
        let mut attrs = Vec::new();
        for data_type in ["String", "Number", "Boolean"] {
            let mut a = custom(&data_type.to_lowercase(), data_type);
            a.string_attribute_constraints = strings("10", "20");
            a.number_attribute_constraints = numbers("10", "20");
            attrs.push(a);
        }
        let mut secret = custom("banana", "String");
        secret.developer_only_attribute = Some(true);
        attrs.push(secret);
        let schema = build(attrs).unwrap();
        let by_name = |n: &str| schema.iter().find(|s| s.name == n).unwrap();
        let bounds = |n: &str| {
            let a = by_name(n);
            (a.string_attribute_constraints.clone(), a.number_attribute_constraints.clone())
        };
        assert_eq!(bounds("custom:string"), (strings("10", "20"), None));
        assert_eq!(bounds("custom:number"), (None, numbers("10", "20")));
        assert_eq!(bounds("custom:boolean"), (None, None));
        assert!(by_name("dev:custom:banana").developer_only_attribute);
        assert_eq!(by_name("birthdate").string_attribute_constraints, strings("10", "10"));

        let mut schema = schema.clone();
        let err = add_custom(&mut schema, custom("banana", "String")).unwrap_err();
        assert_eq!(err.message, "custom:banana: Existing attribute already has name dev:custom:banana.");
    }

    #[test]
    fn booleans_take_any_case() {
        let schema = standard_attributes();
        let flag = schema.iter().find(|s| s.name == "email_verified").unwrap();
        for value in ["true", "True", "FALSE"] {
            assert_eq!(check_value(flag, value), Ok(()), "{value}");
        }
        assert!(check_value(flag, "yes").is_err());
        let mut attrs = BTreeMap::from([
            ("email_verified".to_owned(), "True".to_owned()),
            ("name".to_owned(), "True".to_owned()),
        ]);
        normalize_booleans(&schema, &mut attrs);
        assert_eq!((attrs["email_verified"].as_str(), attrs["name"].as_str()), ("true", "True"));
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
