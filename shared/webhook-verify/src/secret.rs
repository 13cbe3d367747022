use std::fmt;

use crate::VerifyError;

/// A shared secret or token. Its bytes never appear in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// `None` for an empty value: an empty key would make every signature forgeable.
    pub fn new(value: impl Into<Vec<u8>>) -> Option<Self> {
        let value = value.into();
        (!value.is_empty()).then_some(Self(value))
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Which of the configured secrets verified a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretUsed {
    Current,
    /// The delivery was made with the previous secret: the sender has not switched yet.
    Previous,
}

/// The current secret and, while a rotation is under way, the previous one. Either verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretSet {
    current: Secret,
    previous: Option<Secret>,
}

impl SecretSet {
    pub fn new(current: Secret, previous: Option<Secret>) -> Self {
        Self { current, previous }
    }

    /// From raw strings as they come from configuration; `None` when `current` is empty or
    /// absent (a lone previous secret is not a configuration: rotation finished the other way).
    pub fn from_values(current: Option<&str>, previous: Option<&str>) -> Option<Self> {
        let current = Secret::new(current?.as_bytes())?;
        let previous = previous.and_then(|p| Secret::new(p.as_bytes()));
        Some(Self { current, previous })
    }

    pub fn current(&self) -> &Secret {
        &self.current
    }

    pub fn previous(&self) -> Option<&Secret> {
        self.previous.as_ref()
    }

    /// The first secret for which `matches` holds, or [`VerifyError::Mismatch`].
    pub(crate) fn find(&self, matches: impl Fn(&[u8]) -> bool) -> Result<SecretUsed, VerifyError> {
        if matches(self.current.expose()) {
            return Ok(SecretUsed::Current);
        }
        match &self.previous {
            Some(previous) if matches(previous.expose()) => Ok(SecretUsed::Previous),
            _ => Err(VerifyError::Mismatch),
        }
    }
}
