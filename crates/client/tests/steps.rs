//! Flows stepped by hand, with the answers a server could give, as the browser build steps them
//! (no transport): the paths a live server does not take, like the REFRESH_TOKEN_AUTH fallback.
// The stepping helper below is test code outside a #[test] function.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(not(target_arch = "wasm32"))]

mod support;

use cognate_client::{
    Client, ClientError, Clock, Config, Flow, Input, Json, NoTransport, Refresh, SignIn, SignInFlow, SignOut,
    Step,
};
use support::Memory;

const NOW_S: i64 = 1_750_000_000;

struct Fixed;

impl Clock for Fixed {
    fn now_ms(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)]
        let now = NOW_S as f64 * 1000.0;
        now
    }
}

type Sdk = Client<NoTransport, Memory, Fixed>;

fn sdk() -> Sdk {
    let config = Config {
        user_pool_id: "us-east-1_Test12345".to_owned(),
        client_id: "client".to_owned(),
        client_secret: None,
        endpoint: Some("http://127.0.0.1:1/".to_owned()),
    };
    Client::new(config, NoTransport, Memory::default(), Fixed)
}

/// An unsigned token with these claims (the SDK reads claims, it does not verify them).
fn jwt(claims: &str) -> String {
    let payload = cognate_srp::base64_encode(claims.as_bytes());
    ["eyJhbGciOiJub25lIn0.", payload.trim_end_matches('='), ".sig"].concat()
}

