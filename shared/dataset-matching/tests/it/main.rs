//! Matching configurations run over annotations against in-memory datasets: what a Rossum
//! user's configuration sets, offers and says, per header field and per line item.

mod annotation;
mod header;
mod line_items;
mod published;
mod refusals;
