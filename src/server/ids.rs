//! Object and request ids: a prefix and random hex.

use rand::RngCore;

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex::encode(buf)
}

/// `conv_` + 48 hex characters.
pub fn conversation_id() -> String {
    format!("conv_{}", random_hex(24))
}

/// The item type's prefix + 48 hex characters.
pub fn item_id(item_type: &str) -> String {
    format!("{}_{}", item_prefix(item_type), random_hex(24))
}

/// `req_` + 32 hex characters.
pub fn request_id() -> String {
    format!("req_{}", random_hex(16))
}

fn item_prefix(item_type: &str) -> &'static str {
    match item_type {
        "message" => "msg",
        "function_call" => "fc",
        "function_call_output" => "fco",
        "file_search_call" => "fs",
        "web_search_call" => "ws",
        "image_generation_call" => "ig",
        "computer_call" => "cu",
        "computer_call_output" => "cuo",
        "reasoning" => "rs",
        "code_interpreter_call" => "ci",
        "local_shell_call" => "lsh",
        "local_shell_call_output" => "lsho",
        "mcp_list_tools" => "mcpl",
        "mcp_approval_request" => "mcpr",
        "mcp_approval_response" => "mcpa",
        "mcp_call" => "mcp",
        "custom_tool_call" => "ctc",
        "custom_tool_call_output" => "ctco",
        "shell_call" => "sh",
        "shell_call_output" => "sho",
        "apply_patch_call" => "apc",
        "apply_patch_call_output" => "apco",
        "tool_search_call" => "tsc",
        "tool_search_output" => "tso",
        "compaction" => "cmp",
        "additional_tools" => "at",
        "program" => "prg",
        "program_output" => "prgo",
        "configuration_update" => "cfg",
        _ => "item",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_contract_shape() {
        let c = conversation_id();
        assert!(c.starts_with("conv_") && c.len() == 5 + 48);
        assert!(c[5..].chars().all(|ch| ch.is_ascii_hexdigit()));
        assert!(item_id("message").starts_with("msg_"));
        assert!(item_id("function_call").starts_with("fc_"));
        assert!(item_id("something_new").starts_with("item_"));
        let r = request_id();
        assert!(r.starts_with("req_") && r.len() == 4 + 32);
        assert_ne!(conversation_id(), conversation_id());
    }
}
