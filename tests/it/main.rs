//! The integration tests, in one binary: each module is one area (linking one test binary instead of twenty keeps
//! the build fast). The credentials test changes the process's environment and so has a binary of its own.

mod cli_flags;
mod cli_models;
mod cli_spec;
mod client_transport;
mod frontend_botocore;
mod generate_cases;
mod generate_cli;
mod generate_properties;
mod moto;
mod param_validator_differential;
mod protocol_differential;
mod report_merge;
mod run_cli;
mod run_curl;
mod run_determinism;
mod run_diff;
mod run_embedded;
mod run_moto;
mod run_moto_models;
mod run_query;
mod run_real;
mod run_redaction;
mod run_rest_xml;
mod run_snapshots;
mod run_transport;
mod run_ux;
mod serve_cli;
mod serve_e2e;
mod serve_faults;
mod serve_support;
mod spec_broken;
mod spec_documents;
mod spec_mutations;
mod spec_overlay;
