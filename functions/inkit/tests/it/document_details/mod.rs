//! `inkit-document-details`.

mod batch;
