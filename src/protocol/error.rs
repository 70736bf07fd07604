//! The OpenAI error envelope: `{"error":{"message","type","param","code"}}`.

use serde_json::json;

/// An error answered to the client in OpenAI's envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status this error is answered with.
    pub status: u16,
    pub kind: &'static str,
    pub code: Option<&'static str>,
    pub param: Option<String>,
    pub message: String,
}

impl ApiError {
    fn invalid(code: Option<&'static str>, param: Option<String>, message: String) -> Self {
        ApiError {
            status: 400,
            kind: "invalid_request_error",
            code,
            param,
            message,
        }
    }

    pub fn conversation_not_found(id: &str) -> Self {
        ApiError {
            status: 404,
            ..Self::invalid(
                None,
                None,
                format!("Conversation with id '{id}' not found."),
            )
        }
    }

    pub fn item_not_found(id: &str) -> Self {
        ApiError {
            status: 404,
            ..Self::invalid(
                None,
                None,
                format!("Item with id '{id}' not found in conversation."),
            )
        }
    }

    pub fn invalid_url(method: &str, path: &str) -> Self {
        ApiError {
            status: 404,
            ..Self::invalid(None, None, format!("Invalid URL ({method} {path})"))
        }
    }

    pub fn integer_above_max(param: &str, max: i64, got: i64) -> Self {
        Self::invalid(
            Some("integer_above_max_value"),
            Some(param.into()),
            format!("Invalid '{param}': integer above maximum value. Expected a value <= {max}, but got {got} instead."),
        )
    }

    pub fn integer_below_min(param: &str, min: i64, got: i64) -> Self {
        Self::invalid(
            Some("integer_below_min_value"),
            Some(param.into()),
            format!("Invalid '{param}': integer below minimum value. Expected a value >= {min}, but got {got} instead."),
        )
    }

    /// `Invalid value: 'x'. Supported values are: 'a', 'b', and 'c'.`
    pub fn invalid_value(param: &str, got: &str, supported: &[&str]) -> Self {
        let quoted: Vec<String> = supported.iter().map(|s| format!("'{s}'")).collect();
        let list = match quoted.len() {
            0 => String::new(),
            1 => quoted[0].clone(),
            2 => format!("{} and {}", quoted[0], quoted[1]),
            n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
        };
        Self::invalid(
            Some("invalid_value"),
            Some(param.into()),
            format!("Invalid value: '{got}'. Supported values are: {list}."),
        )
    }

    pub fn too_many_properties(param: &str, max: usize, got: usize) -> Self {
        Self::invalid(
            Some("object_above_max_properties"),
            Some(param.into()),
            format!("Invalid '{param}': too many properties. Expected an object with at most {max} properties, but got an object with {got} properties instead."),
        )
    }

    pub fn string_too_long(param: &str, max: usize, got: usize) -> Self {
        Self::invalid(
            Some("string_above_max_length"),
            Some(param.into()),
            format!("Invalid '{param}': string too long. Expected a string with maximum length {max}, but got a string with length {got} instead."),
        )
    }

    pub fn property_name_too_long(param: &str, key: &str, max: usize, got: usize) -> Self {
        Self::invalid(
            Some("property_name_above_max_length"),
            Some(format!("{param}.{key}")),
            format!("Invalid property name in '{param}': '{key}' is too long. Expected a string with maximum length {max}, but got a string with length {got} instead."),
        )
    }

    pub fn empty_property_name(param: &str) -> Self {
        Self::invalid(
            Some("property_name_below_min_length"),
            Some(param.into()),
            format!("Invalid property name in '{param}': '' is too short. Expected a string with minimum length 1, but got a string with length 0 instead."),
        )
    }

    pub fn array_too_long(param: &str, max: usize, got: usize) -> Self {
        Self::invalid(
            Some("array_above_max_length"),
            Some(param.into()),
            format!("Invalid '{param}': array too long. Expected an array with maximum length {max}, but got an array with length {got} instead."),
        )
    }

    pub fn empty_array(param: &str) -> Self {
        Self::invalid(
            Some("empty_array"),
            Some(param.into()),
            format!("Invalid '{param}': empty array. Expected an array with minimum length 1, but got an empty array instead."),
        )
    }

    pub fn unknown_parameter(param: &str) -> Self {
        Self::invalid(
            Some("unknown_parameter"),
            Some(param.into()),
            format!("Unknown parameter: '{param}'."),
        )
    }

    pub fn missing_parameter(param: &str) -> Self {
        Self::invalid(
            Some("missing_required_parameter"),
            Some(param.into()),
            format!("Missing required parameter: '{param}'."),
        )
    }

    /// `Invalid type for 'p': expected a string, but got an integer instead.`
    pub fn invalid_type(param: &str, expected: &str, got: &serde_json::Value) -> Self {
        Self::invalid(
            Some("invalid_type"),
            Some(param.into()),
            format!(
                "Invalid type for '{param}': expected {expected}, but got {} instead.",
                json_kind(got)
            ),
        )
    }

    pub fn invalid_query_type(param: &str, expected: &str) -> Self {
        Self::invalid(
            Some("invalid_type"),
            Some(param.into()),
            format!("Invalid type for '{param}': expected {expected}, but got a string instead."),
        )
    }

    pub fn malformed_json() -> Self {
        Self::invalid(
            None,
            None,
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)".into(),
        )
    }

    pub fn wrong_content_type(got: &str) -> Self {
        Self::invalid(
            Some("unsupported_content_type"),
            None,
            format!("Invalid Content-Type header ({got}), expected application/json."),
        )
    }

    pub fn body_too_large(limit: usize) -> Self {
        ApiError {
            status: 413,
            ..Self::invalid(
                Some("request_too_large"),
                None,
                format!("Request body too large. The maximum request body size is {limit} bytes."),
            )
        }
    }

    pub fn invalid_cursor(param: &str, id: &str) -> Self {
        Self::invalid(
            Some("invalid_value"),
            Some(param.into()),
            format!("Invalid '{param}': no item with id '{id}' in this conversation."),
        )
    }

    pub fn invalid_cursor_conversation(id: &str) -> Self {
        Self::invalid(
            Some("invalid_value"),
            Some("after".into()),
            format!("Invalid 'after': no conversation with id '{id}'."),
        )
    }

    pub fn missing_api_key() -> Self {
        ApiError {
            status: 401,
            ..Self::invalid(
                None,
                None,
                "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.".into(),
            )
        }
    }

    pub fn incorrect_api_key(redacted: &str) -> Self {
        ApiError {
            status: 401,
            ..Self::invalid(
                Some("invalid_api_key"),
                None,
                format!("Incorrect API key provided: {redacted}. You can find your API key at https://platform.openai.com/account/api-keys."),
            )
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        ApiError {
            status: 500,
            kind: "server_error",
            code: None,
            param: None,
            message: message.into(),
        }
    }

    pub fn body(&self) -> serde_json::Value {
        json!({"error": {
            "message": self.message,
            "type": self.kind,
            "param": self.param,
            "code": self.code,
        }})
    }
}

/// How OpenAI names a JSON value's type in its messages.
pub fn json_kind(v: &serde_json::Value) -> &'static str {
    use serde_json::Value::*;
    match v {
        Null => "null",
        Bool(_) => "a boolean",
        Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Number(_) => "a decimal",
        String(_) => "a string",
        Array(_) => "an array",
        Object(_) => "an object",
    }
}
