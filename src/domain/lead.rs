//! The lead's lifecycle.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Where a lead stands: new leads are pending until an attorney reaches out.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LeadState {
    Pending,
    ReachedOut,
}

impl LeadState {
    /// The stored and API form: `PENDING`, `REACHED_OUT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::ReachedOut => "REACHED_OUT",
        }
    }

    /// The form shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::ReachedOut => "Reached out",
        }
    }
}

impl fmt::Display for LeadState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for LeadState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "PENDING" => Ok(Self::Pending),
            "REACHED_OUT" => Ok(Self::ReachedOut),
            other => Err(format!("unknown lead state {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LeadState;

    #[test]
    fn round_trips_through_text() {
        for s in [LeadState::Pending, LeadState::ReachedOut] {
            assert_eq!(s.as_str().parse::<LeadState>().unwrap(), s);
        }
        assert!("pending".parse::<LeadState>().is_err());
    }
}
