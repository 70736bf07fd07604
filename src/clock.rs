//! The current time, in one place.

/// Unix seconds now; 0 on a clock set before 1970.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_time_is_after_2020() {
        assert!(super::now_unix() > 1_577_836_800);
    }
}
