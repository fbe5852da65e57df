//! ListUsers: pages of users, optionally filtered by `name = "value"` or `name ^= "prefix"`.

use cognate_proto::{CognitoError, Exception};
use serde_json::{Value, json};

use super::wire::set_page_token;
use super::{Request, Services, internal};
use crate::domain::pools::load as load_pool;
use crate::domain::users::{user_type, username_key};
use crate::store::UserFilter;

/// The attributes Cognito lets ListUsers filter on.
const FILTERABLE: [&str; 10] = [
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

/// Cognito says no more than this, whatever is wrong with the filter.
fn bad_filter() -> CognitoError {
    CognitoError::new(Exception::InvalidParameter, "Error while parsing filter")
}

/// Parses `attribute = "value"` / `attribute ^= "value"` (a `\"` inside the quotes is a quote).
pub fn parse_filter(text: &str) -> Result<UserFilter, CognitoError> {
    let text = text.trim();
    let (name, rest, prefix) = match (text.find("^="), text.find('=')) {
        (Some(i), _) => (&text[..i], &text[i + 2..], true),
        (None, Some(i)) => (&text[..i], &text[i + 1..], false),
        _ => {
            return Err(bad_filter());
        }
    };
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == ':') {
        return Err(bad_filter());
    }
    if !FILTERABLE.contains(&name) {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            format!("Invalid search attribute: {name}"),
        ));
    }
    let quoted = rest.trim();
    let inner = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .filter(|_| quoted.len() >= 2)
        .ok_or_else(bad_filter)?;
    let mut value = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => value.push(chars.next().ok_or_else(bad_filter)?),
            '"' => return Err(bad_filter()),
            other => value.push(other),
        }
    }
    Ok(UserFilter { name: name.to_owned(), value, prefix })
}

/// ListUsers.
pub async fn list(svc: &Services, req: Request) -> Result<Value, CognitoError> {
    let (pool, settings) = load_pool(svc, &req.string("UserPoolId")?).await?;
    let limit = req.limit("Limit", 60, 60, 0)?;
    let after = req.page_after("PaginationToken")?;
    let wanted: Option<Vec<String>> = req.opt("AttributesToGet")?;
    if let Some(unknown) = wanted.iter().flatten().find(|n| !settings.schema.iter().any(|s| &s.name == *n)) {
        return Err(CognitoError::new(
            Exception::InvalidParameter,
            format!("One or more requested attributes do not exist: {unknown}"),
        ));
    }
    let filter = match req.opt_string("Filter")? {
        Some(text) if !text.trim().is_empty() => {
            let mut f = parse_filter(&text)?;
            if f.name == "username" && !settings.case_sensitive {
                f.value = username_key(&settings, &f.value);
            }
            if f.name == "cognito:user_status" {
                // Cognito matches the status without regard to case.
                f.value = f.value.to_uppercase();
            }
            if f.name == "status" {
                f.value = match f.value.as_str() {
                    "Enabled" | "Disabled" => f.value,
                    _ => return Err(bad_filter()),
                };
            }
            Some(f)
        }
        _ => None,
    };
    let page =
        svc.store.list_users(&pool.id, filter.as_ref(), after.as_deref(), limit).await.map_err(internal)?;
    let users: Vec<Value> = page
        .items
        .into_iter()
        .map(|mut user| {
            if let Some(names) = &wanted {
                user.attributes.retain(|k, _| names.contains(k));
            }
            user_type(&user, "Attributes")
        })
        .collect();
    let mut out = json!({ "Users": users });
    set_page_token(&mut out, "PaginationToken", page.next);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_operators_and_escapes() {
        let f = parse_filter(r#"email = "a@example.com""#).unwrap();
        assert_eq!((f.name.as_str(), f.value.as_str(), f.prefix), ("email", "a@example.com", false));
        let f = parse_filter(r#"  given_name ^= "Jo"  "#).unwrap();
        assert_eq!((f.name.as_str(), f.value.as_str(), f.prefix), ("given_name", "Jo", true));
        let f = parse_filter(r#"name = "say \"hi\"""#).unwrap();
        assert_eq!(f.value, "say \"hi\"");
        let f = parse_filter(r#"cognito:user_status = "CONFIRMED""#).unwrap();
        assert_eq!(f.name, "cognito:user_status");
    }

    #[test]
    fn refuses_what_cognito_refuses() {
        for bad in [
            "",
            "email",
            r#"email = a@b.co"#,
            r#"custom:x = "1""#,
            r#"email != "x""#,
            r#"email = "a"b""#,
            r#"email = ""#,
        ] {
            assert_eq!(parse_filter(bad).unwrap_err().kind, Exception::InvalidParameter, "{bad}");
        }
        // Cognito's wording: the same sentence for every malformed filter, another for a bad name.
        for bad in ["username = foo", "username=", "email", r#"user name = "x""#] {
            assert_eq!(parse_filter(bad).unwrap_err().message, "Error while parsing filter", "{bad}");
        }
        assert_eq!(
            parse_filter(r#"custom:foo = "bar""#).unwrap_err().message,
            "Invalid search attribute: custom:foo"
        );
    }
}
