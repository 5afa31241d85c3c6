//! Measures the botocore frontend: the catalog of every service, the load of each one, and every service loaded at
//! once (peak memory: run it under `/usr/bin/time -v`, or read the `VmHWM` line it prints on Linux).
//!
//! ```text
//! cargo run --release --example botocore_models -- [--models PATH] [--unsupported]
//! ```

use std::time::{Duration, Instant};

use conform::frontend::botocore::Models;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut flag = None;
    let mut list_unsupported = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--models" => flag = args.next().map(std::path::PathBuf::from),
            "--unsupported" => list_unsupported = true,
            other => {
                eprintln!(
                    "unknown argument `{other}`; usage: botocore_models [--models PATH] [--unsupported]"
                );
                std::process::exit(2);
            }
        }
    }
    let started = Instant::now();
    let models = match Models::locate(
        flag.as_deref(),
        std::env::var_os("CONFORM_MODELS").as_deref(),
    ) {
        Ok(models) => models,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    println!(
        "located {} services in {} ({:?}) in {:.1?}",
        models.files.len(),
        models.root.display(),
        models.found_by,
        started.elapsed()
    );

    for round in 1..=3 {
        let started = Instant::now();
        let catalog = models.catalog();
        let operations: usize = catalog.services.iter().map(|e| e.operations).sum();
        println!(
            "catalog (round {round}): {} services, {operations} operations, {} failures in {:.1?}",
            catalog.services.len(),
            catalog.failures.len(),
            started.elapsed()
        );
    }

    // One service at a time, on one core: the cost a user waits for when naming a service.
    let mut total = Duration::ZERO;
    let mut slowest = Vec::new();
    for file in &models.files {
        let started = Instant::now();
        let loaded = models.load(&file.service);
        let took = started.elapsed();
        total += took;
        match loaded {
            Ok(service) => slowest.push((took, service.name, service.shapes.len())),
            Err(e) => eprintln!("error: {e}"),
        }
    }
    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    println!("load one by one: total {total:.1?}");
    for (took, name, shapes) in slowest.iter().take(5) {
        println!("  {name}: {took:.1?} ({shapes} shapes)");
    }

    let started = Instant::now();
    let model = match models.load_model() {
        Ok(model) => model,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let operations: usize = model.services.values().map(|s| s.operations.len()).sum();
    let shapes: usize = model.services.values().map(|s| s.shapes.len()).sum();
    println!(
        "load all (every core): {} services, {operations} operations, {shapes} shapes in {:.1?}",
        model.services.len(),
        started.elapsed()
    );
    let mut unsupported = 0;
    let mut skipped = 0;
    for service in model.services.values() {
        let ops: Vec<_> = service
            .operations
            .values()
            .filter(|op| op.unsupported.is_some())
            .collect();
        unsupported += ops.len();
        skipped += service
            .shapes
            .iter()
            .map(|s| s.constraints.skipped.len())
            .sum::<usize>();
        if list_unsupported && !ops.is_empty() {
            println!("  {}: {} unsupported", service.name, ops.len());
            for op in ops {
                println!(
                    "    {}: {}",
                    op.name,
                    op.unsupported.as_deref().unwrap_or("")
                );
            }
        }
    }
    println!(
        "{unsupported} operations unsupported (streaming or event streams); {skipped} constraints skipped"
    );
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status
            .lines()
            .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
        {
            println!("{line}");
        }
    }
    drop(model);
}
