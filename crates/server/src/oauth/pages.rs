//! The managed login pages' HTML: server-rendered, usable without JavaScript, one small inline style
//! sheet, no third-party requests. Labels are tied to their inputs, the first field takes focus,
//! errors are announced (`role="alert"`). Text is in English or Spanish (`lang=es`).
//!
//! Templates are plain functions over an escaping writer: the pages are few and small, and a
//! template engine's proc macros would cost more build time than they save here.

use std::fmt::Write as _;

/// The page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English (the default).
    En,
    /// Spanish.
    Es,
}

impl Lang {
    /// The language `lang` asks for (its primary subtag), English when unknown.
    #[must_use]
    pub fn from_param(lang: Option<&str>) -> Self {
        match lang.map(|l| l.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase()) {
            Some(l) if l == "es" => Self::Es,
            _ => Self::En,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Es => "es",
        }
    }
}

/// The words of the pages, by key.
#[must_use]
pub fn text(lang: Lang, key: &str) -> &'static str {
    let (en, es) = match key {
        "signin" => ("Sign in", "Iniciar sesión"),
        "username" => ("Username", "Nombre de usuario"),
        "password" => ("Password", "Contraseña"),
        "forgot" => ("Forgot your password?", "¿Olvidó su contraseña?"),
        "signup" => ("Sign up", "Registrarse"),
        "no_account" => ("Need an account? Sign up", "¿No tiene cuenta? Regístrese"),
        "have_account" => ("Already have an account? Sign in", "¿Ya tiene cuenta? Inicie sesión"),
        "confirm_title" => ("Confirm your account", "Confirme su cuenta"),
        "code" => ("Code", "Código"),
        "confirm" => ("Confirm", "Confirmar"),
        "code_sent" => ("We sent a code. Enter it below.", "Le enviamos un código. Escríbalo abajo."),
        "forgot_title" => ("Reset your password", "Restablecer la contraseña"),
        "send_code" => ("Send code", "Enviar código"),
        "new_password" => ("New password", "Nueva contraseña"),
        "reset" => ("Change password", "Cambiar contraseña"),
        "mfa_title" => ("Enter your sign-in code", "Escriba su código de acceso"),
        "mfa_totp" => (
            "Enter the code from your authenticator app.",
            "Escriba el código de su aplicación de autenticación.",
        ),
        "verify" => ("Verify", "Verificar"),
        "new_password_title" => ("Set a new password", "Elija una nueva contraseña"),
        "setup_title" => ("Set up an authenticator app", "Configure una aplicación de autenticación"),
        "setup_hint" => (
            "Add this key to your authenticator app, then enter the code it shows.",
            "Añada esta clave a su aplicación de autenticación y escriba el código que muestre.",
        ),
        "select_title" => ("Choose how to verify", "Elija cómo verificar"),
        "confirmed" => ("Your account is confirmed. Sign in.", "Su cuenta está confirmada. Inicie sesión."),
        "reset_done" => ("Your password was changed. Sign in.", "Su contraseña se cambió. Inicie sesión."),
        "error_title" => ("This sign-in page cannot be shown", "No se puede mostrar esta página"),
        "passkey" => ("Sign in with a passkey", "Iniciar sesión con una llave de acceso"),
        "SOFTWARE_TOKEN_MFA" => ("Authenticator app", "Aplicación de autenticación"),
        "SMS_MFA" => ("Text message", "Mensaje de texto"),
        "EMAIL_OTP" => ("Email", "Correo electrónico"),
        "email" => ("Email", "Correo electrónico"),
        "phone_number" => ("Phone number", "Número de teléfono"),
        _ => ("", ""),
    };
    if lang == Lang::Es { es } else { en }
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, for element content and quoted attributes.
#[must_use]
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// How the pages look: colours from the client's branding style, CSS from its UI customization.
#[derive(Debug, Clone, Default)]
pub struct Look {
    /// The primary button's colour, `#rrggbb`.
    pub primary: Option<String>,
    /// The page background, `#rrggbb`.
    pub background: Option<String>,
    /// Extra CSS (SetUICustomization), with `<` removed so it cannot leave its element.
    pub css: Option<String>,
}

/// A colour as the branding settings write it (`0972d3ff`, `#0972d3`), as CSS `#rrggbb`.
#[must_use]
pub fn colour(value: &str) -> Option<String> {
    let hex = value.trim_start_matches('#');
    let ok = (hex.len() == 6 || hex.len() == 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| format!("#{}", &hex[..6]))
}

/// An input of a form.
#[derive(Debug, Clone)]
pub struct Field {
    /// Its name, posted.
    pub name: String,
    /// Its label.
    pub label: String,
    /// `text`, `password`, `email`, `tel`.
    pub kind: &'static str,
    /// The `autocomplete` token.
    pub autocomplete: &'static str,
    /// A value to show.
    pub value: String,
}

