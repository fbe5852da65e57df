//! The managed login pages' steps. Every request carries the authorize parameters in its query and
//! is checked again (`authorize::check`); a sign-in's state between pages is the engine's sealed
//! challenge Session in a hidden field, so any server process answers any step. Sign-up,
//! confirmation and password reset call the same operations as the JSON API.

use std::collections::BTreeMap;

use cognate_proto::{ChallengeName, CognitoError, Exception};
use serde_json::{Value, json};

use super::authorize::{Authorize, Params, Refusal, ResponseType, check, with_params};
use super::grant::{CODE_TTL_MS, Code, Session};
use super::pages::{Field, Lang, Look, Page, colour, error_page, render, render_passkey, text};
use crate::api::Request;
use crate::services::{Services, now_ms};
use crate::signin::{Context, associate_in_setup, initiate, respond, signed_in, verify_in_setup};
use crate::tokens::{Grant, SignIn, issue};

/// The domain a request came to: its pool, and the base URL its pages are served at.
#[derive(Debug, Clone)]
pub struct Site {
    /// The pool.
    pub pool_id: String,
    /// `https://auth.example.com`, or `{public_url}/domains/{prefix}`.
    pub base_url: String,
}

/// A page request: the query's authorize parameters, the posted form, the session cookie and the
/// CSRF token the forms must carry.
pub struct Incoming<'a> {
    /// The query.
    pub params: &'a Params,
    /// The posted form (empty for GET).
    pub form: &'a Params,
    /// The `cognito` cookie.
    pub session: Option<&'a str>,
    /// The token for the forms' `_csrf` field.
    pub csrf: &'a str,
}

/// What to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A page.
    Html {
        /// 200, or 400 for our error page.
        status: u16,
        /// The HTML.
        body: String,
    },
    /// A redirect; `session` sets the `cognito` cookie, `end_session` clears it.
    Redirect {
        /// Where.
        location: String,
        /// A new session cookie value.
        session: Option<String>,
        /// Clear the session cookie.
        end_session: bool,
    },
}

const AUTHORIZE_PARAMS: [&str; 13] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "identity_provider",
    "idp_identifier",
    "lang",
    "login_hint",
    "prompt",
];

/// `{path of the base}{path}?{the authorize parameters}`: relative to the origin, so the pages work
/// under whichever name the browser reached them by (`localhost` or `127.0.0.1`, a proxy's).
fn page_url(site: &Site, path: &str, params: &Params) -> String {
    let mut encoder = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params.iter().filter(|(k, _)| AUTHORIZE_PARAMS.contains(&k.as_str())) {
        encoder.append_pair(k, v);
    }
    let after_scheme = site.base_url.find("://").map_or(0, |i| i + 3);
    let prefix = site.base_url[after_scheme..].find('/').map_or("", |i| &site.base_url[after_scheme + i..]);
    format!("{prefix}{path}?{}", encoder.finish())
}

fn redirect(location: String) -> Outcome {
    Outcome::Redirect { location, session: None, end_session: false }
}

fn html(body: String) -> Outcome {
    Outcome::Html { status: 200, body }
}

fn refused(refusal: &Refusal, lang: Lang) -> Outcome {
    match refusal {
        Refusal::Page { error, description } => {
            Outcome::Html { status: 400, body: error_page(lang, error, description) }
        }
        Refusal::Redirect { .. } => redirect(refusal.location().unwrap_or_default()),
    }
}

fn lang_of(params: &Params) -> Lang {
    Lang::from_param(params.get("lang").map(String::as_str))
}

/// The look of a client's pages: its branding style's colours, its (or the pool's) UI CSS.
async fn look(svc: &Services, ctx: &Context) -> Look {
    let mut look = Look::default();
    if let Ok(Some(style)) =
        svc.store.document(&ctx.pool.id, crate::api::branding::BRANDING, &ctx.client.id).await
    {
        let settings = &style.doc["Settings"];
        let pick = |path: &[&str]| {
            path.iter().try_fold(settings, |v, k| v.get(*k)).and_then(Value::as_str).and_then(colour)
        };
        look.primary = pick(&["components", "primaryButton", "lightMode", "defaults", "backgroundColor"]);
        look.background = pick(&["components", "pageBackground", "lightMode", "color"]);
    }
    for name in [ctx.client.id.as_str(), "ALL"] {
        if let Ok(Some(ui)) = svc.store.document(&ctx.pool.id, crate::api::branding::UI, name).await {
            look.css = ui.doc.get("CSS").and_then(Value::as_str).map(str::to_owned);
            break;
        }
    }
    look
}

