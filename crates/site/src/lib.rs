//! The atlas static site (being built).
