//! Deterministic generated workspaces, for benchmarks.
