//! wasm-bindgen's test runner, built from the workspace so its version always matches the app's
//! wasm-bindgen (0.2.130). Cargo runs it for `cargo test --target wasm32-unknown-unknown` through
//! `.cargo/config.toml`; `cargo xtask test` builds it first.

fn main() -> anyhow::Result<()> {
    wasm_bindgen_cli::wasm_bindgen_test_runner::run_cli_with_args(std::env::args_os())
}
