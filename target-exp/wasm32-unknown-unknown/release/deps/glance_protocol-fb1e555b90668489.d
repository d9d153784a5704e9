/work/host/target-exp/wasm32-unknown-unknown/release/deps/glance_protocol-fb1e555b90668489.d: protocol/src/lib.rs protocol/src/client.rs protocol/src/error.rs protocol/src/ids.rs protocol/src/limits.rs protocol/src/loginkey.rs protocol/src/number.rs protocol/src/rest.rs protocol/src/server.rs protocol/src/wire.rs

/work/host/target-exp/wasm32-unknown-unknown/release/deps/libglance_protocol-fb1e555b90668489.rlib: protocol/src/lib.rs protocol/src/client.rs protocol/src/error.rs protocol/src/ids.rs protocol/src/limits.rs protocol/src/loginkey.rs protocol/src/number.rs protocol/src/rest.rs protocol/src/server.rs protocol/src/wire.rs

/work/host/target-exp/wasm32-unknown-unknown/release/deps/libglance_protocol-fb1e555b90668489.rmeta: protocol/src/lib.rs protocol/src/client.rs protocol/src/error.rs protocol/src/ids.rs protocol/src/limits.rs protocol/src/loginkey.rs protocol/src/number.rs protocol/src/rest.rs protocol/src/server.rs protocol/src/wire.rs

protocol/src/lib.rs:
protocol/src/client.rs:
protocol/src/error.rs:
protocol/src/ids.rs:
protocol/src/limits.rs:
protocol/src/loginkey.rs:
protocol/src/number.rs:
protocol/src/rest.rs:
protocol/src/server.rs:
protocol/src/wire.rs:
