//! The one check every attribute write passes, whoever writes: an admin (AdminCreateUser,
//! AdminUpdateUserAttributes) or an app client on a user's behalf (SignUp, UpdateUserAttributes, the
//! answer to NEW_PASSWORD_REQUIRED; later the managed login pages, triggers and federation).
//!
//! - `sub` is never writable, by anyone;
//! - every name is in the pool's schema and every value fits its entry;
//! - an app client writes only what its `WriteAttributes` allow (all of them when it has no list),
//!   and never `*_verified`: a user's contact is verified by an admin or by a code, not by saying so;
//! - an immutable attribute can be given once and never changed.
//!
//! Required attributes are checked on the whole user after the write ([`super::schema::check_required`]).

use std::collections::BTreeMap;

use cognate_proto::{CognitoError, Exception};

use super::schema::{SchemaAttribute, check_value};

/// Who writes.
#[derive(Debug, Clone, Copy)]
pub enum Writer<'a> {
    /// A SigV4-signed admin operation.
    Admin,
    /// An app client, on behalf of a user; its `WriteAttributes` (`None`: every attribute).
    Client(Option<&'a [String]>),
}

fn unauthorized(name: &str) -> CognitoError {
    CognitoError::new(
        Exception::NotAuthorized,
        format!("A client attempted to write unauthorized attribute {name}"),
    )
}

/// Checks `changes` written by `writer` to a user whose attributes are now `current` (empty for a
/// new user).
///
/// # Errors
/// `InvalidParameterException` for names outside the schema, bad values, `sub`, and (for admins)
/// immutable attributes changed; `NotAuthorizedException` for what an app client may not write.
pub fn check_write(
    schema: &[SchemaAttribute],
    writer: Writer<'_>,
    current: &BTreeMap<String, String>,
    changes: &BTreeMap<String, String>,
) -> Result<(), CognitoError> {
    for (name, value) in changes {
        if name == "sub" {
            return Err(CognitoError::new(
                Exception::InvalidParameter,
                "Cannot modify the non-mutable attribute sub.",
            ));
        }
        let entry = schema.iter().find(|s| &s.name == name).ok_or_else(|| {
            CognitoError::new(
                Exception::InvalidParameter,
                format!("Attribute does not exist in the schema: {name}"),
            )
        })?;
        if let Writer::Client(writable) = writer {
            let listed = writable.is_none_or(|list| list.iter().any(|w| w == name));
            if name.ends_with("_verified") || entry.developer_only_attribute || !listed {
                return Err(unauthorized(name));
            }
        }
        if !entry.mutable && current.get(name).is_some_and(|old| old != value) {
            return Err(match writer {
                Writer::Admin => CognitoError::new(
                    Exception::InvalidParameter,
                    format!("Cannot modify an already provided immutable attribute: {name}"),
                ),
                Writer::Client(_) => CognitoError::new(
                    Exception::NotAuthorized,
                    format!("Cannot modify the non-mutable attribute {name}"),
                ),
            });
        }
        check_value(entry, value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schema::{RequestedAttribute, build};

    fn schema() -> Vec<SchemaAttribute> {
        build(vec![RequestedAttribute {
            name: "tenant".into(),
            attribute_data_type: Some("String".into()),
            developer_only_attribute: None,
            mutable: Some(false),
            required: None,
            number_attribute_constraints: None,
            string_attribute_constraints: None,
        }])
        .unwrap()
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    /// writer, current attributes, changes, expected outcome.
    type Case<'a> = (Writer<'a>, &'a BTreeMap<String, String>, &'a [(&'a str, &'a str)], &'a str);

    /// writer | current | changes | expected (`ok`, or the error's kind and part of its message)
    #[test]
    fn who_may_write_what() {
        let schema = schema();
        let none = BTreeMap::new();
        let listed = ["email".to_owned(), "name".to_owned()];
        let admin = Writer::Admin;
        let app = Writer::Client(None);
        let limited = Writer::Client(Some(&listed));
        let cases: &[Case<'_>] = &[
            (admin, &none, &[("email", "a@example.com"), ("email_verified", "true")], "ok"),
            (app, &none, &[("email", "a@example.com"), ("name", "A")], "ok"),
            (limited, &none, &[("email", "a@example.com")], "ok"),
            (admin, &none, &[("sub", "0f0f")], "InvalidParameter: non-mutable attribute sub"),
            (app, &none, &[("sub", "0f0f")], "InvalidParameter: non-mutable attribute sub"),
            (
                app,
                &none,
                &[("email_verified", "true")],
                "NotAuthorized: unauthorized attribute email_verified",
            ),
            (
                app,
                &none,
                &[("phone_number_verified", "true")],
                "NotAuthorized: unauthorized attribute phone_number_verified",
            ),
            (limited, &none, &[("family_name", "B")], "NotAuthorized: unauthorized attribute family_name"),
            (app, &none, &[("custom:nope", "x")], "InvalidParameter: does not exist in the schema"),
            (app, &none, &[("email", "not-an-email")], "InvalidParameter: email address"),
            (app, &none, &[("custom:tenant", "t1")], "ok"),
        ];
        let set = map(&[("custom:tenant", "t1")]);
        let changed: &[Case<'_>] = &[
            (app, &set, &[("custom:tenant", "t1")], "ok"),
            (app, &set, &[("custom:tenant", "t2")], "NotAuthorized: non-mutable attribute custom:tenant"),
            (admin, &set, &[("custom:tenant", "t2")], "InvalidParameter: immutable attribute: custom:tenant"),
        ];
        for (writer, current, changes, expected) in cases.iter().chain(changed) {
            let result = check_write(&schema, *writer, current, &map(changes));
            match (result, *expected) {
                (Ok(()), "ok") => {}
                (Err(e), expected) if expected != "ok" => {
                    let (kind, text) = expected.split_once(": ").unwrap();
                    assert_eq!(format!("{:?}", e.kind), kind, "{changes:?}: {}", e.message);
                    assert!(e.message.contains(text), "{changes:?}: {}", e.message);
                }
                (got, _) => panic!("{writer:?} {changes:?}: expected {expected}, got {got:?}"),
            }
        }
    }
}