impl Field {
    /// A field.
    #[must_use]
    pub fn new(name: &str, label: &str, kind: &'static str, autocomplete: &'static str) -> Self {
        Self { name: name.to_owned(), label: label.to_owned(), kind, autocomplete, value: String::new() }
    }

    /// With a value shown.
    #[must_use]
    pub fn with_value(mut self, value: &str) -> Self {
        value.clone_into(&mut self.value);
        self
    }
}

/// A page with one form.
#[derive(Debug, Clone)]
pub struct Page {
    /// Its language.
    pub lang: Lang,
    /// Its heading (and title).
    pub title: String,
    /// Where the form posts.
    pub action: String,
    /// Hidden inputs (the CSRF token, the step, a challenge's session...).
    pub hidden: Vec<(String, String)>,
    /// The visible inputs.
    pub fields: Vec<Field>,
    /// Choices posted as `name=value` buttons instead of one submit button.
    pub choices: Vec<(String, String, String)>,
    /// The submit button's label.
    pub submit: String,
    /// An error to announce.
    pub error: Option<String>,
    /// A notice (not an error).
    pub notice: Option<String>,
    /// A preformatted value to show (an authenticator key).
    pub code_block: Option<String>,
    /// Links under the form: (label, href).
    pub links: Vec<(String, String)>,
    /// Whether to offer passkey sign-in (a second button; the passkey page has the only script).
    pub passkey: bool,
}

impl Page {
    /// An empty page titled `title`, posting to `action`.
    #[must_use]
    pub fn new(lang: Lang, title: &str, action: &str, submit: &str) -> Self {
        Self {
            lang,
            title: title.to_owned(),
            action: action.to_owned(),
            hidden: Vec::new(),
            fields: Vec::new(),
            choices: Vec::new(),
            submit: submit.to_owned(),
            error: None,
            notice: None,
            code_block: None,
            links: Vec::new(),
            passkey: false,
        }
    }
}

const STYLE: &str = "*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;background:var(--bg);color:#16191f;display:flex;justify-content:center;padding:2rem 1rem}main{background:#fff;max-width:24rem;width:100%;padding:2rem;border-radius:.5rem;box-shadow:0 1px 4px #0003}h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.75rem 0 .25rem;font-weight:600}input{width:100%;padding:.6rem;border:1px solid #8d99a8;border-radius:.25rem;font:inherit}input:focus,button:focus{outline:2px solid var(--primary);outline-offset:2px}button{margin-top:1.25rem;width:100%;padding:.7rem;border:0;border-radius:.25rem;background:var(--primary);color:#fff;font:inherit;font-weight:600;cursor:pointer}.alert{background:#fdf3f1;border:1px solid #d91515;color:#a0120e;padding:.6rem;border-radius:.25rem}.notice{background:#f2f8fd;border:1px solid #0972d3;padding:.6rem;border-radius:.25rem}pre{background:#f4f4f4;padding:.6rem;overflow-wrap:anywhere;white-space:pre-wrap}nav{margin-top:1rem;display:flex;flex-direction:column;gap:.25rem}a{color:var(--primary)}";

const PASSKEY_SCRIPT: &str = "document.getElementById('passkey').addEventListener('click',async e=>{e.preventDefault();const f=document.getElementById('pkform');const o=JSON.parse(f.dataset.options);const b=s=>Uint8Array.from(atob(s.replace(/-/g,'+').replace(/_/g,'/')),c=>c.charCodeAt(0));const u=a=>btoa(String.fromCharCode(...new Uint8Array(a))).replace(/\\+/g,'-').replace(/\\//g,'_').replace(/=+$/,'');o.challenge=b(o.challenge);(o.allowCredentials||[]).forEach(c=>c.id=b(c.id));const c=await navigator.credentials.get({publicKey:o});const r=c.response;f.credential.value=JSON.stringify({id:c.id,rawId:u(c.rawId),type:c.type,clientExtensionResults:{},response:{clientDataJSON:u(r.clientDataJSON),authenticatorData:u(r.authenticatorData),signature:u(r.signature),userHandle:r.userHandle?u(r.userHandle):null}});f.submit()});";

fn head(out: &mut String, lang: Lang, title: &str, look: &Look) {
    let primary = look.primary.as_deref().unwrap_or("#0972d3");
    let background = look.background.as_deref().unwrap_or("#f2f3f3");
    let _ = write!(
        out,
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>:root{{--primary:{primary};--bg:{background}}}{STYLE}{}</style></head><body><main>",
        lang.code(),
        escape(title),
        look.css.as_deref().unwrap_or("").replace('<', ""),
    );
}