fn form_page(inc: &Incoming<'_>, site: &Site, path: &str, title: &str, submit: &str) -> Page {
    let lang = lang_of(inc.params);
    let mut page = Page::new(lang, text(lang, title), &page_url(site, path, inc.params), text(lang, submit));
    page.hidden.push(("_csrf".into(), inc.csrf.to_owned()));
    page
}

fn login_page(inc: &Incoming<'_>, site: &Site, ctx: &Context, username: &str) -> Page {
    let lang = lang_of(inc.params);
    let mut page = form_page(inc, site, "/login", "signin", "signin");
    page.hidden.push(("step".into(), "password".into()));
    let hint = inc.params.get("login_hint").map_or(username, String::as_str);
    page.fields.push(Field::new("username", text(lang, "username"), "text", "username").with_value(hint));
    page.fields.push(Field::new("password", text(lang, "password"), "password", "current-password"));
    page.passkey = crate::domain::passkeys::enabled_in(&ctx.settings);
    page.links.push((text(lang, "forgot").into(), page_url(site, "/forgotPassword", inc.params)));
    if !ctx.settings.admin_create_user_config.allow_admin_create_user_only {
        page.links.push((text(lang, "no_account").into(), page_url(site, "/signup", inc.params)));
    }
    page
}

/// Ends a successful sign-in: an authorization code (or, for the implicit grant, tokens) to the
/// app's redirect URI, and the session cookie.
async fn complete(
    svc: &Services,
    ctx: &Context,
    authz: &Authorize,
    user_key: &str,
    previous: Option<Session>,
) -> Result<Outcome, CognitoError> {
    let user = svc.store.user(&ctx.pool.id, user_key).await.map_err(crate::services::internal)?;
    let user = user.ok_or_else(|| CognitoError::new(Exception::NotAuthorized, "User does not exist."))?;
    let now = now_ms();
    let session = previous.unwrap_or_else(|| Session {
        id: uuid::Uuid::new_v4().to_string(),
        pool: ctx.pool.id.clone(),
        user: user.key.clone(),
        sub: user.sub.clone(),
        auth_time: now / 1000,
        expires_ms: now + svc.hosted_session_seconds.saturating_mul(1000),
    });
    let state = authz.state.as_deref();
    let location = match authz.response_type {
        ResponseType::Code => {
            let code = Code {
                id: uuid::Uuid::new_v4().to_string(),
                pool: ctx.pool.id.clone(),
                client: ctx.client.id.clone(),
                user: user.key.clone(),
                redirect_uri: authz.redirect_uri.clone(),
                scopes: authz.scopes.clone(),
                nonce: authz.nonce.clone(),
                challenge: authz.code_challenge.clone(),
                auth_time: session.auth_time,
                expires_ms: now + CODE_TTL_MS,
            };
            let sealed = code.seal(svc);
            let mut pairs = vec![("code", sealed.as_str())];
            if let Some(state) = state {
                pairs.push(("state", state));
            }
            with_params(&authz.redirect_uri, &pairs, false)
        }
        ResponseType::Token => {
            let groups = crate::signin::group_names(svc, &ctx.pool.id, &user.key).await?;
            let overrides =
                ctx.overrides(svc, &user, "TokenGeneration_HostedAuth", &groups, &authz.scopes).await?;
            let sign_in = SignIn {
                user: &user,
                groups,
                overrides,
                client_id: &ctx.client.id,
                auth_time: session.auth_time,
                origin_jti: uuid::Uuid::new_v4().to_string(),
                oauth: Some(Grant { scopes: authz.scopes.clone(), nonce: authz.nonce.clone() }),
            };
            let issued = issue(svc, &sign_in, ctx.lifetimes(), false).await?;
            let expires = issued.expires_in.to_string();
            let mut pairs = vec![("access_token", issued.access_token.as_str())];
            if let Some(id) = &issued.id_token {
                pairs.push(("id_token", id));
            }
            pairs.extend([("token_type", "Bearer"), ("expires_in", expires.as_str())]);
            if let Some(state) = state {
                pairs.push(("state", state));
            }
            with_params(&authz.redirect_uri, &pairs, true)
        }
    };
    Ok(Outcome::Redirect { location, session: Some(session.seal(svc)), end_session: false })
}

