//! The atlas HTTP server (being built).