/// The page's HTML.
#[must_use]
pub fn render(page: &Page, look: &Look) -> String {
    let mut out = String::with_capacity(4096);
    head(&mut out, page.lang, &page.title, look);
    let _ = write!(out, "<h1>{}</h1>", escape(&page.title));
    if let Some(error) = &page.error {
        let _ = write!(out, "<p class=\"alert\" role=\"alert\">{}</p>", escape(error));
    }
    if let Some(notice) = &page.notice {
        let _ = write!(out, "<p class=\"notice\" role=\"status\">{}</p>", escape(notice));
    }
    if let Some(code) = &page.code_block {
        let _ = write!(out, "<pre>{}</pre>", escape(code));
    }
    let _ = write!(out, "<form method=\"post\" action=\"{}\">", escape(&page.action));
    for (name, value) in &page.hidden {
        let _ = write!(out, "<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(name), escape(value));
    }
    for (i, field) in page.fields.iter().enumerate() {
        let id = format!("f-{}", escape(&field.name));
        let _ = write!(
            out,
            "<label for=\"{id}\">{}</label><input id=\"{id}\" name=\"{}\" type=\"{}\" autocomplete=\"{}\" value=\"{}\" required{}>",
            escape(&field.label),
            escape(&field.name),
            field.kind,
            field.autocomplete,
            escape(&field.value),
            if i == 0 && page.error.is_none() { " autofocus" } else { "" },
        );
    }
    if page.choices.is_empty() {
        let _ = write!(out, "<button type=\"submit\">{}</button>", escape(&page.submit));
    }
    if page.passkey {
        let _ = write!(
            out,
            "<button type=\"submit\" name=\"method\" value=\"passkey\" formnovalidate>{}</button>",
            escape(text(page.lang, "passkey"))
        );
    }
    for (name, value, label) in &page.choices {
        let _ = write!(
            out,
            "<button type=\"submit\" name=\"{}\" value=\"{}\">{}</button>",
            escape(name),
            escape(value),
            escape(label)
        );
    }
    out.push_str("</form>");
    if page.links.is_empty() {
        out.push_str("</main></body></html>");
        return out;
    }
    out.push_str("<nav>");
    for (label, href) in &page.links {
        let _ = write!(out, "<a href=\"{}\">{}</a>", escape(href), escape(label));
    }
    out.push_str("</nav>");
    out.push_str("</main></body></html>");
    out
}

/// A passkey page: the options go to `navigator.credentials.get`, the answer is posted back.
#[must_use]
pub fn render_passkey(page: &Page, look: &Look, options_json: &str) -> String {
    let mut out = String::with_capacity(4096);
    head(&mut out, page.lang, &page.title, look);
    let _ = write!(out, "<h1>{}</h1>", escape(&page.title));
    if let Some(error) = &page.error {
        let _ = write!(out, "<p class=\"alert\" role=\"alert\">{}</p>", escape(error));
    }
    let _ = write!(
        out,
        "<form id=\"pkform\" method=\"post\" action=\"{}\" data-options=\"{}\">",
        escape(&page.action),
        escape(options_json)
    );
    for (name, value) in &page.hidden {
        let _ = write!(out, "<input type=\"hidden\" name=\"{}\" value=\"{}\">", escape(name), escape(value));
    }
    let _ = write!(
        out,
        "<input type=\"hidden\" name=\"credential\" value=\"\"><button id=\"passkey\" type=\"button\">{}</button></form><script>{PASSKEY_SCRIPT}</script></main></body></html>",
        escape(&page.submit)
    );
    out
}

/// Our error page, for requests that must not be redirected: what is wrong, and how to fix it.
#[must_use]
pub fn error_page(lang: Lang, error: &str, description: &str) -> String {
    let mut out = String::with_capacity(2048);
    head(&mut out, lang, text(lang, "error_title"), &Look::default());
    let _ = write!(
        out,
        "<h1>{}</h1><p class=\"alert\" role=\"alert\"><strong>{}</strong>: {}</p></main></body></html>",
        escape(text(lang, "error_title")),
        escape(error),
        escape(description),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_everywhere_they_are_written() {
        let mut page = Page::new(Lang::En, "<t>", "/login?a=1&b=\"2\"", "Go");
        page.hidden.push(("state".into(), "\"><script>alert(1)</script>".into()));
        page.fields.push(Field::new("username", "User", "text", "username").with_value("'x'"));
        page.error = Some("<b>bad</b>".into());
        let html = render(&page, &Look { css: Some("</style><script>x</script>".into()), ..Look::default() });
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("action=\"/login?a=1&amp;b=&quot;2&quot;\""));
        assert!(html.contains("value=\"&#39;x&#39;\""));
        assert!(html.contains("role=\"alert\">&lt;b&gt;bad&lt;/b&gt;"));
    }

    #[test]
    fn branding_colours_are_taken_only_when_they_are_colours() {
        assert_eq!(colour("0972d3ff").as_deref(), Some("#0972d3"));
        assert_eq!(colour("#abcdef").as_deref(), Some("#abcdef"));
        assert_eq!(colour("red;}body{x"), None);
        assert_eq!(Lang::from_param(Some("es-MX")), Lang::Es);
        assert_eq!(Lang::from_param(Some("fr")), Lang::En);
        assert_eq!(text(Lang::Es, "signin"), "Iniciar sesión");
    }
}
