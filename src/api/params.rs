//! The query parameters of a listing: `limit`, `order`, `after` and `include[]`, as in
//! <https://platform.openai.com/docs/api-reference/conversations/list-items>.

use std::fmt;
use std::str::FromStr;

/// Sort order of a listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Order {
    Asc,
    #[default]
    Desc,
}

impl fmt::Display for Order {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Order::Asc => "asc",
            Order::Desc => "desc",
        })
    }
}

impl FromStr for Order {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "asc" => Ok(Order::Asc),
            "desc" => Ok(Order::Desc),
            other => Err(format!("invalid order '{other}': expected 'asc' or 'desc'")),
        }
    }
}

/// Query parameters of a listing. `limit` is always sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListParams {
    pub limit: u32,
    pub order: Order,
    pub after: Option<String>,
    pub include: Vec<String>,
}

impl Default for ListParams {
    fn default() -> Self {
        ListParams {
            limit: 100,
            order: Order::Desc,
            after: None,
            include: Vec::new(),
        }
    }
}

impl ListParams {
    pub(crate) fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = vec![
            ("limit", self.limit.to_string()),
            ("order", self.order.to_string()),
        ];
        if let Some(after) = self.after.as_deref().filter(|a| !a.is_empty()) {
            q.push(("after", after.to_string()));
        }
        q.extend(include_query(&self.include));
        q
    }
}

pub(crate) fn include_query(include: &[String]) -> Vec<(&'static str, String)> {
    include.iter().map(|v| ("include[]", v.clone())).collect()
}
