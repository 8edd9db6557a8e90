//! What the local HTTP API reads from `infra/template.yaml`: the HTTP API's routes (each function's
//! `HttpApi` events), its JWT authorizer's identity source, its CORS configuration, and the
//! functions it runs (their binary, timeout, variables and schedules).

use std::time::Duration;

use serde_yaml::Value;

use crate::Error;

/// One route of the HTTP API: `Method` and `Path` of an `HttpApi` event (`{name}` segments are
/// path parameters, `{name+}` a greedy one), the function it invokes, and its authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Upper case; `ANY` matches every method.
    pub method: String,
    pub path: String,
    /// The function's binary (`Metadata.BuildProperties.Binary`).
    pub function: String,
    /// `Auth: Authorizer: NONE`: no token asked for.
    pub public: bool,
    /// `Auth: AuthorizationScopes`: the token must carry one of them.
    pub scopes: Vec<String>,
}

impl Route {
    /// `GET /invitations/{id}`, as `routeKey` names it.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The path parameters when `path` (a raw request path) is on this route, percent-decoded.
    pub fn parameters(&self, path: &str) -> Option<Vec<(String, String)>> {
        let mut template = self.path.trim_start_matches('/').split('/');
        let mut given = path.trim_start_matches('/').split('/');
        let mut parameters = Vec::new();
        loop {
            match (template.next(), given.next()) {
                (None, None) => return Some(parameters),
                (Some(segment), Some(value)) => {
                    match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(greedy) if greedy.ends_with('+') => {
                            let rest: Vec<&str> = std::iter::once(value).chain(given).collect();
                            parameters.push((
                                greedy.trim_end_matches('+').to_owned(),
                                percent_decode(&rest.join("/")),
                            ));
                            return Some(parameters);
                        }
                        Some(_) if value.is_empty() => return None,
                        Some(name) => parameters.push((name.to_owned(), percent_decode(value))),
                        None if segment == value => {}
                        None => return None,
                    }
                }
                _ => return None,
            }
        }
    }

    /// How specific the route is, for choosing among several that match (API Gateway prefers
    /// literal segments to parameters, and a method to `ANY`): greater is more specific.
    fn specificity(&self) -> (Vec<u8>, bool) {
        let segments = self
            .path
            .split('/')
            .map(|segment| match segment {
                s if s.ends_with("+}") => 0,
                s if s.starts_with('{') => 1,
                _ => 2,
            })
            .collect();
        (segments, self.method != "ANY")
    }
}

/// Decodes `%XX` escapes (invalid ones are kept as they are).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// The HTTP API's `CorsConfiguration`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cors {
    pub allow_methods: Vec<String>,
    pub allow_headers: Vec<String>,
    pub expose_headers: Vec<String>,
    pub max_age: Option<u64>,
    pub allow_credentials: bool,
}

/// The HTTP API of the template, as the gateway serves it.
#[derive(Debug, Clone)]
pub struct HttpApi {
    pub routes: Vec<Route>,
    /// The header its JWT authorizer reads the token from (`IdentitySource:
    /// $request.header.Authorization`), lower case.
    pub identity_header: String,
    pub cors: Option<Cors>,
}

impl HttpApi {
    /// The route of `method` and `path` (raw), with its path parameters: the most specific one.
    pub fn route(&self, method: &str, path: &str) -> Option<(&Route, Vec<(String, String)>)> {
        self.routes
            .iter()
            .filter(|route| route.method == method || route.method == "ANY")
            .filter_map(|route| Some((route, route.parameters(path)?)))
            .max_by_key(|(route, _)| route.specificity())
    }
}

/// A function of the template that the local stack runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDefinition {
    /// The resource's logical id (`RecruiterApiFunction`).
    pub logical_id: String,
    /// Its binary (`Metadata.BuildProperties.Binary`), also its name here.
    pub binary: String,
    /// The names of its `Environment.Variables`.
    pub variables: Vec<String>,
    /// `Timeout`, else the `Globals`' one, else Lambda's default of 3 s.
    pub timeout: Duration,
    /// The periods of its `Schedule` events (`rate(...)` expressions).
    pub schedules: Vec<Duration>,
}

