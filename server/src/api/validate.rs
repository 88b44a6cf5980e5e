//! Input rules of the HTTP shell: the domain's field rules, and how PATCH bodies tell a missing
//! field from an explicit `null`.

use serde::{Deserialize, Deserializer};

pub use crate::domain::validate::*;

/// For PATCH bodies: distinguishes a missing field (`None`) from an explicit `null` (`Some(None)`).
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