/// The live session of this pool's domain, for a user who still exists and is enabled.
async fn live_session(
    svc: &Services,
    pool_id: &str,
    cookie: Option<&str>,
) -> Result<Option<Session>, CognitoError> {
    let Some(cookie) = cookie else { return Ok(None) };
    let Some(session) = Session::open(svc, pool_id, cookie).await? else { return Ok(None) };
    let user = svc.store.user(pool_id, &session.user).await.map_err(crate::services::internal)?;
    Ok(user.filter(|u| u.enabled && u.sub == session.sub).map(|_| session))
}

/// `GET /oauth2/authorize`: with a live session (and no `prompt=login`) straight back to the app;
/// `prompt=none` without one is `login_required`; otherwise the sign-in page.
pub async fn authorize(svc: &Services, site: &Site, inc: &Incoming<'_>) -> Outcome {
    let lang = lang_of(inc.params);
    let (authz, ctx) = match check(svc, &site.pool_id, inc.params).await {
        Ok(checked) => checked,
        Err(refusal) => return refused(&refusal, lang),
    };
    let session = match live_session(svc, &site.pool_id, inc.session).await {
        Ok(s) => s,
        Err(e) => return refused(&Refusal::from(e), lang),
    };
    let prompt = authz.prompt.as_deref().unwrap_or("");
    match session {
        Some(session) if prompt != "login" => {
            let key = session.user.clone();
            complete(svc, &ctx, &authz, &key, Some(session))
                .await
                .unwrap_or_else(|e| refused(&Refusal::from(e), lang))
        }
        None if prompt == "none" => {
            let refusal = Refusal::Redirect {
                error: "login_required",
                description: "The user is not signed in.".into(),
                redirect_uri: authz.redirect_uri.clone(),
                state: authz.state.clone(),
                fragment: authz.response_type == ResponseType::Token,
            };
            refused(&refusal, lang)
        }
        _ => redirect(page_url(site, "/login", inc.params)),
    }
}

/// `GET /login`.
pub async fn login_form(svc: &Services, site: &Site, inc: &Incoming<'_>) -> Outcome {
    let lang = lang_of(inc.params);
    match check(svc, &site.pool_id, inc.params).await {
        Ok((_, ctx)) => html(render(&login_page(inc, site, &ctx, ""), &look(svc, &ctx).await)),
        Err(refusal) => refused(&refusal, lang),
    }
}

fn answers(username: &str, pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    out.insert("USERNAME".into(), username.to_owned());
    out
}

fn field<'a>(inc: &'a Incoming<'_>, name: &str) -> &'a str {
    inc.form.get(name).map_or("", String::as_str)
}