/// The template's HTTP API: fails naming what it cannot read.
pub fn http_api(template: &Value) -> Result<HttpApi, Error> {
    let resources = template["Resources"]
        .as_mapping()
        .ok_or("the template has no Resources")?;
    let mut routes = Vec::new();
    let mut api_id = None;
    for (id, resource) in resources {
        let Some(binary) = resource["Metadata"]["BuildProperties"]["Binary"].as_str() else {
            continue;
        };
        let Some(events) = resource["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for (name, event) in events {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let properties = &event["Properties"];
            let where_ = format!(
                "{}.{}",
                id.as_str().unwrap_or("?"),
                name.as_str().unwrap_or("?")
            );
            let this_api = tagged_ref(&properties["ApiId"]);
            if api_id.get_or_insert_with(|| this_api.clone()) != &this_api {
                return Err(format!("{where_}: the local API serves one HttpApi").into());
            }
            let auth = &properties["Auth"];
            routes.push(Route {
                method: properties["Method"]
                    .as_str()
                    .ok_or_else(|| format!("{where_} has no Method"))?
                    .to_uppercase()
                    .replace("X-AMAZON-APIGATEWAY-ANY-METHOD", "ANY"),
                path: properties["Path"]
                    .as_str()
                    .ok_or_else(|| format!("{where_} has no Path"))?
                    .to_owned(),
                function: binary.to_owned(),
                public: auth["Authorizer"].as_str() == Some("NONE"),
                scopes: strings(&auth["AuthorizationScopes"]),
            });
        }
    }
    let api_id = api_id
        .flatten()
        .ok_or("the template has no HttpApi route")?;
    let api = &resources
        .get(api_id.as_str())
        .ok_or_else(|| format!("no resource {api_id}"))?["Properties"];
    let default_authorizer = api["Auth"]["DefaultAuthorizer"].as_str();
    let identity_source = default_authorizer
        .map(|name| &api["Auth"]["Authorizers"][name]["IdentitySource"])
        .and_then(Value::as_str)
        .unwrap_or("$request.header.Authorization");
    let identity_header = identity_source
        .strip_prefix("$request.header.")
        .ok_or_else(|| format!("identity source {identity_source} is not a header"))?
        .to_lowercase();
    if default_authorizer.is_none() {
        // Without a default authorizer every route is public unless it names one.
        for route in &mut routes {
            route.public = true;
        }
    }
    let cors = match &api["CorsConfiguration"] {
        Value::Mapping(cors) => Some(Cors {
            allow_methods: strings(&cors_value(cors, "AllowMethods")),
            allow_headers: strings(&cors_value(cors, "AllowHeaders")),
            expose_headers: strings(&cors_value(cors, "ExposeHeaders")),
            max_age: cors_value(cors, "MaxAge").as_u64(),
            allow_credentials: cors_value(cors, "AllowCredentials").as_bool() == Some(true),
        }),
        _ => None,
    };
    Ok(HttpApi {
        routes,
        identity_header,
        cors,
    })
}

fn cors_value(cors: &serde_yaml::Mapping, name: &str) -> Value {
    cors.get(name).cloned().unwrap_or(Value::Null)
}

