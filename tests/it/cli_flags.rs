//! No flag value panics: arbitrary numbers and strings for every numeric and duration flag are either accepted
//! (and a dry run with them works) or refused with a usage error (exit 2) whose message names the flag.

use clap::Parser;
use conform::cli::{Cli, Output, run_with};
use conform::exit::Exit;
use proptest::prelude::*;

/// Every numeric and duration flag of `conform run`.
const FLAGS: [&str; 9] = [
    "--timeout",
    "--max-time",
    "--rate",
    "--concurrency",
    "--retries",
    "--scenario-draws",
    "--cases",
    "--seed",
    "--partition",
];

/// Strings a user (or a script gone wrong) could pass: numbers of every size and form, and garbage.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
        (0u32..5000).prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            "", " ", "0", "-0", "1e20", "1e-20", "inf", "-inf", "NaN", "1/0", "0/0", "2/1", "1/2",
            "3/3", "0x10", "1_000", "١٢", "86401", "86400", "0.0001", "1000001", "1025", "1024",
            "10001", "101",
        ])
        .prop_map(str::to_string),
        "\\PC{0,12}",
    ]
}

fn dry_run(flag: &str, value: &str) -> Result<Exit, clap::Error> {
    let mut args = vec![
        "conform".to_string(),
        "run".into(),
        "--dry-run".into(),
        "--operation".into(),
        "GetPrimaryEmail".into(),
        "--kind".into(),
        "valid".into(),
    ];
    // Bounded so that the dry run stays quick; --cases itself is tried with its own values.
    if flag != "--cases" {
        args.extend(["--cases".to_string(), "0".into()]);
    }
    // `--flag=value`: a value that starts with `-` stays the flag's value.
    args.push(format!("{flag}={value}"));
    let cli = Cli::try_parse_from(args);
    let cli = cli?;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    Ok(run_with(
        cli,
        &mut Output {
            out: &mut out,
            err: &mut err,
            color: false,
        },
    ))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_numeric_flag_takes_any_value_without_panicking(flag in prop::sample::select(FLAGS.to_vec()), value in value()) {
        match dry_run(flag, &value) {
            Ok(exit) => prop_assert!(matches!(exit, Exit::Ok | Exit::Usage), "{flag} {value:?}: {exit:?}"),
            Err(e) => {
                prop_assert_eq!(e.exit_code(), 2, "{} {:?}", flag, value);
                let text = e.to_string();
                prop_assert!(text.contains(flag), "{flag} {value:?}: {text}");
            }
        }
    }
}

#[test]
fn the_extremes_of_every_range_are_accepted_and_run() {
    for (flag, value) in [
        ("--timeout", "86400"),
        ("--timeout", "0.001"),
        ("--max-time", "24h"),
        ("--max-time", "1ms"),
        ("--max-time", "90"),
        ("--rate", "0.001"),
        ("--rate", "1000000"),
        ("--concurrency", "1024"),
        ("--retries", "100"),
        ("--scenario-draws", "1000"),
        ("--cases", "50"),
        ("--seed", "18446744073709551615"),
        ("--partition", "7/7"),
    ] {
        let exit = dry_run(flag, value).unwrap_or_else(|e| panic!("{flag} {value}: {e}"));
        assert_eq!(exit, Exit::Ok, "{flag} {value}");
    }
    for (flag, value) in [
        ("--timeout", "inf"),
        ("--timeout", "1e20"),
        ("--max-time", "25h"),
        ("--max-time", "0s"),
        ("--max-time", "5 days"),
        ("--rate", "1e-20"),
        ("--concurrency", "0"),
        ("--retries", "101"),
        ("--scenario-draws", "0"),
        ("--cases", "10001"),
        ("--partition", "3/2"),
    ] {
        let e = dry_run(flag, value).expect_err(value);
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains(flag), "{e}");
    }
}
