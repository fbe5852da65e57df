//! The pool's password policy: checking passwords against it and drawing temporary ones that pass it.

use cognate_proto::{CognitoError, Exception};
use serde::{Deserialize, Serialize};

use crate::ids::random_string;

/// Characters Cognito counts as symbols (a space inside the password counts too).
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// `Policies.PasswordPolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct PasswordPolicy {
    /// 6–99; default 8.
    pub minimum_length: i64,
    /// Needs an uppercase letter.
    pub require_uppercase: bool,
    /// Needs a lowercase letter.
    pub require_lowercase: bool,
    /// Needs a digit.
    pub require_numbers: bool,
    /// Needs a symbol.
    pub require_symbols: bool,
    /// Previous passwords that may not be reused (0–24).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_history_size: Option<i64>,
    /// Days a temporary password stays valid (0–365); default 7.
    pub temporary_password_validity_days: i64,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            password_history_size: None,
            temporary_password_validity_days: 7,
        }
    }
}

fn bad_policy(message: &str) -> CognitoError {
    CognitoError::new(Exception::InvalidParameter, message)
}

impl PasswordPolicy {
    /// Checks the policy's own bounds.
    ///
    /// # Errors
    /// `InvalidParameterException` naming the bound.
    pub fn validate(&self) -> Result<(), CognitoError> {
        if !(6..=99).contains(&self.minimum_length) {
            return Err(bad_policy("MinimumLength must be between 6 and 99."));
        }
        if !(0..=365).contains(&self.temporary_password_validity_days) {
            return Err(bad_policy("TemporaryPasswordValidityDays must be between 0 and 365."));
        }
        if self.password_history_size.is_some_and(|n| !(0..=24).contains(&n)) {
            return Err(bad_policy("PasswordHistorySize must be between 0 and 24."));
        }
        Ok(())
    }

    /// Checks `password` against the policy, saying which rule it breaks.
    ///
    /// # Errors
    /// `InvalidParameterException` for a password that is not a valid password at all (empty, longer
    /// than 256, leading or trailing whitespace); `InvalidPasswordException` naming the broken rule.
    pub fn check(&self, password: &str) -> Result<(), CognitoError> {
        let len = password.chars().count();
        if len == 0
            || len > 256
            || password.starts_with(char::is_whitespace)
            || password.ends_with(char::is_whitespace)
        {
            return Err(CognitoError::new(
                Exception::InvalidParameter,
                "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$",
            ));
        }
        let rule = |broken: bool, what: &str| {
            if broken {
                Err(CognitoError::new(
                    Exception::InvalidPassword,
                    format!("Password did not conform with policy: {what}"),
                ))
            } else {
                Ok(())
            }
        };
        rule(i64::try_from(len).unwrap_or(i64::MAX) < self.minimum_length, "Password not long enough")?;
        rule(
            self.require_lowercase && !password.chars().any(|c| c.is_lowercase()),
            "Password must have lowercase characters",
        )?;
        rule(
            self.require_uppercase && !password.chars().any(|c| c.is_uppercase()),
            "Password must have uppercase characters",
        )?;
        rule(
            self.require_numbers && !password.chars().any(|c| c.is_ascii_digit()),
            "Password must have numeric characters",
        )?;
        rule(
            self.require_symbols && !password.chars().any(|c| SYMBOLS.contains(c)),
            "Password must have symbol characters",
        )
    }

    /// A random temporary password that passes the policy: at least 12 characters, one of each class.
    pub fn temporary_password(&self) -> String {
        let len = usize::try_from(self.minimum_length.max(12)).unwrap_or(12);
        let mut chars: Vec<char> = random_string(b"ABCDEFGHJKLMNPQRSTUVWXYZ", 1)
            .chars()
            .chain(random_string(b"abcdefghijkmnopqrstuvwxyz", 1).chars())
            .chain(random_string(b"23456789", 1).chars())
            .chain(random_string(b"!#%&*+-=?@^_", 1).chars())
            .chain(
                random_string(b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", len - 4).chars(),
            )
            .collect();
        // Shuffle so the classes do not sit in fixed places (Fisher–Yates on random bytes).
        let mut bytes = vec![0u8; chars.len()];
        crate::ids::fill(&mut bytes);
        for i in (1..chars.len()).rev() {
            chars.swap(i, usize::from(bytes[i]) % (i + 1));
        }
        chars.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_broken_rule() {
        let policy = PasswordPolicy::default();
        assert!(policy.check("Correct-Horse-9").is_ok());
        let message = |p: &str| policy.check(p).unwrap_err().message;
        assert!(message("Sh0rt!").contains("not long enough"));
        assert!(message("lowercase-only-9").contains("uppercase"));
        assert!(message("UPPERCASE-ONLY-9").contains("lowercase"));
        assert!(message("No-Digits-Here").contains("numeric"));
        assert!(message("NoSymbols99x").contains("symbol"));
        assert!(policy.check("With Space 9x").is_ok(), "an inner space is a symbol");
        assert_eq!(policy.check(" Leading-Space-9").unwrap_err().kind, Exception::InvalidParameter);
        assert_eq!(policy.check("").unwrap_err().kind, Exception::InvalidParameter);
        let lax =
            PasswordPolicy { require_symbols: false, require_uppercase: false, minimum_length: 6, ..policy };
        assert!(lax.check("abc123").is_ok());
    }

    #[test]
    fn temporary_passwords_pass_their_policy() {
        for min in [6, 12, 40, 99] {
            let policy = PasswordPolicy { minimum_length: min, ..PasswordPolicy::default() };
            for _ in 0..20 {
                let p = policy.temporary_password();
                assert_eq!(policy.check(&p), Ok(()), "{p}");
            }
        }
        let bad = PasswordPolicy { minimum_length: 5, ..PasswordPolicy::default() };
        assert!(bad.validate().is_err());
    }
}
