//! Command execution for the CLI.