fn tokens(expires_in: i64, refresh: Option<&str>) -> String {
    let (iat, exp) = (NOW_S, NOW_S + expires_in);
    let access = jwt(&format!(r#"{{"username":"alice","token_use":"access","iat":{iat},"exp":{exp}}}"#));
    let id = jwt(&format!(r#"{{"cognito:username":"alice","token_use":"id","iat":{iat},"exp":{exp}}}"#));
    let refresh = refresh.map_or(String::new(), |r| format!(r#","RefreshToken":"{r}""#));
    format!(r#"{{"AuthenticationResult":{{"AccessToken":"{access}","IdToken":"{id}"{refresh}}}}}"#)
}

/// The operations a flow called (name and body), and how it ended.
type Run<T> = (Vec<(String, Json)>, Result<T, ClientError>);

/// Steps `flow` with `answers`, one per call it asks for.
fn run<F: Flow>(sdk: &Sdk, mut flow: F, answers: &[Input]) -> Run<F::Output> {
    let mut answers = answers.iter().map(|a| match a {
        Input::Answer(Ok(json)) => Input::Answer(Ok(json.clone())),
        Input::Answer(Err(e)) => Input::Answer(Err(e.clone())),
        Input::Credential(c) => Input::Credential(c.clone()),
        Input::Start => Input::Start,
    });
    let mut calls = Vec::new();
    let mut input = Input::Start;
    loop {
        match flow.resume(sdk, input) {
            Ok(Step::Call(request)) => {
                let (target, body) = sdk.prepare(request).unwrap();
                calls.push((
                    target.trim_start_matches("AWSCognitoIdentityProviderService.").to_owned(),
                    Json::parse(&body).unwrap(),
                ));
                input = answers.next().expect("the flow asked for one call more than the test answers");
            }
            Ok(Step::Done(output)) => return (calls, Ok(output)),
            Ok(Step::Create(options) | Step::Get(options)) => panic!("unexpected WebAuthn step: {options}"),
            Err(e) => return (calls, Err(e)),
        }
    }
}

fn answer(json: &str) -> Input {
    Input::response(200, json)
}

fn error(name: &str) -> Input {
    Input::response(400, &format!(r#"{{"__type":"{name}","message":"no"}}"#))
}

fn signed_in(sdk: &Sdk, expires_in: i64) {
    let (_, outcome) = run(
        sdk,
        SignIn::password("alice", "pw", SignInFlow::Password),
        &[answer(&tokens(expires_in, Some("r1")))],
    );
    assert!(matches!(outcome, Ok(cognate_client::SignInOutcome::SignedIn(_))), "{outcome:?}");
}

#[test]
fn a_fresh_session_is_not_refreshed_unless_forced() {
    let sdk = sdk();
    signed_in(&sdk, 3600);
    let (calls, outcome) = run(&sdk, Refresh::new(false), &[]);
    assert!(calls.is_empty());
    assert!(!outcome.unwrap().1);
    let (calls, outcome) = run(&sdk, Refresh::new(true), &[answer(&tokens(3600, Some("r2")))]);
    assert_eq!(calls[0].0, "GetTokensFromRefreshToken");
    assert_eq!(calls[0].1["RefreshToken"], "r1");
    assert_eq!(outcome.unwrap().0.tokens.refresh_token, "r2");
}

#[test]
fn refresh_falls_back_to_refresh_token_auth_and_keeps_the_refresh_token() {
    let sdk = sdk();
    signed_in(&sdk, 30);
    let (calls, outcome) =
        run(&sdk, Refresh::new(false), &[error("UnknownOperationException"), answer(&tokens(3600, None))]);
    let names: Vec<&str> = calls.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["GetTokensFromRefreshToken", "InitiateAuth"]);
    assert_eq!(calls[1].1["AuthFlow"], "REFRESH_TOKEN_AUTH");
    assert_eq!(calls[1].1["AuthParameters"]["REFRESH_TOKEN"], "r1");
    let (session, refreshed) = outcome.unwrap();
    assert!(refreshed);
    assert_eq!(session.tokens.refresh_token, "r1");
    assert!(!sdk.needs_refresh(&sdk.stored_session().unwrap()));
}

#[test]
fn a_refused_refresh_token_signs_the_user_out_and_other_errors_do_not() {
    let sdk = sdk();
    signed_in(&sdk, 30);
    let (_, outcome) = run(&sdk, Refresh::new(false), &[Input::network_error("offline")]);
    assert_eq!(outcome.unwrap_err().name, "NetworkError");
    assert!(sdk.stored_session().is_some());
    let (_, outcome) = run(&sdk, Refresh::new(false), &[error("NotAuthorizedException")]);
    assert_eq!(outcome.unwrap_err().name, "NotAuthorizedException");
    assert!(sdk.stored_session().is_none());
    assert_eq!(run(&sdk, Refresh::new(false), &[]).1.unwrap_err().name, "NotAuthorizedException");
}

#[test]
fn sign_out_clears_the_session_whatever_the_server_says() {
    let sdk = sdk();
    signed_in(&sdk, 3600);
    let (calls, outcome) = run(&sdk, SignOut::new(false), &[Input::network_error("offline")]);
    assert_eq!((calls[0].0.as_str(), &calls[0].1["Token"]), ("RevokeToken", &Json::String("r1".into())));
    assert_eq!(outcome.unwrap_err().name, "NetworkError");
    assert!(sdk.stored_session().is_none());
    // Signed out already: nothing to call.
    assert!(run(&sdk, SignOut::new(true), &[]).0.is_empty());
}

#[test]
fn challenges_wait_for_their_answer_and_flows_refuse_input_out_of_turn() {
    let sdk = sdk();
    let challenge = r#"{"ChallengeName":"SOFTWARE_TOKEN_MFA","Session":"s1","ChallengeParameters":{"USERNAME":"alice-sub"}}"#;
    let (_, outcome) = run(&sdk, SignIn::password("alice", "pw", SignInFlow::Password), &[answer(challenge)]);
    assert!(matches!(outcome, Ok(cognate_client::SignInOutcome::Next(_))));
    let (calls, outcome) = run(&sdk, SignIn::confirm("123456", &[]), &[answer(&tokens(3600, Some("r1")))]);
    let responses = &calls[0].1["ChallengeResponses"];
    assert_eq!(
        (&calls[0].1["Session"], &responses["SOFTWARE_TOKEN_MFA_CODE"]),
        (&Json::String("s1".into()), &Json::String("123456".into()))
    );
    assert_eq!(responses["USERNAME"], "alice-sub");
    assert!(outcome.is_ok());
    // Nothing is pending any more.
    assert_eq!(run(&sdk, SignIn::confirm("123456", &[]), &[]).1.unwrap_err().name, "InvalidStateException");

    // A credential where a call's answer is due, and any input after the end.
    let mut flow = SignIn::password("alice", "pw", SignInFlow::Password);
    assert!(matches!(flow.resume(&sdk, Input::Start), Ok(Step::Call(_))));
    assert_eq!(flow.resume(&sdk, Input::Credential("{}".into())).unwrap_err().name, "InvalidStateException");
    assert_eq!(flow.resume(&sdk, Input::Start).unwrap_err().name, "InvalidStateException");
}

#[test]
fn authorized_requests_need_a_signed_in_user() {
    let sdk = sdk();
    let request = sdk.change_password_request("old", "new");
    assert_eq!(sdk.prepare(request.clone()).unwrap_err().name, "NotAuthorizedException");
    signed_in(&sdk, 3600);
    let (target, body) = sdk.prepare(request).unwrap();
    assert_eq!(target, "AWSCognitoIdentityProviderService.ChangePassword");
    assert_eq!(
        Json::parse(&body).unwrap()["AccessToken"],
        sdk.stored_session().unwrap().tokens.access_token.as_str()
    );
}
