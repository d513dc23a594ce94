//! Reusable pieces of the screens, one component per file.

mod app_identity;
mod card;
mod loading;
mod scope_list;
mod spinner;

pub use app_identity::AppIdentity;
pub use card::Card;
pub use loading::Loading;
pub use scope_list::ScopeList;
pub use spinner::Spinner;