/// `POST /login`: the password, a challenge's answer, or the authenticator setup's code.
pub async fn login(svc: &Services, site: &Site, inc: &Incoming<'_>) -> Outcome {
    let lang = lang_of(inc.params);
    let (authz, ctx) = match check(svc, &site.pool_id, inc.params).await {
        Ok(checked) => checked,
        Err(refusal) => return refused(&refusal, lang),
    };
    let username = field(inc, "username").trim().to_owned();
    let session = inc.form.get("session").map(String::as_str);
    let result = match field(inc, "step") {
        "challenge" => {
            let name = field(inc, "challenge");
            let Some(challenge) = ChallengeName::from_name(name) else {
                return show_error(svc, site, inc, &ctx, &username, "Unknown step.").await;
            };
            let pairs: Vec<(String, String)> = match challenge {
                ChallengeName::SoftwareTokenMfa => {
                    vec![("SOFTWARE_TOKEN_MFA_CODE".into(), field(inc, "code").into())]
                }
                ChallengeName::SmsMfa => vec![("SMS_MFA_CODE".into(), field(inc, "code").into())],
                ChallengeName::EmailOtp => vec![("EMAIL_OTP_CODE".into(), field(inc, "code").into())],
                ChallengeName::SelectMfaType => vec![("ANSWER".into(), field(inc, "answer").into())],
                ChallengeName::WebAuthn => vec![("CREDENTIAL".into(), field(inc, "credential").into())],
                ChallengeName::NewPasswordRequired => {
                    let mut v = vec![("NEW_PASSWORD".to_owned(), field(inc, "new_password").to_owned())];
                    for (k, value) in inc.form.iter().filter(|(k, _)| k.starts_with("attr:")) {
                        v.push((format!("userAttributes.{}", &k[5..]), value.clone()));
                    }
                    v
                }
                _ => {
                    return show_error(svc, site, inc, &ctx, &username, "This step cannot be answered here.")
                        .await;
                }
            };
            let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            respond(svc, &ctx, challenge, session, &answers(&username, &borrowed)).await
        }
        "setup" => match verify_in_setup(svc, session.unwrap_or(""), field(inc, "code")).await {
            Ok(verified) => {
                let next = verified["Session"].as_str().unwrap_or("");
                respond(svc, &ctx, ChallengeName::MfaSetup, Some(next), &answers(&username, &[])).await
            }
            Err(e) => Err(e),
        },
        _ if field(inc, "method") == "passkey" => {
            let params = answers(&username, &[("PREFERRED_CHALLENGE", "WEB_AUTHN")]);
            initiate(svc, &ctx, false, cognate_proto::AuthFlow::UserAuth, &params).await
        }
        _ => {
            let params = answers(&username, &[("PASSWORD", field(inc, "password"))]);
            initiate(svc, &ctx, false, cognate_proto::AuthFlow::UserPasswordAuth, &params).await
        }
    };
    match result {
        Ok(answer) => advance(svc, site, inc, &ctx, &authz, &username, &answer).await,
        Err(e) => show_error(svc, site, inc, &ctx, &username, &e.message).await,
    }
}

async fn show_error(
    svc: &Services,
    site: &Site,
    inc: &Incoming<'_>,
    ctx: &Context,
    username: &str,
    message: &str,
) -> Outcome {
    let mut page = login_page(inc, site, ctx, username);
    page.error = Some(message.to_owned());
    html(render(&page, &look(svc, ctx).await))
}

