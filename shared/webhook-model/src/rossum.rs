//! Rossum hook deliveries (`annotation_content` events) and hook responses.

/// Declares a Rossum hook delivery: the fields every hook delivery carries first (the
/// envelope, documented once here), then the event's own.
macro_rules! hook_delivery {
    ($(#[$meta:meta])* pub struct $name:ident { $($fields:tt)* }) => {
        $(#[$meta])*
        pub struct $name {
            /// Unique per delivery attempt group; the key for de-duplication.
            #[serde(default)]
            pub request_id: String,
            /// When Rossum sent the event (covered by the signature).
            #[serde(default)]
            pub timestamp: Option<String>,
            #[serde(default)]
            pub base_url: Option<String>,
            /// Short-lived API key for calling back into Rossum. Never logged.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub rossum_authorization_token: Option<$crate::rossum::AuthorizationToken>,
            /// URL of the hook object that fired.
            #[serde(default)]
            pub hook: Option<String>,
            /// A copy of `hook.settings`: where a Rossum user configures a hook.
            #[serde(default)]
            pub settings: serde_json::Value,
            /// A copy of `hook.secrets`. Never logged.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub secrets: Option<$crate::rossum::HookSecrets>,
            pub event: String,
            pub action: String,
            $($fields)*
        }
    };
}

mod content;
pub mod email;
mod event;
mod id;
mod index;
mod response;
pub mod status;
mod unmodelled;
pub mod upload;

pub use content::{
    Category, DatapointContent, EnumOption, Node, datapoints_by_schema_id, first_datapoint,
    node_by_id, walk,
};
pub use event::{
    Annotation, AnnotationContentEvent, AuthorizationToken, Document, HookSecrets, in_queues,
};
pub use index::{ContentIndex, Place, RowRef};
pub use response::{
    AutomationBlocker, HookResponse, Message, MessageType, Operation, ReplaceValue, ValueContent,
};
pub use unmodelled::Unmodelled;
