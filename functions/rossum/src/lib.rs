//! The Rossum hooks, one module and one [`Function`] value each, each value a Lambda binary
//! of its name (`src/bin/`) and an entry of the local server's registry ([`FUNCTIONS`]).

use webhook_function::Function;

pub mod annotation_export;
pub mod annotation_initialize;
pub mod annotation_status;
pub mod annotation_updated;
pub mod email_received;
pub mod upload_created;

/// Every Rossum function. A new one is added here.
pub const FUNCTIONS: [&Function; 6] = [
    &annotation_updated::FUNCTION,
    &annotation_initialize::FUNCTION,
    &annotation_export::FUNCTION,
    &annotation_status::FUNCTION,
    &email_received::FUNCTION,
    &upload_created::FUNCTION,
];