/// After an engine step: the app's redirect when signed in, else the next challenge's page.
async fn advance(
    svc: &Services,
    site: &Site,
    inc: &Incoming<'_>,
    ctx: &Context,
    authz: &Authorize,
    username: &str,
    answer: &Value,
) -> Outcome {
    let lang = lang_of(inc.params);
    if let Some(user_key) = signed_in(answer) {
        return match complete(svc, ctx, authz, user_key, None).await {
            Ok(outcome) => outcome,
            Err(e) => show_error(svc, site, inc, ctx, username, &e.message).await,
        };
    }
    let name = answer["ChallengeName"].as_str().unwrap_or("");
    let session = answer["Session"].as_str().unwrap_or("").to_owned();
    let parameters = &answer["ChallengeParameters"];
    let mut page = form_page(inc, site, "/login", "mfa_title", "verify");
    page.hidden.push(("username".into(), username.to_owned()));
    page.hidden.push(("session".into(), session.clone()));
    match name {
        "SOFTWARE_TOKEN_MFA" | "SMS_MFA" | "EMAIL_OTP" => {
            page.hidden.push(("step".into(), "challenge".into()));
            page.hidden.push(("challenge".into(), name.into()));
            page.notice = Some(if name == "SOFTWARE_TOKEN_MFA" {
                text(lang, "mfa_totp").to_owned()
            } else {
                let to = parameters["CODE_DELIVERY_DESTINATION"].as_str().unwrap_or("");
                format!("{} {to}", text(lang, "code_sent"))
            });
            page.fields.push(Field::new("code", text(lang, "code"), "text", "one-time-code"));
        }
        "SELECT_MFA_TYPE" => {
            page.title = text(lang, "select_title").into();
            page.hidden.push(("step".into(), "challenge".into()));
            page.hidden.push(("challenge".into(), name.into()));
            let options: Vec<String> =
                serde_json::from_str(parameters["MFAS_CAN_CHOOSE"].as_str().unwrap_or("[]"))
                    .unwrap_or_default();
            for option in options {
                page.choices.push(("answer".into(), option.clone(), text(lang, &option).into()));
            }
        }
        "NEW_PASSWORD_REQUIRED" => {
            page.title = text(lang, "new_password_title").into();
            page.submit = text(lang, "reset").into();
            page.hidden.push(("step".into(), "challenge".into()));
            page.hidden.push(("challenge".into(), name.into()));
            page.fields.push(Field::new(
                "new_password",
                text(lang, "new_password"),
                "password",
                "new-password",
            ));
            let required: Vec<String> =
                serde_json::from_str(parameters["requiredAttributes"].as_str().unwrap_or("[]"))
                    .unwrap_or_default();
            for attribute in required {
                let name = attribute.trim_start_matches("userAttributes.");
                let label = match text(lang, name) {
                    "" => name,
                    known => known,
                };
                page.fields.push(Field::new(&format!("attr:{name}"), label, "text", "off"));
            }
        }
        "WEB_AUTHN" => {
            page.title = text(lang, "passkey").into();
            page.submit = text(lang, "passkey").into();
            page.hidden.push(("step".into(), "challenge".into()));
            page.hidden.push(("challenge".into(), name.into()));
            let options = parameters["CREDENTIAL_REQUEST_OPTIONS"].as_str().unwrap_or("{}");
            return html(render_passkey(&page, &look(svc, ctx).await, options));
        }
        "MFA_SETUP" => {
            let secret = match associate_in_setup(svc, &session).await {
                Ok(v) => v["SecretCode"].as_str().unwrap_or("").to_owned(),
                Err(e) => return show_error(svc, site, inc, ctx, username, &e.message).await,
            };
            page.title = text(lang, "setup_title").into();
            page.notice = Some(text(lang, "setup_hint").into());
            let issuer = form_urlencoded::byte_serialize(ctx.pool.name.as_bytes()).collect::<String>();
            let label = form_urlencoded::byte_serialize(username.as_bytes()).collect::<String>();
            page.code_block =
                Some(format!("{secret}\n\notpauth://totp/{issuer}:{label}?secret={secret}&issuer={issuer}"));
            page.hidden.push(("step".into(), "setup".into()));
            page.fields.push(Field::new("code", text(lang, "code"), "text", "one-time-code"));
        }
        other => {
            let message = format!("The sign-in step {other} cannot be completed on this page.");
            return show_error(svc, site, inc, ctx, username, &message).await;
        }
    }
    html(render(&page, &look(svc, ctx).await))
}

/// A request for the JSON API's account operations, as the pages make them.
fn account_request(
    ctx: &Context,
    svc: &Services,
    username: &str,
    members: Value,
) -> Result<Request, CognitoError> {
    let mut body = members;
    body["ClientId"] = json!(ctx.client.id);
    body["Username"] = json!(username);
    if let Some(secret) = crate::domain::clients::secret(svc, &ctx.client)? {
        let secret = String::from_utf8_lossy(&secret);
        body["SecretHash"] = json!(cognate_srp::secret_hash::secret_hash(&secret, username, &ctx.client.id));
    }
    Request::new(body)
}

/// Which page of the account pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountPage {
    /// `/signup`.
    SignUp,
    /// `/confirm`.
    Confirm,
    /// `/forgotPassword`.
    Forgot,
    /// `/confirmForgotPassword`.
    Reset,
}

