//! Committed audit events per second: the group-commit writer (async tasks awaiting `record()`, as request
//! handlers do) against one transaction per event (threads with a connection each, as blocking work runs),
//! with 1, 16 and 64 concurrent writers, on SQLite and (when EENPLAN_BENCH_DATABASE_URL is set) PostgreSQL.
//!
//!   EENPLAN_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench --bench audit_throughput
//!
//! Durability is the production setting: SQLite synchronous=FULL in WAL mode, PostgreSQL synchronous_commit on.
//! Every acknowledged event is counted back from the database and every chain is verified afterwards.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;

use eenplan::audit::{AuditLog, EventData};
use eenplan::db::{new_id, now, DatabaseTarget};

fn event() -> EventData {
    EventData {
        event_id: new_id(),
        occurred_at: now(),
        user_id: Some(new_id()),
        user_name: Some("Bench gebruiker".into()),
        role: Some("wijkteam".into()),
        organisation_id: Some(new_id()),
        client_address: Some("192.0.2.10".into()),
        request_id: Some(new_id()),
        action: "user.read".into(),
        resource_type: "user".into(),
        resource_id: Some(new_id()),
        basis: Some(eenplan::access::Basis::RolePermission),
        outcome: "allowed".into(),
        http_status: Some(200),
        ..Default::default()
    }
}

/// Runs `writers` threads for `secs`, each calling `write` in a loop; returns acknowledged events.
fn run(writers: usize, secs: f64, write: impl Fn(usize) -> Box<dyn FnMut() + Send> + Sync) -> (u64, f64) {
    let acked = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    std::thread::scope(|s| {
        for w in 0..writers {
            let mut one = write(w);
            let (acked, stop) = (acked.clone(), stop.clone());
            s.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    one();
                    acked.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        std::thread::sleep(Duration::from_secs_f64(secs));
        stop.store(true, Ordering::Relaxed);
    });
    (acked.load(Ordering::Relaxed), start.elapsed().as_secs_f64())
}

/// Group commit as requests use it: `writers` async tasks on one actix runtime, each awaiting `record()`.
fn run_tasks(writers: usize, secs: f64, audit: &AuditLog) -> (u64, f64) {
    let acked = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    actix_web::rt::System::new().block_on(async {
        let tasks: Vec<_> = (0..writers)
            .map(|_| {
                let (audit, acked, stop) = (audit.clone(), acked.clone(), stop.clone());
                actix_web::rt::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        audit.record(event()).await.expect("group commit");
                        acked.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        actix_web::rt::time::sleep(Duration::from_secs_f64(secs)).await;
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            t.await.expect("writer task");
        }
    });
    (acked.load(Ordering::Relaxed), start.elapsed().as_secs_f64())
}

fn bench_backend(name: &str, target: &DatabaseTarget, secs: f64) {
    target.connect().expect("database").run_migrations().expect("migrations");
    let audit = AuditLog::start(target.clone(), "bench", 512);
    let mut total = 0u64;
    for writers in [1usize, 16, 64] {
        let (group, g_secs) = run_tasks(writers, secs, &audit);
        let (single, s_secs) = run(writers, secs, |_| {
            let audit = audit.clone();
            let mut conn = target.connect().expect("connection");
            Box::new(move || audit.write_single(&mut conn, event()).expect("single commit"))
        });
        total += group + single;
        let (g, s) = (group as f64 / g_secs, single as f64 / s_secs);
        println!("| {name} | {writers} | {g:.0} | {s:.0} | {:.1}× |", g / s);
    }
    let mut conn = target.connect().expect("connection");
    let stored = eenplan::audit::store::count(&mut conn).expect("count") as u64;
    let report = eenplan::audit::service::verify(&mut conn).expect("verify");
    println!(
        "|  | {name}: {total} events acknowledged, {stored} stored, chains {} |  |  |",
        if report.first_break.is_none() { "intact" } else { "BROKEN" }
    );
    assert_eq!(stored, total, "every acknowledged event must be stored");
    assert!(report.first_break.is_none());
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` would pass other flags: run only for cargo bench.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let secs: f64 = std::env::var("EENPLAN_BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    println!("Committed audit events per second ({secs} s per cell)\n");
    println!("| backend | writers | group commit | one transaction per event | group / single |");
    println!("|---|---:|---:|---:|---:|");

    let dir = std::env::temp_dir().join(format!("eenplan-bench-{}", new_id()));
    bench_backend("SQLite", &DatabaseTarget::Sqlite(dir.join("bench.db")), secs);
    let _ = std::fs::remove_dir_all(&dir);

    match std::env::var("EENPLAN_BENCH_DATABASE_URL").ok().filter(|v| !v.is_empty()) {
        None => println!("\nPostgreSQL skipped: EENPLAN_BENCH_DATABASE_URL is not set"),
        Some(admin_url) => {
            let name = format!("eenplan_bench_{}", new_id().replace('-', ""));
            let mut admin = eenplan::db::establish_postgres(&admin_url).expect("PostgreSQL reachable");
            admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create database");
            let url = format!("{}/{name}", admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin_url));
            bench_backend("PostgreSQL", &DatabaseTarget::Postgres(url), secs);
            admin.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)")).expect("drop database");
        }
    }
}
