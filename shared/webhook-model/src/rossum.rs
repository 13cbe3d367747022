//! Rossum hook deliveries (`annotation_content` events) and hook responses.

mod content;
pub mod email;
mod event;
mod id;
mod response;
pub mod status;
pub mod upload;

pub use content::{
    Category, DatapointContent, EnumOption, Node, datapoints_by_schema_id, first_datapoint,
    node_by_id, walk,
};
pub use event::{Annotation, AnnotationContentEvent, AuthorizationToken, Document, HookSecrets};
pub use response::{
    AutomationBlocker, HookResponse, Message, MessageType, Operation, ReplaceValue, ValueContent,
};
