//! Login key verification (§4.2): one HMAC-SHA256 and a constant-time compare per `Authorize`.

use criterion::{criterion_group, criterion_main, Criterion};
use presence_server::auth::{make_login_key, verify_login_key};
use std::hint::black_box;

const NOW: u64 = 1_800_000_000;

fn login_key(c: &mut Criterion) {
    let key = make_login_key(
        "bench-api-key-0123456789",
        "12345",
        "agent@example.com",
        NOW + 600,
    );
    let url_safe = key.replace('+', "-").replace('/', "_");
    let wrong = make_login_key(
        "another-api-key-0123456",
        "12345",
        "agent@example.com",
        NOW + 600,
    );
    assert_eq!(
        verify_login_key(
            "bench-api-key-0123456789",
            "12345",
            "agent@example.com",
            &key,
            NOW
        ),
        Ok(())
    );
    let mut g = c.benchmark_group("verify_login_key");
    for (name, k) in [
        ("valid", &key),
        ("valid url-safe", &url_safe),
        ("bad signature", &wrong),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                verify_login_key(
                    black_box("bench-api-key-0123456789"),
                    "12345",
                    "agent@example.com",
                    black_box(k),
                    NOW,
                )
            })
        });
    }
    g.bench_function("malformed", |b| {
        b.iter(|| {
            verify_login_key(
                "bench-api-key-0123456789",
                "12345",
                "agent@example.com",
                black_box("$1$x$y"),
                NOW,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, login_key);
criterion_main!(benches);