fn account_page(
    svc: &Services,
    inc: &Incoming<'_>,
    site: &Site,
    ctx: &Context,
    which: AccountPage,
    username: &str,
) -> Page {
    let lang = lang_of(inc.params);
    let mut page = match which {
        AccountPage::SignUp => {
            let mut page = form_page(inc, site, "/signup", "signup", "signup");
            page.fields.push(
                Field::new("username", text(lang, "username"), "text", "username").with_value(username),
            );
            page.fields.push(Field::new("password", text(lang, "password"), "password", "new-password"));
            let wanted =
                ctx.settings.schema.iter().filter(|s| s.name != "sub" && s.required).map(|s| s.name.clone());
            let verified = ctx.settings.auto_verified_attributes.iter().cloned();
            let mut names: Vec<String> = wanted.chain(verified).collect();
            names.sort();
            names.dedup();
            for name in names {
                let (kind, auto) = match name.as_str() {
                    "email" => ("email", "email"),
                    "phone_number" => ("tel", "tel"),
                    _ => ("text", "off"),
                };
                let label = match text(lang, &name) {
                    "" => name.clone(),
                    known => known.to_owned(),
                };
                page.fields.push(
                    Field::new(&name, &label, kind, auto)
                        .with_value(inc.form.get(&name).map_or("", String::as_str)),
                );
            }
            page.links.push((text(lang, "have_account").into(), page_url(site, "/login", inc.params)));
            page
        }
        AccountPage::Confirm => {
            let mut page = form_page(inc, site, "/confirm", "confirm_title", "confirm");
            page.hidden.push(("username".into(), username.to_owned()));
            page.notice = Some(text(lang, "code_sent").into());
            page.fields.push(Field::new("code", text(lang, "code"), "text", "one-time-code"));
            page
        }
        AccountPage::Forgot => {
            let mut page = form_page(inc, site, "/forgotPassword", "forgot_title", "send_code");
            page.fields.push(
                Field::new("username", text(lang, "username"), "text", "username").with_value(username),
            );
            page.links.push((text(lang, "signin").into(), page_url(site, "/login", inc.params)));
            page
        }
        AccountPage::Reset => {
            let mut page = form_page(inc, site, "/confirmForgotPassword", "forgot_title", "reset");
            page.hidden.push(("username".into(), username.to_owned()));
            page.notice = Some(text(lang, "code_sent").into());
            page.fields.push(Field::new("code", text(lang, "code"), "text", "one-time-code"));
            page.fields.push(Field::new("password", text(lang, "new_password"), "password", "new-password"));
            page
        }
    };
    let _ = svc;
    page.hidden.dedup();
    page
}

/// `GET` of an account page.
pub async fn account_form(svc: &Services, site: &Site, inc: &Incoming<'_>, which: AccountPage) -> Outcome {
    let lang = lang_of(inc.params);
    match check(svc, &site.pool_id, inc.params).await {
        Ok((_, ctx)) => {
            let username = inc.params.get("username").map_or("", String::as_str);
            html(render(&account_page(svc, inc, site, &ctx, which, username), &look(svc, &ctx).await))
        }
        Err(refusal) => refused(&refusal, lang),
    }
}