/// The functions of the template that have a binary (`Metadata.BuildProperties.Binary`).
pub fn functions(template: &Value) -> Result<Vec<FunctionDefinition>, Error> {
    let resources = template["Resources"]
        .as_mapping()
        .ok_or("the template has no Resources")?;
    let default_timeout = template["Globals"]["Function"]["Timeout"]
        .as_u64()
        .unwrap_or(3);
    let mut functions = Vec::new();
    for (id, resource) in resources {
        let Some(binary) = resource["Metadata"]["BuildProperties"]["Binary"].as_str() else {
            continue;
        };
        let properties = &resource["Properties"];
        let variables = properties["Environment"]["Variables"]
            .as_mapping()
            .map(|variables| {
                variables
                    .keys()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let schedules = properties["Events"]
            .as_mapping()
            .into_iter()
            .flat_map(|events| events.values())
            .filter(|event| event["Type"].as_str() == Some("Schedule"))
            .filter_map(|event| event["Properties"]["Schedule"].as_str())
            .map(rate)
            .collect::<Result<_, _>>()?;
        functions.push(FunctionDefinition {
            logical_id: id.as_str().unwrap_or_default().to_owned(),
            binary: binary.to_owned(),
            variables,
            timeout: Duration::from_secs(properties["Timeout"].as_u64().unwrap_or(default_timeout)),
            schedules,
        });
    }
    Ok(functions)
}

/// The period of an EventBridge `rate(value unit)` expression.
pub fn rate(expression: &str) -> Result<Duration, Error> {
    let bad = || format!("schedule {expression:?} is not rate(N minutes|hours|days)");
    let inner = expression
        .strip_prefix("rate(")
        .and_then(|rest| rest.strip_suffix(')'))
        .ok_or_else(bad)?;
    let (value, unit) = inner.trim().split_once(' ').ok_or_else(bad)?;
    let value: u64 = value.parse().map_err(|_| bad())?;
    let seconds = match unit.trim() {
        "minute" | "minutes" => 60,
        "hour" | "hours" => 3600,
        "day" | "days" => 86_400,
        _ => return Err(bad().into()),
    };
    Ok(Duration::from_secs(value * seconds))
}

/// A `!Ref NAME` (or a plain string) as its name.
fn tagged_ref(value: &Value) -> Option<String> {
    match value {
        Value::Tagged(tagged) if tagged.tag == "Ref" => tagged.value.as_str().map(str::to_owned),
        Value::String(name) => Some(name.clone()),
        _ => None,
    }
}

/// A list of strings (a `!Ref` to a list parameter, or anything else, reads as none).
fn strings(value: &Value) -> Vec<String> {
    value
        .as_sequence()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| match item {
                    Value::String(text) => Some(text.clone()),
                    Value::Number(number) => Some(number.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(method: &str, path: &str) -> Route {
        Route {
            method: method.into(),
            path: path.into(),
            function: "f".into(),
            public: false,
            scopes: Vec::new(),
        }
    }

    #[test]
    fn routes_match_as_api_gateway_matches_them() {
        let api = HttpApi {
            routes: vec![
                route("GET", "/invitations/{id}"),
                route("GET", "/invitations/mine"),
                route("POST", "/invitations/{id}/resend"),
                route("ANY", "/files/{path+}"),
                route("GET", "/files/{path+}"),
            ],
            identity_header: "authorization".into(),
            cors: None,
        };
        let (found, parameters) = api.route("GET", "/invitations/a%20b").unwrap();
        assert_eq!(found.path, "/invitations/{id}");
        assert_eq!(parameters, [("id".to_owned(), "a b".to_owned())]);
        assert_eq!(
            api.route("GET", "/invitations/mine").unwrap().0.path,
            "/invitations/mine"
        );
        assert!(api.route("GET", "/invitations/").is_none());
        assert!(api.route("DELETE", "/invitations/1").is_none());
        assert!(api.route("GET", "/invitations/1/resend").is_none());
        let (found, parameters) = api.route("GET", "/files/a/b").unwrap();
        assert_eq!(found.method, "GET");
        assert_eq!(parameters, [("path".to_owned(), "a/b".to_owned())]);
        assert_eq!(api.route("PUT", "/files/a").unwrap().0.method, "ANY");
    }

    #[test]
    fn the_template_gives_routes_authorization_cors_and_schedules() {
        let template = crate::template().unwrap();
        let api = http_api(&template).unwrap();
        let open = api.route("GET", "/candidate/invitations/abc").unwrap().0;
        assert!(open.public);
        assert_eq!(open.function, "candidate-api");
        let create = api.route("POST", "/video-interviews").unwrap().0;
        assert!(!create.public);
        assert_eq!(create.function, "recruiter-api");
        assert_eq!(api.identity_header, "authorization");
        let cors = api.cors.unwrap();
        assert!(cors.allow_headers.contains(&"idempotency-key".to_owned()));
        assert!(cors.max_age.is_some());
        let functions = functions(&template).unwrap();
        let reminders = functions
            .iter()
            .find(|function| function.binary == "deadline-reminders")
            .unwrap();
        assert_eq!(reminders.schedules, [Duration::from_secs(15 * 60)]);
        assert!(
            reminders
                .variables
                .contains(&"LINK_KEY_SECRET_ARN".to_owned())
        );
        assert_eq!(rate("rate(1 day)").unwrap(), Duration::from_secs(86_400));
        assert!(rate("cron(0 * * * ? *)").is_err());
    }
}
