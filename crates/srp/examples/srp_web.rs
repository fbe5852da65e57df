//! The wasm module of the browser SRP benchmark (`cargo xtask bench srp`): cognate-srp's `js`
//! entry points, linked with std into a cdylib for wasm-bindgen.

#[cfg(target_arch = "wasm32")]
pub use cognate_srp::js::srp_client_step;
