use std::fmt;

/// Why an expression could not be parsed or evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpressionError {
    message: String,
    position: Option<usize>,
    limit: Option<&'static str>,
}

impl ExpressionError {
    pub(crate) fn new(message: impl Into<String>, position: Option<usize>) -> Self {
        ExpressionError {
            message: message.into(),
            position,
            limit: None,
        }
    }

    /// A bound of [`crate::limits`] was reached; `name` is the bound's name.
    pub(crate) fn limit(
        name: &'static str,
        bound: impl fmt::Display,
        position: Option<usize>,
    ) -> Self {
        ExpressionError {
            message: format!("{name} exceeds its limit of {bound}"),
            position,
            limit: Some(name),
        }
    }

    /// What went wrong, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based character position in the expression's text, when known.
    pub fn position(&self) -> Option<usize> {
        self.position
    }

    /// The name of the bound that was reached (see [`crate::limits`]), when that is the reason.
    pub fn exceeded_limit(&self) -> Option<&'static str> {
        self.limit
    }
}

impl fmt::Display for ExpressionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(at) => write!(f, "{} (at character {at})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ExpressionError {}
