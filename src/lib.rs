//! `conform`: a property-based conformance test harness for AWS APIs and the emulators that stand in for them.
#![warn(missing_docs)]

pub mod case;
pub mod check;
pub mod cli;
pub mod credentials;
pub mod exit;
pub mod report;
pub mod spec;
