/work/host/target-exp/wasm32-unknown-unknown/release/deps/cfg_if-de53ab403715a93a.d: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs

/work/host/target-exp/wasm32-unknown-unknown/release/deps/libcfg_if-de53ab403715a93a.rlib: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs

/work/host/target-exp/wasm32-unknown-unknown/release/deps/libcfg_if-de53ab403715a93a.rmeta: /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs

/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/cfg-if-1.0.5/src/lib.rs:
