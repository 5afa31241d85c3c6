//! The documented test key pair, used against loopback targets when no credentials are configured.
//!
//! These are AWS's own documentation example keys: they grant nothing anywhere, which is why the embedded target
//! accepts them by default and why they are safe to print.

/// Access key id of the test key pair.
pub const TEST_ACCESS_KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";
/// Secret key of the test key pair.
pub const TEST_SECRET_ACCESS_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// An access key id that no target knows, for the unknown-access-key case.
pub const UNKNOWN_ACCESS_KEY_ID: &str = "AKIAUNKNOWNCONFORM00";