/// `POST` of an account page: sign up, confirm, ask for a reset code, reset.
pub async fn account(svc: &Services, site: &Site, inc: &Incoming<'_>, which: AccountPage) -> Outcome {
    let lang = lang_of(inc.params);
    let (_, ctx) = match check(svc, &site.pool_id, inc.params).await {
        Ok(checked) => checked,
        Err(refusal) => return refused(&refusal, lang),
    };
    let username = field(inc, "username").trim().to_owned();
    let outcome = async {
        match which {
            AccountPage::SignUp => {
                let attributes: Vec<Value> = inc
                    .form
                    .iter()
                    .filter(|(k, _)| !["username", "password", "_csrf", "step"].contains(&k.as_str()))
                    .map(|(k, v)| json!({ "Name": k, "Value": v }))
                    .collect();
                let req = account_request(
                    &ctx,
                    svc,
                    &username,
                    json!({ "Password": field(inc, "password"), "UserAttributes": attributes }),
                )?;
                let answer = crate::api::account::sign_up(svc, req).await?;
                Ok(if answer["UserConfirmed"].as_bool() == Some(true) {
                    (None, "confirmed")
                } else {
                    (Some(AccountPage::Confirm), "")
                })
            }
            AccountPage::Confirm => {
                let req =
                    account_request(&ctx, svc, &username, json!({ "ConfirmationCode": field(inc, "code") }))?;
                crate::api::account::confirm_sign_up(svc, req).await?;
                Ok((None, "confirmed"))
            }
            AccountPage::Forgot => {
                let req = account_request(&ctx, svc, &username, json!({}))?;
                crate::api::account::forgot_password(svc, req).await?;
                Ok((Some(AccountPage::Reset), ""))
            }
            AccountPage::Reset => {
                let members =
                    json!({ "ConfirmationCode": field(inc, "code"), "Password": field(inc, "password") });
                let req = account_request(&ctx, svc, &username, members)?;
                crate::api::account::confirm_forgot_password(svc, req).await?;
                Ok((None, "reset_done"))
            }
        }
    }
    .await;
    let look = look(svc, &ctx).await;
    match outcome {
        Ok((Some(next), _)) => html(render(&account_page(svc, inc, site, &ctx, next, &username), &look)),
        Ok((None, notice)) => {
            let mut page = login_page(inc, site, &ctx, &username);
            page.notice = Some(text(lang, notice).into());
            html(render(&page, &look))
        }
        Err::<_, CognitoError>(e) => {
            let mut page = account_page(svc, inc, site, &ctx, which, &username);
            page.error = Some(e.message);
            html(render(&page, &look))
        }
    }
}

/// `GET /logout`: `client_id` + `logout_uri` (or OIDC's `post_logout_redirect_uri`, the client taken
/// from `id_token_hint` when no `client_id` is given) ends the session and goes there; `client_id` +
/// `redirect_uri` + `response_type` ends it and shows the sign-in page again. An unregistered URI is
/// never redirected to.
pub async fn logout(svc: &Services, site: &Site, params: &Params, cookie: Option<&str>) -> Outcome {
    let lang = lang_of(params);
    let page_error = |description: String| Outcome::Html {
        status: 400,
        body: error_page(lang, "invalid_request", &description),
    };
    if let Some(cookie) = cookie
        && let Ok(Some(session)) = Session::open(svc, &site.pool_id, cookie).await
        && session.end(svc).await.is_err()
    {
        return Outcome::Html {
            status: 500,
            body: error_page(lang, "server_error", "The session could not be ended."),
        };
    }
    let hinted = params.get("id_token_hint").and_then(|t| {
        let unverified = cognate_jwt::Unverified::parse(t).ok()?;
        unverified.claims().aud.first().cloned()
    });
    let Some(client_id) = params.get("client_id").cloned().or(hinted) else {
        return page_error("Missing required parameter client_id.".into());
    };
    let ctx = match crate::signin::context(svc, &client_id, Some(&site.pool_id)).await {
        Ok(ctx) => ctx,
        Err(_) => return page_error(format!("The client {client_id} does not exist in this user pool.")),
    };
    let target = params.get("logout_uri").or_else(|| params.get("post_logout_redirect_uri"));
    if let Some(uri) = target {
        if !ctx.client_settings.logout_urls.iter().any(|u| u == uri) {
            return page_error(format!(
                "logout_uri {uri} is not one of the app client's sign-out URLs; add it to the client's LogoutURLs."
            ));
        }
        let location = match params.get("state").filter(|_| params.contains_key("post_logout_redirect_uri")) {
            Some(state) => with_params(uri, &[("state", state)], false),
            None => uri.clone(),
        };
        return Outcome::Redirect { location, session: None, end_session: true };
    }
    if params.contains_key("redirect_uri") && params.contains_key("response_type") {
        let mut query = params.clone();
        query.insert("client_id".into(), client_id);
        return match check(svc, &site.pool_id, &query).await {
            Ok(_) => Outcome::Redirect {
                location: page_url(site, "/login", &query),
                session: None,
                end_session: true,
            },
            Err(refusal) => refused(&refusal, lang),
        };
    }
    page_error("Give logout_uri, or redirect_uri and response_type.".into())
}
