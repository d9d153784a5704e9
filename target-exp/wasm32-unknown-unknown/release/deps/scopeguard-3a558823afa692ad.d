/work/host/target-exp/wasm32-unknown-unknown/release/deps/scopeguard-3a558823afa692ad.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/scopeguard-1.2.0/src/lib.rs

/work/host/target-exp/wasm32-unknown-unknown/release/deps/libscopeguard-3a558823afa692ad.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/scopeguard-1.2.0/src/lib.rs

/work/host/target-exp/wasm32-unknown-unknown/release/deps/libscopeguard-3a558823afa692ad.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/scopeguard-1.2.0/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/scopeguard-1.2.0/src/lib.rs:
